from django.apps import AppConfig


class MeetupsConfig(AppConfig):
    name = "meetups"
    verbose_name = "Meetups"

    def ready(self) -> None:
        from meetups import notifications

        notifications.register_checks()
