import pytest
from django.utils.html import escape

from partners.models import LAG
from strategy.models import Strategy


def test_root_redirects_to_latvian_by_default(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "/lv/"


def test_root_keeps_a_chosen_language(client, db):
    client.cookies["django_language"] = "en"
    assert client.get("/")["Location"] == "/en/"


@pytest.mark.parametrize("language", ["lv", "en"])
def test_home_shows_vision_mission_priorities_and_lags(client, strategy, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    page = response.content.decode()
    row = Strategy.objects.get()
    assert f'<html lang="{language}">' in page
    assert escape(getattr(row, f"vision_{language}")) in page
    assert escape(getattr(row, f"mission_{language}")) in page
    for priority in row.priorities.all():
        assert escape(getattr(priority, f"title_{language}")) in page
    for lag in LAG.objects.all():
        assert escape(getattr(lag, f"name_{language}")) in page


def test_home_links_the_same_page_in_the_other_language(client, strategy):
    page = client.get("/lv/").content.decode()
    assert 'href="/en/"' in page


def test_admin_speaks_latvian_whatever_the_browser_asks(client, db):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="lv"' in response.content.decode()
