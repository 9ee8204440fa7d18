"""A list's page links keep its filters exactly: every value from a query string is URL-encoded.

Tried: a search with `&`, `=`, `#`, `+`, `%` and Latvian letters, followed page by page through the
public activity list's "next" links, beside activities that match only part of the search."""

import html
import re
from datetime import date

import pytest

from strategy.models import ActivityType
from strategy.workflow import Status
from tests import factories


def next_link(page):
    found = re.search(r'<a href="([^"]*)" rel="next">', page)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("search", ["Talka & koncerts", "Talka #2 = 50% + ēdiens"])
def test_every_page_of_a_search_holds_only_what_was_searched(client, strategy, search):
    lag, kind = factories.lag(), ActivityType.objects.first() or factories.activity_type()
    for n in range(30):
        factories.activity(
            lag=lag,
            activity_type=kind,
            title_lv=f"{search} {n}",
            start_date=date(2024, 1, 1 + n),
            status=Status.APPROVED,
        )
        # unrelated ones that a search cut at "&", "#" or "+" would also find
        factories.activity(
            lag=lag,
            activity_type=kind,
            title_lv=f"Talka {n}",
            start_date=date(2024, 3, 1 + n),
            status=Status.APPROVED,
        )

    seen = []
    response = client.get("/lv/activities/", {"q": search})
    while True:
        assert response.status_code == 200
        seen += [activity.title_lv for activity in response.context["page"].object_list]
        link = next_link(response.content.decode())
        if link is None:
            break
        response = client.get(f"/lv/activities/{link}")

    assert sorted(seen) == sorted(f"{search} {n}" for n in range(30))
