import pytest

from assignments.models import User


@pytest.fixture
def admin_user(db):
    existing = User.objects.filter(username="quantri", is_superuser=True).first()
    return existing or User.objects.create_superuser(
        username="quantri", password="x-test-password", role=User.Role.ADMIN
    )


@pytest.fixture
def coordinator(db):
    return User.objects.create_user(
        username="dieuphoi", password="x-test-password", role=User.Role.COORDINATOR
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    # Background work runs at once in tests; production uses the database queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    # Cached values (today's coordinating body) must not leak from one test's data to another.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="module")
def demo_story(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo, the world of 2024 and its story to today, loaded once for a test
    module (it takes seconds); each test's changes are rolled back, and the demo with them at
    the end of the module. Tests ask for it through ``demo_world``; since the demo stays
    until the module ends, a module that uses it should use it in every test."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    private = tmp_path_factory.mktemp("private")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PRIVATE_MEDIA_ROOT=private,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        call_command("seed_demo", force=True, verbosity=0)
        yield private
        transaction.set_rollback(True)


@pytest.fixture
def demo_world(demo_story, db, settings):
    settings.PRIVATE_MEDIA_ROOT = demo_story
