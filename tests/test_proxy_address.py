"""Login throttling counts the real client: X-Forwarded-For is believed only when the request comes from
the reverse proxy itself (TRUSTED_PROXIES: loopback by default, or a Unix socket). The documented setup
binds gunicorn where only the proxy reaches it, and a client that reaches gunicorn directly anyway cannot
unlock a locked-out username by forging the header."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests import factories

PASSWORD = "correct-horse-battery-staple"  # the factories' password
ATTACKER = "198.51.100.7"  # reaches gunicorn directly, not through the proxy
PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    # .env.example's production value: nginx alone in front.
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client, username, password, remote_addr, forwarded_for):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=remote_addr,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_a_forged_forwarded_for_from_outside_the_proxy_does_not_unlock_a_user(client, db, settings):
    user = factories.user()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, "wrong-password-123", ATTACKER, f"203.0.113.{n + 1}")
    # Each try claimed another address; all were counted against the one they came from.
    response = attempt(client, user.username, PASSWORD, ATTACKER, "203.0.113.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_the_proxy_the_client_address_it_appended_is_the_one_locked(client, db, settings):
    user = factories.user()
    for n in range(settings.AXES_FAILURE_LIMIT):
        # nginx appends the address it saw to whatever the client sent.
        attempt(client, user.username, "wrong-password-123", PROXY, f"10.6.6.{n}, {ATTACKER}")
    assert attempt(client, user.username, PASSWORD, PROXY, f"10.9.9.9, {ATTACKER}").status_code == 429
    # Another visitor behind the same proxy logs in as usual.
    assert attempt(client, user.username, PASSWORD, PROXY, "192.0.2.44").status_code == 302


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        (ATTACKER, "203.0.113.9", ATTACKER),  # not from the proxy: the header is the client's word
        (PROXY, "203.0.113.9", "203.0.113.9"),  # from nginx on the same machine
        ("::1", "203.0.113.9", "203.0.113.9"),
        ("", "203.0.113.9", "203.0.113.9"),  # gunicorn on a Unix socket only the proxy may open
        (PROXY, "", PROXY),  # the proxy sent none
    ],
)
def test_the_forwarded_address_is_read_only_from_a_trusted_proxy(rf, remote_addr, forwarded_for, expected):
    from ddkc.security import client_ip

    request = rf.post("/admin/login/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def test_a_proxy_on_another_host_is_trusted_once_listed(rf, settings):
    from ddkc.security import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert (
        client_ip(rf.post("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    )
    assert client_ip(rf.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")) == PROXY


def test_the_production_docs_bind_gunicorn_where_only_the_proxy_reaches_it():
    base = Path(django_settings.BASE_DIR)
    documents = {name: (base / name).read_text() for name in ("README.md", "docs/ddkc.service")}
    binds = [
        (name, bind) for name, text in documents.items() for bind in re.findall(r"--bind[ =](\S+)", text)
    ]
    assert binds, "the docs start gunicorn with --bind"
    for name, bind in binds:
        assert bind.startswith(("127.0.0.1:", "unix:", "[::1]:")), (name, bind)
    example = (base / ".env.example").read_text()
    # The setting is explained next to it: which proxies are believed.
    assert re.search(r"^TRUSTED_PROXY_COUNT=1\n(#.*\n)*TRUSTED_PROXIES=", example, re.MULTILINE)
