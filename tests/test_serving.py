"""How the application is served: gunicorn's settings file, and the launcher of `make run` and
`make serve`, which stops the server and the worker it started and no other process."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"


def gunicorn_settings(**env):
    """The settings gunicorn would run with, read from deploy/gunicorn.conf.py."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    result = subprocess.run(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--print-config"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))


def test_gunicorn_takes_its_workers_from_the_cores_and_listens_on_loopback():
    # Empty values (they win over a developer's .env) mean the defaults.
    config = gunicorn_settings(GUNICORN_BIND="", GUNICORN_WORKERS="", GUNICORN_TIMEOUT="")
    assert config["wsgi_app"] == "ketnghia.wsgi:application"
    assert config["workers"] == str(2 * len(os.sched_getaffinity(0)) + 1)
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["accesslog"] == "-"
    assert int(config["timeout"]) >= 30
    assert config["control_socket_disable"] == "True"


def test_gunicorn_settings_can_be_changed_from_the_environment():
    config = gunicorn_settings(
        GUNICORN_WORKERS="3", GUNICORN_BIND="127.0.0.1:9100", GUNICORN_TIMEOUT="90"
    )
    assert config["workers"] == "3"
    assert config["bind"] == "['127.0.0.1:9100']"
    assert config["timeout"] == "90"


def children(pid):
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def living_members(group):
    """Processes of a process group that have not exited (zombies aside)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _parent, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(process_group) == group and state != "Z":
                members.append(int(stat.parent.name))
    return members


def test_the_launcher_stops_its_server_and_its_worker_and_no_other_process(tmp_path):
    # Another checkout's worker on the same machine, which the old `pkill -f` would have hit.
    other_worker = subprocess.Popen(
        ["bash", "-c", 'exec -a "python manage.py db_worker --max-tasks 20" sleep 60']
    )
    env = {**os.environ, "DEBUG": "True", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    # The queue's table only, so that the worker runs (and waits for work) instead of failing.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "django_tasks_database", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    launcher = subprocess.Popen(
        ["scripts/with-worker.sh", "sleep", "60"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    loop = None
    try:
        # The launcher's two children: the server, and the worker loop in a session of its own,
        # whose group holds the loop and, once started, its db_worker.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            started = children(launcher.pid)
            loops = [pid for pid in started if os.getsid(pid) == pid]
            if len(started) == 2 and len(loops) == 1 and len(living_members(loops[0])) == 2:
                break
            time.sleep(0.1)
        (loop,) = loops
        assert len(living_members(loop)) == 2

        os.kill(launcher.pid, signal.SIGTERM)

        assert launcher.wait(timeout=30) == 143
        assert living_members(launcher.pid) == []  # the server, started in the launcher's group
        assert living_members(loop) == []  # the worker loop and its db_worker
        assert other_worker.poll() is None
    finally:
        for group in (launcher.pid, loop):
            if group:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
        launcher.wait()
        other_worker.kill()
        other_worker.wait()
