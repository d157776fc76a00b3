"""A person may see the circle's name at the top of emails (off: time and place only)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="emails_show_circle_name",
            field=models.BooleanField(
                default=False,
                help_text="Off: the first line of an email, which phones show on a locked screen, says only when and where.",
                verbose_name="show the circle's name at the top of emails",
            ),
        ),
    ]
