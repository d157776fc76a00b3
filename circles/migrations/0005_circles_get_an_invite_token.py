"""Every circle gets its own invite token. Adding the field with a callable default would
give every existing row the same value, so rows are filled one by one first."""

import secrets

from django.db import migrations, models

import circles.models


def give_each_circle_its_own_token(apps, schema_editor) -> None:
    Circle = apps.get_model("circles", "Circle")
    for circle in Circle.objects.only("pk").iterator():
        Circle.objects.filter(pk=circle.pk).update(invite_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0004_schedules_and_venues_record_when_they_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="circle",
            name="invite_token",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(give_each_circle_its_own_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="circle",
            name="invite_token",
            field=models.CharField(
                default=circles.models.new_invite_token, editable=False, max_length=64
            ),
        ),
    ]
