import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")

app = Celery("peersupport")


@beat_init.connect
@worker_init.connect
def _refuse_to_serve_misconfigured(**kwargs: object) -> None:
    from peersupport.startup import refuse_to_serve_misconfigured

    refuse_to_serve_misconfigured()


app.config_from_object("django.conf:settings", namespace="CELERY")
# Periodic wrappers over services live in <app>/tasks.py; the emails an app sends, and the
# tasks that send them, in <app>/notifications.py (services enqueue those after commit).
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="notifications")

# A few periodic scans rather than one ETA task per message (no ETA or countdown here is
# longer than Redis's visibility_timeout). Every message is a row of the outbox with a
# unique key (accounts.outbox), so a scan may run twice or late, or two beats may run by
# mistake, and nothing is duplicated. Run exactly one beat all the same.
app.conf.beat_schedule = {
    # Sends whatever is pending: lost hints, dead workers' leases, mail outages.
    "sweep-outbox": {
        "task": "accounts.tasks.sweep_outbox",
        "schedule": crontab(),
    },
    "send-meetup-reminders": {
        "task": "meetups.tasks.send_due_reminders",
        "schedule": crontab(minute="*/5"),
    },
    "extend-schedules": {
        "task": "meetups.tasks.extend_all_schedules",
        "schedule": crontab(minute=17, hour=3),
    },
    # Records older than RETENTION_MONTHS: each app purges its own (accounts/retention.py).
    "purge-old-notifications": {
        "task": "accounts.tasks.purge_old_notifications",
        "schedule": crontab(minute=23, hour=4),
    },
    "forget-old-attendance": {
        "task": "meetups.tasks.forget_old_attendance",
        "schedule": crontab(minute=29, hour=4),
    },
    "still-meeting": {
        "task": "hosting.tasks.still_meeting_scan",
        "schedule": crontab(minute=41, hour=9),
    },
}
