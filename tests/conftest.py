import pytest
from django.core.management import call_command


@pytest.fixture
def strategy(db):
    """The real strategy content, as `make run` loads it."""
    from strategy.models import Strategy

    call_command("load_strategy", verbosity=0)
    return Strategy.objects.current()


@pytest.fixture
def demo(strategy):
    call_command("load_demo", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_public_cache_and_language():
    """Each test starts with an empty public cache (pages are cached under a data version) and in
    Latvian: the test client leaves the last request's language active in the thread."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories create many users; the production hasher's deliberate slowness only slows tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_open_data_folder(settings, tmp_path_factory):
    """The open-data files are stored on disk per data version: each test gets a folder of its own."""
    settings.OPEN_DATA_ROOT = tmp_path_factory.mktemp("open-data")
