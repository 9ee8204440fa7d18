"""The API keeps the promises of its OpenAPI schema: schemathesis generates requests from /api/v1/schema/
(every operation, its parameters within and at the edges of their declared shapes) and sends them to the
WSGI application. No answer is a server error, and every answer — status code, content type, headers,
body — is one the schema declares."""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ddkc.wsgi import application
from strategy.workflow import Status
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# the host schemathesis' WSGI client sends
HOSTS = ["localhost"]

# Loaded when the module is collected, from the application itself (its schema needs no database);
# schemathesis' from_fixture does not run under pytest 9.
with override_settings(ALLOWED_HOSTS=HOSTS):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the WSGI application itself, not Django's test client: each request's end would
    close the database connection the test's transaction runs on (PostgreSQL; SQLite's in-memory database
    ignores it). Disconnected as the test client does for its own requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def api_data(strategy, settings):
    # every generated request is one client's: no throttle in the way
    settings.API_ANON_RATE = "100000/minute"
    settings.ALLOWED_HOSTS = HOSTS
    lag = factories.lag(slug="kaimini-test")
    for status in Status.values:
        activity = factories.activity(lag=lag, status=status, title_en="Clean-up")
        factories.funding_line(activity=activity)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_api_answers_match_their_schema(case):
    # identity: schemathesis' WSGI client does not undo the gzip GZipMiddleware applies
    case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})
