"""A seeker finds a circle near Baton Rouge, signs up, confirms their email and joins."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from circles.models import Circle, Membership

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


def test_seeker_finds_a_circle_signs_up_confirms_and_joins(
    page: Page, live_server, circles_in_baton_rouge: dict[str, Circle], mailoutbox: list
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Near").fill("Baton Rouge")
    page.get_by_label("Near").press("Enter")

    expect(page).to_have_url(re.compile(r"/circles/\?.*near=Baton"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Grief Circle Mid City")).to_be_visible()
    expect(results.get_by_role("link", name="New Parents Coffee Morning")).to_be_visible()
    expect(results.get_by_role("link", name="Caregivers Online Evening")).to_be_visible()
    expect(results.get_by_role("link", name="Recovery Circle Lafayette")).to_have_count(0)

    # htmx swaps the results in place (no page load) and keeps the address bar in step.
    # htmx is deferred: until the page has loaded, a click is an ordinary form post.
    page.wait_for_load_state("load")
    page.evaluate("window.samePage = true")
    page.get_by_label("How it meets").select_option(label="In person")
    expect(page).to_have_url(re.compile(r"format=in_person"))
    expect(results.get_by_role("link", name="Caregivers Online Evening")).to_have_count(0)
    expect(results.get_by_role("link", name="Grief Circle Mid City")).to_be_visible()
    assert page.evaluate("window.samePage") is True

    results.get_by_role("link", name="Grief Circle Mid City").click()
    expect(page.get_by_role("heading", name="Grief Circle Mid City", level=1)).to_be_visible()
    page.locator(".join").get_by_role("link", name="sign up").click()

    page.get_by_label("Display name").fill("Robin")
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a quiet morning walk")
    page.get_by_label(re.compile(r"^Password \(again\)")).fill("a quiet morning walk")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("email", re.I))

    assert [m.to for m in mailoutbox] == [["robin@example.org"]]
    link = CONFIRM_LINK.search(mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(link.group(0))
    page.get_by_role("button", name="Yes, that's me").click()

    # Confirming logs the person in and brings them back to the circle they came from.
    expect(page).to_have_url(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())
    page.get_by_label("I have read the circle's guidelines and I accept them").check()
    page.get_by_role("button", name="Join", exact=True).click()

    expect(page.get_by_role("heading", name="You're a member")).to_be_visible()
    robin = User.objects.get(email="robin@example.org")
    assert robin.display_name == "Robin"
    membership = Membership.objects.get(user=robin, circle=circles_in_baton_rouge["grief"])
    assert membership.status == Membership.Status.ACTIVE
    assert membership.guidelines_accepted_at is not None


def test_search_works_as_a_plain_form_without_javascript(
    no_js_page: Page, live_server, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    page = no_js_page
    page.goto(live_server.url + "/circles/")
    page.get_by_label("Near").fill("Baton Rouge")
    page.get_by_label("How it meets").select_option(label="In person")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/circles/\?.*near=Baton\+Rouge.*format=in_person"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Grief Circle Mid City")).to_be_visible()
    expect(results.get_by_role("link", name="New Parents Coffee Morning")).to_be_visible()
    expect(results.get_by_role("link", name="Caregivers Online Evening")).to_have_count(0)
    expect(results.get_by_role("link", name="Recovery Circle Lafayette")).to_have_count(0)
