"""No English on the administration's pages that come from libraries (login attempts,
background tasks, history, import and export), nor in the change log; exported files are
named in Vietnamese with the local date, a .csv opens in Excel with its accents, and dates
are written dd/mm/yyyy."""

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import axes
import import_export
import pytest
import simple_history
from django.apps import apps
from django.contrib import admin as django_admin
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assignments.models import Assignment

LIBRARIES = [Path(m.__file__).parent for m in (axes, import_export, simple_history)]


def library_msgids():
    """The single-line msgids of the libraries' catalogues (their German one lists them all)."""
    found = set()
    for root in LIBRARIES:
        for po in root.glob("locale/de/LC_MESSAGES/django.po"):
            found.update(re.findall(r'^msgid "(.+)"$', po.read_text(), flags=re.M))
    found = {m for m in found if re.search(r"[A-Za-z]{3}", m) and "%" not in m and "{" not in m}
    return found | {m[0].upper() + m[1:] for m in found}  # as the admin shows names, capfirst


class Texts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "pre", "code", "textarea"):
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label") and value:
                self.texts.append(value.strip())
            if name == "value" and tag == "input" and ("type", "submit") in attrs:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code", "textarea"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(data.strip().rstrip(":").strip())


def english_on(html, msgids):
    parser = Texts()
    parser.feed(html)
    return sorted({t for t in parser.texts if t in msgids})


@pytest.fixture
def some_history(superuser, reporter):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessAttempt.objects.create(
        username="ai-do", ip_address="10.0.0.1", user_agent="x", failures_since_start=3
    )
    AccessLog.objects.create(username="vhttdl", ip_address="10.0.0.2", user_agent="x")
    AccessFailureLog.objects.create(username="ai-do", ip_address="10.0.0.1", user_agent="x")


ADMIN_PAGES = [
    "admin:axes_accessattempt_changelist",
    "admin:axes_accesslog_changelist",
    "admin:axes_accessfailurelog_changelist",
    "admin:django_tasks_database_dbtaskresult_changelist",
    "admin:assignments_assignment_changelist",
    "admin:assignments_assignment_import",
    "admin:assignments_assignment_export",
    "admin:index",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_libraries_admin_pages_speak_vietnamese(client, superuser, some_history, name):
    """Fails until the catalogue holds ketnghia/third_party_messages.py's translations."""
    client.force_login(superuser)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert english_on(response.content.decode(), library_msgids()) == []


def test_the_history_pages_speak_vietnamese(client, superuser):
    """Fails until the catalogue holds ketnghia/third_party_messages.py's translations."""
    assignment = Assignment.objects.first()
    record = assignment.history.first()
    client.force_login(superuser)
    for url in (
        reverse("admin:assignments_assignment_history", args=[assignment.pk]),
        reverse(
            "admin:assignments_assignment_simple_history",
            args=[assignment.pk, record.history_id],
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_on(response.content.decode(), library_msgids()) == [], url


def test_the_change_log_says_created_in_vietnamese(client, coordinator_user, reporter):
    """Fails until the catalogue holds the translation of "Created"."""
    from tests.reports.conftest import record_activity

    record_activity(reporter)
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log"), {"kind": "reports.activity"})
    assert "Tạo mới" in page.content.decode()


# --- Exports -------------------------------------------------------------------------------------


def export(client, superuser, file_format, model="assignment"):
    """The admin's export of every row and column of ``model``'s list."""
    from import_export.formats import base_formats

    admin = django_admin.site._registry[apps.get_model("assignments", model)]
    resource = admin.get_export_resource_classes(None)[0]
    index = [base_formats.XLSX, base_formats.CSV].index(getattr(base_formats, file_format))
    data = {"format": str(index), "resource": "0"}
    for field in resource().get_user_visible_fields():
        data[f"{resource.__name__.lower()}_{field.attribute}"] = "on"
    client.force_login(superuser)
    return client.post(reverse(f"admin:assignments_{model}_export"), data)


def test_an_exported_list_is_named_in_vietnamese_with_the_local_date(client, superuser):
    response = export(client, superuser, "XLSX")
    assert response.status_code == 200
    today = timezone.localdate().strftime("%d-%m-%Y")
    disposition = response["Content-Disposition"]
    assert re.search(rf'filename="[a-z0-9-]+-{today}\.xlsx"', disposition), disposition
    assert "Assignment" not in disposition


def test_a_csv_export_starts_with_a_byte_order_mark(client, superuser):
    response = export(client, superuser, "CSV", "directive")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert ".csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    dates = [c for row in rows[1:] for c in row if re.fullmatch(r"[\d/-]{8,10}", c)]
    assert dates and all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", d) for d in dates), dates


def test_an_xlsx_export_shows_its_dates_day_first(client, superuser):
    response = export(client, superuser, "XLSX", "directive")
    sheet = load_workbook(io.BytesIO(response.content)).active
    dated = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, dt.date)]
    assert dated
    assert {c.number_format for c in dated} <= {"DD/MM/YYYY", "DD/MM/YYYY HH:MM"}
