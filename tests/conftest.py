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
def _fresh_public_cache():
    """Each test starts with an empty public cache (pages are cached under a data version)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
