"""What the benchmark scripts share: Django set-up against a throwaway database, and a
query counter. Import it first: it configures Django."""

import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_ketnghia")  # apart from the suite's

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


@contextlib.contextmanager
def throwaway_database():
    """A fresh test database on the DATABASE_URL server, dropped afterwards. On SQLite a
    file beside the configured one (as production runs: write-ahead log, busy timeout), not
    the in-memory database of the tests."""
    setup_test_environment()
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        connection.settings_dict["TEST"]["NAME"] = str(name.with_name(f"bench_{name.name}"))
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def counted(action):
    """Run ``action``; return its result, the seconds it took and the queries it made."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = action()
        return result, time.perf_counter() - start, count


def analyze():
    """Refresh the planner's statistics after seeding: autovacuum is off on these machines,
    and without statistics PostgreSQL plans a freshly filled table as if it were empty."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
