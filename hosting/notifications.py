"""Emails about hosting and the Celery tasks that send them.

Services enqueue these with `task.delay_on_commit(...)` (accounts.background), so imports
run views → services → notifications → models and a broker outage never fails a committed
change. Every email goes through accounts.notify.send_once with a unique key; subjects and
first lines name the time and place, never the circle or its topic.
"""

from __future__ import annotations

from celery import shared_task  # noqa: F401 (each section below adds its tasks)

from accounts.background import BackgroundTask  # noqa: F401

# Starting a circle


# Meetups


# The series


# Join requests


# Members


# Co-facilitators and the circle's state


# Rotating hosts


# Messages


# Still meeting


# Reports
