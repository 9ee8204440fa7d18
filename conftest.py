"""Root test configuration. The settings read the environment, so the test environment is set here,
before pytest-django sets Django up (pytest loads this file first)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddkc.settings")
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("DEBUG", "false")
# Production settings otherwise (secure cookies, HSTS off); the test client speaks plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ["CACHE_URL"] = "locmemcache://tests"
# Playwright's sync API runs an event loop in the test thread; the ORM calls beside it are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Load the settings now so that pytest-django's pytest_configure finishes setting Django up.
from django.conf import settings  # noqa: E402

settings.INSTALLED_APPS  # noqa: B018
