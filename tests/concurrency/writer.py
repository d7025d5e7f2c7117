"""One writer of the SQLite concurrency test, run in its own process:
`python -m tests.concurrency.writer KIND SECONDS`. It writes through the services, as the
pages do, for SECONDS, and exits non-zero on the first error."""

import datetime as dt
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnghia.settings")

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402

from assignments.models import Agency, Assignment, ReportingDeadline, User  # noqa: E402
from reports import documents, services  # noqa: E402
from reports.tasks import render_document  # noqa: E402
from tests.pdfs import make_pdf  # noqa: E402


def activities(user, agency):
    assignment = Assignment.objects.filter(agency=agency).first()
    services.activity_record(
        assignment=assignment,
        by=user,
        date=dt.date(2024, 6, 1),
        kind="gifts",
        description="Tặng quà (thử ghi đồng thời)",
        cash_budget_vnd=1_000_000,
        goods=[{"item": "gạo", "quantity": 10, "unit": "kg", "weight_kg": 10, "value_vnd": 1}],
    )


def drafts(user, agency):
    deadline = ReportingDeadline.objects.get(
        due_date=dt.date(2024, 11, 10), rule__reporter="agencies"
    )
    report = services.report_for(deadline=deadline, agency=agency)
    services.report_save(
        report=report,
        by=user,
        fields={"results": f"Bản nháp lúc {time.monotonic()}"},
        scan=ContentFile(make_pdf(), name="scan.pdf"),
    )


def issues(user, agency):
    fields = documents.default_fields("reminder_letter")
    fields.update(signer_name="Người ký")  # numbered by the register, one after another
    deadline = ReportingDeadline.objects.get(
        due_date=dt.date(2024, 3, 25), rule__reporter="agencies"
    )
    document = documents.document_issue(
        kind="reminder_letter",
        parameters={"deadline": deadline.pk, "reply_by": "2024-04-05"},
        by=user,
        **fields,
    )
    render_document.enqueue(document.pk)


KINDS = {"activities": activities, "drafts": drafts, "issues": issues}


def main(kind, seconds):
    user = User.objects.get(username="vhttdl" if kind != "issues" else "dieuphoi")
    agency = Agency.objects.get(name="Sở Văn hóa, Thể thao và Du lịch")
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        KINDS[kind](user, agency)
        done += 1
    print(f"{kind}: {done} writes")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
