"""Reminders already sent keep counting as sent after the keys started naming the meetup's
sequence.

Reminder keys were "reminder-24h:meetup:<id>:user:<id>" and are now
"reminder-24h:meetup:<id>:seq:<n>:user:<id>" (meetups.notifications), so a reminder sent
under the old key for a meetup still inside its window would be found unsent and go out
again. For every meetup still ahead, the old keys (24 h and 2 h) are rewritten with the
meetup's current sequence, which is what the old key meant: sent for the time the meetup
has now (a move since raised the sequence and cleared nothing, so the old code would not
have sent again either). Keys of meetups already over are left as they are: no scan
looks at them again. A key whose new form already exists is left alone.

Backwards: the keys of meetups ahead that name their current sequence go back to the old
form (earlier sequences have no old form to go back to and stay).
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

PURPOSES = ("reminder-24h", "reminder-2h")
BATCH = 1000


def _meetup_of(key: str) -> int | None:
    """The meetup id in a reminder key of either form, or None for any other key."""
    parts = key.split(":")
    if len(parts) in (5, 7) and parts[0] in PURPOSES and parts[1] == "meetup":
        return int(parts[2]) if parts[2].isdigit() else None
    return None


def _rewrite(apps, rename) -> None:
    """Give each reminder key of a meetup still ahead the name `rename(key, sequence)`
    returns (None: leave it), in batches, never onto a key that exists."""
    Notification = apps.get_model("accounts", "Notification")
    Meetup = apps.get_model("meetups", "Meetup")
    reminders = Notification.objects.filter(
        Q(key__startswith="reminder-24h:meetup:") | Q(key__startswith="reminder-2h:meetup:")
    ).order_by("pk")
    last = 0
    while True:
        batch = list(reminders.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        ids = {_meetup_of(row.key) for row in batch} - {None}
        sequences = dict(
            Meetup.objects.filter(pk__in=ids, starts_at__gt=timezone.now()).values_list(
                "pk", "sequence"
            )
        )
        renamed = []
        for row in batch:
            meetup = _meetup_of(row.key)
            if meetup not in sequences:
                continue
            key = rename(row.key, sequences[meetup])
            if key is not None:
                row.key = key
                renamed.append(row)
        taken = set(
            Notification.objects.filter(key__in=[row.key for row in renamed]).values_list(
                "key", flat=True
            )
        )
        Notification.objects.bulk_update(
            [row for row in renamed if row.key not in taken], ["key"], batch_size=BATCH
        )


def _with_sequence(key: str, sequence: int) -> str | None:
    parts = key.split(":")
    if len(parts) != 5:  # already names a sequence
        return None
    purpose, _, meetup, _, user = parts
    return f"{purpose}:meetup:{meetup}:seq:{sequence}:user:{user}"


def _without_sequence(key: str, sequence: int) -> str | None:
    parts = key.split(":")
    if len(parts) != 7 or parts[3] != "seq" or parts[4] != str(sequence):
        return None
    purpose, _, meetup, _, _, _, user = parts
    return f"{purpose}:meetup:{meetup}:user:{user}"


def name_the_sequence(apps, schema_editor) -> None:
    _rewrite(apps, _with_sequence)


def drop_the_sequence(apps, schema_editor) -> None:
    _rewrite(apps, _without_sequence)


class Migration(migrations.Migration):
    dependencies = [
        ("meetups", "0002_meetup_host_in_rotation"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(name_the_sequence, drop_the_sequence)]
