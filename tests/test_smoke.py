from django.test import Client
from django.utils.html import escape


def test_crisis_page_is_reachable_and_names_the_configured_line(client: Client, settings) -> None:
    response = client.get("/crisis/")
    assert response.status_code == 200
    assert escape(settings.CRISIS_LINE_TEXT) in response.content.decode()
