"""A request for a host the portal does not serve is refused (400) before any cached page is read:
the cache must not answer for ``Host: evil.example`` what the view itself would refuse."""

import pytest

EVIL = "evil.example"


@pytest.mark.parametrize("url", ["/lv/", "/en/", "/lv/activities/"])
def test_an_unknown_host_is_refused_for_an_uncached_public_page(client, strategy, url):
    assert client.get(url, HTTP_HOST=EVIL).status_code == 400


@pytest.mark.parametrize("url", ["/lv/", "/en/", "/lv/activities/"])
def test_an_unknown_host_is_refused_for_a_cached_public_page(client, strategy, url):
    first = client.get(url)
    assert first.status_code == 200
    # The page is now in the cache: the same request is answered from there…
    assert client.get(url).content == first.content
    # …but not for a host the portal does not serve.
    assert client.get(url, HTTP_HOST=EVIL).status_code == 400
