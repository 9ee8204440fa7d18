"""PublicPageMiddleware: a repeated anonymous GET of a public page is answered from the cache before the
rest of the middleware stack, with the same headers, and never after the data changed."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from strategy.workflow import Status
from tests import factories

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Content-Type")


def test_repeated_public_page_is_served_without_queries_and_with_the_same_headers(client, strategy):
    first = client.get("/lv/indicators/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/lv/indicators/")
    assert len(queries) == 0
    assert second.content == first.content
    assert {h: second.headers.get(h) for h in HEADERS} == {h: first.headers.get(h) for h in HEADERS}
    assert second.headers["Content-Language"] == "lv"
    assert client.get("/en/indicators/").headers["Content-Language"] == "en"


def test_middleware_cache_shows_an_approval_immediately(client, strategy):
    activity = factories.activity(title_lv="Jauna talka", status=Status.SUBMITTED)
    assert "Jauna talka" not in client.get("/lv/activities/").content.decode()
    assert "Jauna talka" not in client.get("/lv/activities/").content.decode()
    activity.status = Status.APPROVED
    activity.save()
    assert "Jauna talka" in client.get("/lv/activities/").content.decode()


def test_a_visitor_with_a_session_goes_through_the_whole_stack(client, strategy):
    from django.core.cache import cache

    client.get("/lv/indicators/")
    assert any(key.startswith(":1:ddkc:final:") for key in cache._cache)  # locmem: the finished page
    staff = factories.user(is_staff=True)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/lv/indicators/").status_code == 200
    assert len(queries) > 0  # session and user are read: not answered by the middleware
