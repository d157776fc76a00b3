from django.apps import AppConfig


class HostingConfig(AppConfig):
    name = "hosting"
    verbose_name = "Hosting"

    def ready(self) -> None:
        from hosting import notifications

        notifications.register_checks()
