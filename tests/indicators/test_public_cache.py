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


def test_a_gzipped_answer_does_not_change_the_page_the_next_visitor_gets(client, strategy):
    plain = client.get("/lv/indicators/")
    zipped = client.get("/lv/indicators/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped.headers["Content-Encoding"] == "gzip"
    again = client.get("/lv/indicators/")
    assert "Content-Encoding" not in again.headers
    assert again.content == plain.content


def test_a_change_made_by_another_server_process_is_seen_at_once(client, strategy):
    """Each process keeps the pages it served, under the data version read from the shared cache on
    every request: another process's write (a new version there) is the next request's page."""
    from django.core.cache import cache

    from partners import public_cache

    client.get("/lv/indicators/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/lv/indicators/")
    assert len(queries) == 0
    cache.set(public_cache.VERSION_KEY, "written-by-another-process", None)  # no signal in this process
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/lv/indicators/").status_code == 200
    assert len(queries) > 0  # rendered again


def test_each_process_keeps_only_its_most_recently_used_pages(monkeypatch, rf, db):
    from django.http import HttpResponse

    from partners import public_cache

    monkeypatch.setattr(public_cache, "NEAR_ENTRIES", 3)
    rendered = []

    def view(request):
        rendered.append(request.path)
        response = HttpResponse(f"page {request.path}")
        response.public_page = True
        return response

    middleware = public_cache.PublicPageMiddleware(view)
    for n in range(5):
        assert middleware(rf.get(f"/lv/p{n}/")).content == f"page /lv/p{n}/".encode()
    assert len(middleware.near) == 3
    assert middleware(rf.get("/lv/p4/")).content == b"page /lv/p4/"  # kept here
    assert middleware(rf.get("/lv/p0/")).content == b"page /lv/p0/"  # from the shared cache
    assert rendered == [f"/lv/p{n}/" for n in range(5)]  # neither rendered again
    assert len(middleware.near) == 3
