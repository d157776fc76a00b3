"""The calendar feed is off until the person turns it on.

Only the default changes: people who already have a feed address keep it (revoking it would
silently break calendars they subscribed), and new accounts start with none.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_neutral_page_titles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="calendar_token",
            field=models.CharField(blank=True, default=None, max_length=64, null=True, unique=True),
        ),
    ]
