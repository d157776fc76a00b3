from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = "Circles"

    def ready(self) -> None:
        from circles import signals

        signals.connect()
