"""The embedded default holds: on SQLite, the worker rendering documents and several people
writing at once never meet "database is locked" (write-ahead logging, a busy timeout and
write transactions that take their lock when they begin)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="about SQLite, the embedded default"
)


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def test_the_worker_and_several_writers_at_once_meet_no_locked_database(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "True",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "PYTHONPATH": str(BASE_DIR),
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--without-story", "-v0")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "-v0"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        writers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.concurrency.writer", kind, "8"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for kind in ("activities", "activities", "drafts", "issues", "issues")
        ]
        outcomes = [(w.wait(timeout=120), *w.communicate()) for w in writers]
        # Let the worker finish what was queued.
        time.sleep(3)
    finally:
        worker.terminate()
        _out, worker_err = worker.communicate(timeout=30)
    for code, out, err in outcomes:
        assert code == 0, err[-2000:]
        assert "writes" in out
        assert "database is locked" not in err
    assert "database is locked" not in worker_err
    rendered = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from reports.models import IssuedDocument as D;"
        "print(D.objects.filter(status='done').count(), D.objects.filter(status='failed').count())",
    )
    done, failed = map(int, rendered.stdout.split())
    assert done > 0 and failed == 0
