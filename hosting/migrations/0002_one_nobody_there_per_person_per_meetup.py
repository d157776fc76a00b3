"""A person says "nobody was there" about one meetup once: a rule of the database, so a
double click or two tabs cannot file it twice."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hosting", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "nobody_there")),
                fields=("reporter", "meetup"),
                name="one_nobody_there_per_person_per_meetup",
            ),
        ),
    ]
