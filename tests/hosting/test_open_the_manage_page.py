"""The manage page opens for the circle's facilitators and staff, and nobody else."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/circles/grief-circle-mid-city/manage/"


def test_a_facilitator_opens_the_manage_page(facilitator_client: Client, circle) -> None:
    response = facilitator_client.get(URL)

    assert response.status_code == 200
    assert "Hosting Grief Circle Mid City" in response.content.decode()


def test_staff_may_open_it(circle) -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    assert client.get(URL).status_code == 200


def test_members_and_outsiders_may_not(
    member_client: Client, outsider_client: Client, client: Client, circle
) -> None:
    assert member_client.get(URL).status_code == 403
    assert outsider_client.get(URL).status_code == 403
    assert client.get(URL).status_code == 302  # to the login page
    assert member_client.get("/circles/no-such-circle/manage/").status_code == 404
