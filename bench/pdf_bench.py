"""Pages, seconds and queries per official document at province scale.

Builds a throwaway test database on the DATABASE_URL server, loads the demo and
`seed_demo --scale province`, issues each document (figures computed: the queries) and
renders it (WeasyPrint layout: most of the time), twice, and checks both renders give the
same text and page count. bench/list_bench.py compares the assignment list's layout with the
one it replaced, on the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ketnghia .venv/bin/python bench/pdf_bench.py
"""

import io

from common import analyze, connection, counted, throwaway_database
from django.core.management import call_command


def main():
    with throwaway_database():
        run()


def run():
    from django.db.models import Count
    from pypdf import PdfReader

    from assignments.models import (
        Agreement,
        AgreementReview,
        Assignment,
        Directive,
        ReportingDeadline,
        User,
    )
    from assignments.services import assignment_reassign
    from reports import documents
    from reports.docx import render_docx
    from reports.models import Report

    call_command("seed_demo", force=True, scale="province", verbosity=0)
    analyze()
    user = User.objects.get(username="dieuphoi")
    plan = Directive.objects.get(number__endswith="/KH-UBND-TH")
    deadline = (
        ReportingDeadline.objects.filter(
            rule__directive=plan, rule__kind="report", reports__isnull=False
        )
        .order_by("-due_date")
        .first()
    )
    report = Report.objects.filter(deadline=deadline).exclude(status="draft").first()
    # (The province's synthetic directive asks for no plan; the demo's parties plan 2026.)
    yearly_plan = Report.objects.filter(deadline__rule__kind="plan").exclude(status="draft").first()
    year = deadline.due_date.year
    pair = Assignment.objects.filter(directive=plan).order_by("pk").first()
    # A reassignment for its letter: the last pair passes to the first pair's agency.
    moved = Assignment.objects.filter(directive=plan, end_date__isnull=True).order_by("-pk")[0]
    assignment_reassign(
        assignment=moved,
        end_date=deadline.due_date,
        reason="Sáp nhập đơn vị",
        by=user,
        agency=pair.agency,
    )
    cases = [
        ("assignment list (3,000 rows)", "assignment_list", {"directive": plan.pk}),
        ("consolidated report (500 agencies)", "consolidated", {"deadline": deadline.pk}),
        ("agency's report", "agency_report", {"report": report.pk}),
        ("agency's yearly plan", "agency_plan", {"report": yearly_plan.pk}),
        ("reminder letter", "reminder_letter", {"deadline": deadline.pk, "reply_by": "2030-01-01"}),
        (
            "invitation to a ceremony",
            "invitation",
            {
                "assignment": pair.pk,
                "ceremony_at": "2030-01-15T08:00",
                "venue": "Nhà văn hóa làng",
                "participants": "Đại diện Sở Dân tộc và Tôn giáo\nĐại diện UBND xã",
            },
        ),
        ("reassignment letter", "reassignment", {"assignment": moved.pk}),
        (
            "10-year review",
            "review",
            {"directive": plan.pk, "first_year": year - 9, "last_year": year},
        ),
    ]
    # The seeds' agreements of the demo: a covenant, the programme with most contents, and
    # the report of a review.
    covenant = Agreement.objects.filter(kind="covenant").order_by("pk").first()
    programme = (
        Agreement.objects.filter(kind="programme")
        .annotate(n=Count("contents"))
        .order_by("-n", "pk")
        .first()
    )
    review = AgreementReview.objects.order_by("pk").first()
    if covenant:
        cases.append(("twinning covenant", "covenant", {"agreement": covenant.pk}))
    if programme:
        cases.append(("coordination programme", "programme", {"agreement": programme.pk}))
    if review:
        cases.append(("review of a programme", "agreement_review", {"review": review.pk}))
    print(f"database: {connection.vendor}")
    print(
        f"{'document':<36} {'pages':>5} {'figures s':>9} {'queries':>7} {'render s':>8} "
        f"{'of which .docx s':>16} {'same text':>9}"
    )
    for label, kind, parameters in cases:
        fields = documents.default_fields(kind)
        fields.update(signer_name="Nguyễn Văn Bình")  # numbered by the register
        document, figures_s, queries = counted(
            lambda kind=kind, parameters=parameters, fields=fields: documents.document_issue(
                kind=kind, parameters=parameters, by=user, **fields
            )
        )
        _, render_s, render_queries = counted(lambda document=document: documents.render(document))
        context = documents.context_of(document)
        _, docx_s, _ = counted(
            lambda document=document, context=context: render_docx(
                documents.TEMPLATES[document.kind], context
            )
        )
        with document.pdf.open("rb") as file:
            first = [p.extract_text() for p in PdfReader(io.BytesIO(file.read())).pages]
        documents.render(document)
        with document.pdf.open("rb") as file:
            second = [p.extract_text() for p in PdfReader(io.BytesIO(file.read())).pages]
        print(
            f"{label:<36} {document.pages:>5} {figures_s:>9.2f} "
            f"{queries + render_queries:>7} {render_s:>8.2f} {docx_s:>16.2f} "
            f"{first == second!s:>9}"
        )


if __name__ == "__main__":
    main()
