"""Forms behind every facilitator's page and action: views read only cleaned_data."""

from __future__ import annotations

from django import forms  # noqa: F401 (each section below adds its forms)

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
