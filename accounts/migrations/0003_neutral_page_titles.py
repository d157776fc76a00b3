"""A person may keep circle names and searches out of their browser tabs and history."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_emails_show_circle_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="neutral_titles",
            field=models.BooleanField(
                default=False,
                help_text="On: tabs say only what kind of page it is, such as 'Meetup · Tue 3 Mar', and searching does not add entries to your browser's history.",
                verbose_name="keep circle names and searches out of my browser tabs and history",
            ),
        ),
    ]
