"""Notifications become an outbox: each row carries its rendered message and a status.

Rows from before were written by the old send-then-commit code: those with `sent_at` went
out and are marked sent (the new `status` column is filled with "sent" for them). A row
without `sent_at` was left by a process that died before the mail server answered; it
has no stored message to send, so it is marked failed with that reason.
"""

from django.db import migrations, models


def mark_unsent_rows_failed(apps, schema_editor):
    Notification = apps.get_model("accounts", "Notification")
    Notification.objects.filter(sent_at__isnull=True).update(
        status="failed", last_error="Left unsent before the outbox; no stored message."
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_consent_can_be_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="notification",
            name="body",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="headers",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="notification",
            name="html",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="recipient",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "waiting to be sent"),
                    ("sent", "sent"),
                    ("failed", "refused by the mail server"),
                    ("expired", "too late to send"),
                    ("obsolete", "no longer applies"),
                ],
                default="sent",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "waiting to be sent"),
                    ("sent", "sent"),
                    ("failed", "refused by the mail server"),
                    ("expired", "too late to send"),
                    ("obsolete", "no longer applies"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RunPython(mark_unsent_rows_failed, migrations.RunPython.noop),
        migrations.AddField(
            model_name="notification",
            name="subject",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["id", "claimed_until"],
                name="notification_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["created_at"], name="notification_created"),
        ),
    ]
