"""The project's frame: health check, language, formats, production settings."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import formats, timezone, translation

BASE_DIR = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_database(client):
    # An outage is simulated at the one point the view touches the database.
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed")):
        response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_pages_are_in_vietnamese_by_default_even_for_an_english_browser(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.django_db
def test_english_remains_available_by_choice(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/admin/login/")
    assert response.headers["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_dates_and_numbers_use_vietnamese_formats():
    with translation.override("vi"):
        assert formats.date_format(dt.date(2024, 3, 25), "SHORT_DATE_FORMAT") == "25/03/2024"
        assert formats.number_format(1234567, force_grouping=True) == "1.234.567"


def test_the_time_zone_is_vietnams():
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    noon_utc = dt.datetime(2024, 3, 24, 17, 30, tzinfo=dt.UTC)
    assert timezone.localtime(noon_utc).date() == dt.date(2024, 3, 25)


def test_the_vietnamese_catalogue_is_compiled_and_complete():
    po = BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists()
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1, "run `make messages` to compile"
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') and "msgid" in e]
    assert untranslated == []
    assert "#, fuzzy" not in text


def catalogue_ids(po_file):
    """The msgids of a .po file (contexts aside)."""
    ids, current, key = set(), [], None
    for line in po_file.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgctxt ")):
            if key == "msgid":
                ids.add("".join(current))
            key, current = line.split(" ", 1)[0], [line.split(" ", 1)[1].strip('"')]
        elif line.startswith('"') and key in ("msgid", "msgctxt"):
            current.append(line.strip('"'))
        elif line.startswith(("msgstr", "msgid_plural")):
            if key == "msgid":
                ids.add("".join(current))
            key = None
    return ids


def test_every_message_of_the_code_is_in_the_catalogue(tmp_path):
    """A user-facing text added without its Vietnamese translation would show in English."""
    import shutil

    for name in ("assignments", "reports", "ketnghia", "templates", "locale", "manage.py"):
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "vi", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
        env={**os.environ, "DEBUG": "True"},
    )
    catalogue = BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    missing = catalogue_ids(fresh) - catalogue_ids(catalogue)
    assert missing == set(), "run `make messages` and translate the new entries"


def test_production_settings_pass_the_deployment_checks():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "False",
        "SECRET_KEY": "a-long-random-test-secret-key-with-enough-characters-0123456789",
        "ALLOWED_HOSTS": "ketnghia.example.vn",
        # The production values, whatever a local trial of `make serve` put in .env.
        "SECURE_SSL_REDIRECT": "True",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_loopback_trial_may_turn_off_the_https_redirect_and_secure_cookies():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "False",
        "SECRET_KEY": "a-long-random-test-secret-key-with-enough-characters-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # Allowed, and `check --deploy` says what production would lack.
    for warning in ("security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_a_missing_page_answers_in_vietnamese_without_details(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_server_error_page_is_vietnamese_and_shows_no_traceback(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi hệ thống" in content
    assert "Traceback" not in content
