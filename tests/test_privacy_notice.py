"""The privacy notice (LV/EN) says what the portal stores, why, who sees it and for how long, and every
public page's footer and the admin's login page link to it.

Tried: the notice in both languages; the footer of the home page, the activity list, the strategy
page and an error page; the admin login page."""

import pytest

SECTIONS = {
    "lv": ["Ko portāls glabā", "Kāpēc", "Kas to redz", "Cik ilgi", "Jūsu tiesības"],
    "en": ["What the portal stores", "Why", "Who sees it", "For how long", "Your rights"],
}
TITLE = {"lv": "Privātuma paziņojums", "en": "Privacy notice"}


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_notice_says_what_why_who_and_how_long_in_the_pages_language(client, db, language):
    response = client.get(f"/{language}/privacy/")
    page = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>{TITLE[language]}</h1>" in page
    assert [f"<h2>{section}</h2>" in page for section in SECTIONS[language]] == [True] * 5


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("path", ["", "activities/", "strategy/", "nav-tadas-lapas/"])
def test_every_public_pages_footer_links_to_the_notice(client, strategy, language, path):
    page = client.get(f"/{language}/{path}").content.decode()
    footer = page.split('<footer class="site-footer">', 1)[1]

    assert f'<a href="/{language}/privacy/">{TITLE[language]}</a>' in footer


def test_the_admin_login_page_links_to_the_notice(client, db):
    page = client.get("/admin/login/").content.decode()

    assert '<a href="/lv/privacy/">Privātuma paziņojums</a>' in page


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("lv", "nosūtītās vēstules portāls dzēš pēc 90 dienām"),
        ("en", "the portal deletes sent e-mails after 90 days"),
    ],
)
def test_the_notice_says_how_long_sent_emails_are_kept(client, db, language, sentence):
    assert sentence in client.get(f"/{language}/privacy/").content.decode()
