"""The register of outgoing documents: numbers from 01 each year per issuing body, one
sequence across kinds, never reused; numbers typed by hand; the register page and its export."""

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from openpyxl import load_workbook

from assignments.models import Agency, Directive
from reports import documents, register
from reports.models import IssuedDocument, OutgoingNumber
from tests.reports.conftest import agency_of, make_submitted_report

pytestmark = pytest.mark.django_db
D = dt.date


def issue(kind, parameters, user, **overrides):
    fields = documents.default_fields(kind, overrides.get("issued_on", D(2024, 11, 15)))
    fields.update(issued_on=D(2024, 11, 15), signer_name="Nguyễn Văn Bình")
    fields.update(overrides)
    for name in ("issuer", "parent_body"):
        fields.pop(name, None)  # from the issuing body, never typed
    return documents.document_issue(kind=kind, parameters=parameters, by=user, **fields)


def test_each_body_numbers_from_01_each_year_across_kinds(
    coordinator_user, reporter, march_deadline
):
    first = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    letter = issue(
        "reminder_letter",
        {"deadline": march_deadline.pk, "reply_by": "2024-12-01"},
        coordinator_user,
        drafting_unit="VP",
    )
    third = issue(
        "review",
        {
            "directive": Directive.objects.get(number="345/UBND-NC").pk,
            "first_year": 2024,
            "last_year": 2024,
        },
        coordinator_user,
    )
    assert [first.number, letter.number, third.number] == ["01/BC-BDT", "02/BDT-VP", "03/BC-BDT"]
    next_year = issue(
        "consolidated", {"deadline": march_deadline.pk}, coordinator_user, issued_on=D(2025, 1, 5)
    )
    assert next_year.number == "01/BC-BDT"
    # An agency's report carries the agency's own number, whoever issues it.
    own = issue(
        "agency_report",
        {"report": make_submitted_report(reporter, march_deadline).pk},
        coordinator_user,
    )
    assert own.number == "01/BC-SVHTTDL" and own.issuing_agency == agency_of(reporter)
    assert own.issuer == "Sở Văn hóa, Thể thao và Du lịch"
    entry = own.register_entry
    assert (entry.issuer, entry.year, entry.kind) == (agency_of(reporter), 2024, "Báo cáo")


def test_a_number_typed_by_hand_takes_its_place_and_is_refused_twice(
    coordinator_user, march_deadline
):
    typed = issue(
        "consolidated", {"deadline": march_deadline.pk}, coordinator_user, number="15/BC-BDT"
    )
    assert typed.number == "15/BC-BDT" and typed.register_entry.typed
    assert (
        issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user).number
        == "16/BC-BDT"
    )
    before = IssuedDocument.objects.count()
    with pytest.raises(ValidationError) as refused:
        issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user, number="15/BC-BDT")
    assert "đã được" in refused.value.messages[0] and "15" in refused.value.messages[0]
    assert IssuedDocument.objects.count() == before  # nothing kept
    with pytest.raises(ValidationError) as malformed:
        issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user, number="BC 15")
    assert "15/BC-SDTTG" in malformed.value.messages[0]


def test_a_number_is_never_given_again_and_a_reissue_takes_a_new_one(
    coordinator_user, march_deadline
):
    first = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    second = issue(
        "consolidated", {"deadline": march_deadline.pk}, coordinator_user, supersedes=first
    )
    assert (first.number, second.number) == ("01/BC-BDT", "02/BC-BDT")
    assert second.supersedes == first
    entry = second.register_entry
    second.delete()
    entry.refresh_from_db()
    assert entry.document is None  # the line stays in the register
    third = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    assert third.number == "03/BC-BDT"


def test_abbreviations_and_symbols():
    body = Agency(name="Sở Dân tộc và Tôn giáo")
    assert register.abbreviation(body) == "SDTTG"
    assert register.abbreviation(Agency(name="Ban Dân tộc tỉnh")) == "BDT"
    assert register.abbreviation(Agency(name="X", short_name="BDT")) == "BDT"
    assert register.symbol("Báo cáo", body) == "BC-SDTTG"
    assert register.symbol("Công văn", body, "VP") == "SDTTG-VP"
    assert register.symbol("Kế hoạch", body) == "KH-SDTTG"
    assert register.parse(" 7 / SDTTG-VP ") == (7, "SDTTG-VP")


