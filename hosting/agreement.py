"""The facilitator agreement a host accepts when starting a circle.

Its text is templates/hosting/_agreement.html; VERSION names that text. Change VERSION
whenever the text changes in substance: each HostingAgreement row records the version its
host accepted, so it stays clear what a facilitator agreed to.
"""

from __future__ import annotations

VERSION = "2026-11"
