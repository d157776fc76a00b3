"""Circles can pause or go dormant (not confirmed as still meeting), remember when a
facilitator last confirmed they still meet, and hand their reports to hosting.

Report moves to hosting with its table and rows: here it leaves circles' state only, and
hosting.0001 takes the same table over (then renames it and adds its new fields)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0002_browse_indexes_cover_listed_circles"),
    ]

    operations = [
        migrations.AddField(
            model_name="circle",
            name="confirmed_active_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="circle",
            name="status",
            field=models.CharField(
                choices=[
                    ("active", "Active"),
                    ("paused", "Paused"),
                    ("dormant", "Not confirmed lately"),
                    ("archived", "Archived"),
                ],
                default="active",
                max_length=10,
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Report")],
            database_operations=[],
        ),
    ]
