"""Schedules and venues record when they last changed, so the open data feed's `updated`
moves when a circle's time or place does. Existing rows start from the moment of the
migration: nothing earlier was recorded."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0003_circles_pause_confirm_and_reports_move_to_hosting"),
    ]

    operations = [
        migrations.AddField(
            model_name="schedule",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="venue",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
