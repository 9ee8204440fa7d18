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
def fast_password_hashing(settings):
    """Factories create many users; the production hasher's deliberate slowness only slows tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
