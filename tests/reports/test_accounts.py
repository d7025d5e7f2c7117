"""Login, lockout, password reset, the security headers and the interface's frame."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from ketnghia.network import client_ip

pytestmark = pytest.mark.django_db


def login(client, username, password, address="203.0.113.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_user_logs_in_and_lands_on_the_page_of_the_role(client, reporter):
    response = login(client, "vhttdl", "ketnghia-demo")
    assert response.status_code == 302
    page = client.get(response.url, follow=True)
    assert "Sở Văn hóa, Thể thao và Du lịch" in page.content.decode()


def test_every_page_needs_a_login(client, demo):
    response = client.get(reverse("reports:report_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_repeated_failures_lock_the_username_from_that_address(client, reporter, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "vhttdl", "wrong")
    locked = login(client, "vhttdl", "ketnghia-demo")
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    # The same user from another address, and another user, are not locked.
    assert login(client, "vhttdl", "ketnghia-demo", address="198.51.100.7").status_code == 302
    client.logout()
    assert login(client, "noivu", "ketnghia-demo").status_code == 302


def test_the_client_address_behind_a_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.9"  # what our proxy saw; 1.2.3.4 may be forged
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"


def test_password_reset_sends_a_vietnamese_email(client, reporter):
    response = client.post(reverse("password_reset"), {"email": reporter.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "mật khẩu" in mail.outbox[0].subject.lower()
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_change(client, reporter):
    client.force_login(reporter)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "ketnghia-demo",
            "new_password1": "Lang-Dip-2024!x",
            "new_password2": "Lang-Dip-2024!x",
        },
    )
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert reporter.check_password("Lang-Dip-2024!x")


def test_pages_send_a_content_security_policy_without_inline_scripts(client, reporter):
    client.force_login(reporter)
    response = client.get(reverse("reports:activity_list"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_no_template_has_an_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    offenders = []
    root = Path(settings.BASE_DIR) / "templates"
    for path in root.rglob("*.html"):
        if path.is_relative_to(root / "pdf"):
            continue  # rendered by WeasyPrint into PDFs, never served to a browser
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or " style=" in text or "<style" in text:
            offenders.append(str(path))
    assert offenders == []


def test_static_files_are_served_by_the_app(client, reporter):
    from django.contrib.staticfiles import finders

    assert finders.find("js/htmx.min.js")
    assert finders.find("css/app.css")


def test_lists_are_paginated(client, coordinator_user, reporter):
    from tests.reports.conftest import record_activity

    for _ in range(30):
        record_activity(reporter)
    client.force_login(coordinator_user)
    first = client.get(reverse("reports:activity_list"))
    assert len(first.context["page"].object_list) == 25
    assert "Trang 1/2" in first.content.decode()
    second = client.get(reverse("reports:activity_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize(
    "name",
    [
        "reports:activity_list",
        "reports:report_list",
        "reports:review_queue",
        "agency_list",
        "village_list",
        "reports:extension_list",
        "reports:deadline_list",
    ],
)
def test_list_queries_do_not_grow_with_the_rows(
    client, coordinator_user, reporter, march_deadline, name, django_assert_max_num_queries
):
    from tests.reports.conftest import make_submitted_report, record_activity

    client.force_login(coordinator_user)
    make_submitted_report(reporter, march_deadline)
    record_activity(reporter)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse(name))
    for _ in range(20):
        record_activity(reporter)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))
