import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")

# How often beat looks for check-in prompts that are due: every 15 minutes, every minute
# under `make run` (Procfile.dev). Read here because the schedule is built at import.
CHECKIN_SCAN_MINUTES = int(os.environ.get("CHECKIN_SCAN_MINUTES", "15"))

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
    # Weekly check-in prompts whose circle's hour has come (circles.notifications); the
    # demo (`make run`) scans every minute so its prompt shows within minutes of starting.
    "prompt-weekly-checkins": {
        "task": "circles.notifications.prompt_due_checkins",
        "schedule": crontab(minute=f"*/{CHECKIN_SCAN_MINUTES}"),
    },
    # Notes of support on check-ins: at most one email a day per author (the key).
    "checkin-reply-digests": {
        "task": "circles.notifications.send_reply_digests",
        "schedule": crontab(minute="7,37"),
    },
    # New requests to join and reports, for facilitators on the daily digest: at most one
    # email a day per facilitator and circle (circles.facilitator_news, the key).
    "facilitator-digests": {
        "task": "circles.facilitator_news.send_facilitator_digests",
        "schedule": crontab(minute=13),
    },
    # Last-minute seat offers not confirmed in time pass to the next person waiting.
    "pass-on-lapsed-offers": {
        "task": "meetups.tasks.pass_on_lapsed_offers",
        "schedule": crontab(),
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
    # Requests for cover nobody accepted by their deadline (hosting.services.cover).
    "cover-deadlines": {
        "task": "hosting.tasks.cover_deadline_scan",
        "schedule": crontab(minute="*/5"),
    },
    "still-meeting": {
        "task": "hosting.tasks.still_meeting_scan",
        "schedule": crontab(minute=41, hour=9),
    },
}
