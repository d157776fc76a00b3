from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = "Circles"

    def ready(self) -> None:
        from django.urls import register_converter

        from circles import notifications, signals
        from circles.converters import DatabaseIdConverter

        signals.connect()
        notifications.register_checks()
        # `<id:pk>` in every URL pattern with a database id, in this room's URLs and the
        # rooms above it, which load their URLs after every app is ready.
        register_converter(DatabaseIdConverter, "id")