def test_the_register_page_lists_exports_and_enters_numbers(
    client, coordinator_user, reporter, march_deadline
):
    issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    issue(
        "reminder_letter",
        {"deadline": march_deadline.pk, "reply_by": "2024-12-01"},
        coordinator_user,
        drafting_unit="VP",
    )
    body = Agency.objects.get(name="Ban Dân tộc tỉnh")
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:register"), {"issuer": body.pk, "year": 2024})
    assert [e.number for e in page.context["entries"]] == ["01/BC-BDT", "02/BDT-VP"]
    # A letter typed in Word is entered by hand: the next number, then a typed one.
    entered = client.post(
        f"{reverse('reports:register')}?issuer={body.pk}",
        {
            "issuer": body.pk,
            "issued_on": "20/11/2024",
            "kind": "Giấy mời",
            "subject": "Mời dự lễ kết nghĩa",
            "number": "",
        },
    )
    assert entered.status_code == 302
    assert OutgoingNumber.objects.get(subject="Mời dự lễ kết nghĩa").number == "03/GM-BDT"
    duplicate = client.post(
        reverse("reports:register"),
        {
            "issuer": body.pk,
            "issued_on": "21/11/2024",
            "kind": "Công văn",
            "subject": "Trùng số",
            "number": "02/BDT-VP",
        },
    )
    assert duplicate.status_code == 200 and "đã được" in duplicate.content.decode()
    assert not OutgoingNumber.objects.filter(subject="Trùng số").exists()

    export = client.get(
        reverse("reports:register"), {"issuer": body.pk, "year": 2024, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].value == "Số, ký hiệu" and sheet.column_dimensions["C"].width >= 40
    numbers = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert numbers == ["01/BC-BDT", "02/BDT-VP", "03/GM-BDT"]
    assert sheet["B3"].number_format == "DD/MM/YYYY"


def test_a_reporter_sees_and_keeps_only_the_register_of_its_agency(
    client, coordinator_user, reporter, march_deadline
):
    issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    issue(
        "agency_report",
        {"report": make_submitted_report(reporter, march_deadline).pk},
        coordinator_user,
    )
    client.force_login(reporter)
    page = client.get(reverse("reports:register"))
    assert [e.number for e in page.context["entries"]] == ["01/BC-SVHTTDL"]
    body = Agency.objects.get(name="Ban Dân tộc tỉnh")
    assert client.get(reverse("reports:register"), {"issuer": body.pk}).status_code == 404
    refused = client.post(
        reverse("reports:register"),
        {
            "issuer": body.pk,
            "issued_on": "20/11/2024",
            "kind": "Công văn",
            "subject": "Không được phép",
        },
    )
    assert refused.status_code == 200
    assert not OutgoingNumber.objects.filter(subject="Không được phép").exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes one writer at a time (tests/test_sqlite_concurrency.py)",
)
def test_clerks_issuing_at_once_never_get_the_same_number(transactional_db):
    from assignments.models import User
    from tests.factories import make_agency

    user = User.objects.create_user("vanthu", role=User.Role.COORDINATOR)
    body = make_agency("Ban Dân tộc tỉnh", short_name="BDT", is_coordinating_body=True)
    start = threading.Barrier(8)
    numbers, errors = [], []

    def clerk(index):
        try:
            start.wait()
            entry = register.take(
                issuer=body,
                issued_on=D(2024, 5, 1),
                legal_kind="Công văn",
                subject=f"Công văn {index}",
                by=user,
                drafting_unit="VP",
            )
            numbers.append(entry.sequence)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 9))
    # And a number typed twice at once is taken by one clerk only.
    outcomes = []

    def typist():
        try:
            start_typed.wait()
            register.take(
                issuer=body,
                issued_on=D(2024, 5, 2),
                legal_kind="Công văn",
                subject="Số nhập tay",
                by=user,
                typed="50/BDT-VP",
            )
            outcomes.append("taken")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    start_typed = threading.Barrier(4)
    threads = [threading.Thread(target=typist) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "taken"]
