"""Periodic scans of the facilitator's side, thin wrappers over hosting.services, started by
beat (peersupport/celery.py)."""

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
