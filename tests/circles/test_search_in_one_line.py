"""On a narrow screen the search folds into a "Filters" toggle that says the search in one
line (CircleSearchForm.summary); a search to correct opens it, and the htmx answer to a
new search brings the new line with it."""

from __future__ import annotations

import pytest

from circles.forms import CircleSearchForm
from tests.factories import CircleFactory, TopicFactory


def _summary(query: dict) -> str:
    form = CircleSearchForm(query)
    form.is_valid()
    return form.summary()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "line"),
    [
        ({}, "Every circle"),
        ({"near": "Baton Rouge"}, "Within 15 miles of Baton Rouge, LA"),
        (
            {"near": "Baton Rouge", "radius": "10", "unit": "mi", "topic": ["grief"]},
            "Within 10 miles of Baton Rouge, LA · Grief",
        ),
        (
            {"day": "tue", "time": "evening", "format": "online", "access": ["step_free"]},
            "Tuesday · Evening (5 pm – 9 pm) · Online · Step-free venue",
        ),
        ({"near": "Baton Rouge", "format": "online"}, "Online"),
        ({"q": "  parents "}, "“parents”"),
        ({"near": "Nowhere Special Zzz"}, "Please check your search"),
    ],
)
def test_the_search_in_one_line(query: dict, line: str) -> None:
    TopicFactory(name="Grief", slug="grief")
    assert _summary(query) == line


@pytest.mark.django_db
def test_browse_folds_the_form_into_filters_and_opens_it_to_correct(client) -> None:
    html = client.get("/circles/?near=Baton+Rouge").content.decode()
    assert '<details class="filters">' in html
    summary = '<span id="search-summary" class="search-summary">Within 15 miles of Baton Rouge, LA'
    assert summary in html
    assert html.index('<details class="filters">') < html.index('<form id="circle-search"')

    wrong = client.get("/circles/?near=Nowhere+Special+Zzz")
    assert wrong.status_code == 400
    assert '<details class="filters" open>' in wrong.content.decode()


@pytest.mark.django_db
def test_a_search_in_place_brings_its_new_line(client) -> None:
    CircleFactory()
    html = client.get("/circles/?day=mon", headers={"HX-Request": "true"}).content.decode()
    assert '<span id="search-summary" hx-swap-oob="innerHTML">Monday</span>' in html
