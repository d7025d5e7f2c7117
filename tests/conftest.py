import pytest

from assignments.models import User


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(
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
