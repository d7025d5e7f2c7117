"""The official documents: the figures each shows (computed once, then frozen on the issued
document), their PDF and spreadsheet. Figures are plain JSON (texts, numbers, dd/mm/yyyy
dates), so a document renders the same way every time."""

import datetime as dt
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments import lifecycle
from assignments.models import Assignment, Directive, ReportingDeadline, Village

from . import tracking
from .models import Activity, IssuedDocument, Report


def _d(date):
    return date.strftime("%d/%m/%Y") if date else ""


# --- Figures ---------------------------------------------------------------------------------


def assignment_list_figures(directive):
    assignments = (
        Assignment.objects.filter(directive=directive, status__in=lifecycle.RUNNING)
        .select_related("agency", "village__commune__parent")
        .order_by("village__commune__parent__name", "agency__name", "village__name")
    )
    groups, current = [], None
    for number, a in enumerate(assignments, start=1):
        district = a.village.commune.district
        name = str(district) if district else str(a.village.commune.parent or "")
        if current is None or current["district"] != name:
            current = {"district": name, "rows": []}
            groups.append(current)
        current["rows"].append(
            [
                number,
                a.agency.name,
                str(a.village),
                str(a.village.commune),
                name,
                a.get_role_display(),
                a.note[:200],
            ]
        )
    return {
        "title": "PHỤ LỤC",
        "subject": "Danh sách phân công các cơ quan, đơn vị kết nghĩa với thôn, làng đồng bào "
        "dân tộc thiểu số",
        "attached_to": f"(Kèm theo {directive.get_kind_display()} số {directive.number} ngày "
        f"{_d(directive.issued_on)} của {directive.issuing_body})",
        "groups": groups,
        "total": sum(len(g["rows"]) for g in groups),
    }


def _version_totals(reports):
    """Per agency: activities, cash, in kind and works from its latest submitted version."""
    rows = []
    for report in reports:
        version = max(report.versions.all(), key=lambda v: v.number, default=None)
        if version is None:
            continue
        works = sum(1 for a in version.activities if a.get("kind") == "construction")
        rows.append(
            {
                "agency": report.agency.name,
                "activities": len(version.activities),
                "cash": version.cash_vnd,
                "in_kind": version.in_kind_vnd,
                "works": works,
                "no_activity": version.no_activity,
                "results": version.results[:1500],
            }
        )
    return rows


def consolidated_figures(deadline, shortcomings="", proposals=""):
    directive = deadline.rule.directive
    (column,) = tracking.compliance([deadline])
    agencies = tracking.agencies_of([column])
    in_force = Assignment.objects.filter(directive=directive).in_force_on(deadline.effective_date)
    situation = in_force.aggregate(
        agencies=Count("agency", distinct=True),
        villages=Count("village", distinct=True),
        assignments=Count("id"),
        ceremonies=Count("id", filter=Q(ceremony_date__isnull=False)),
    )
    reports = (
        Report.objects.filter(deadline=deadline)
        .exclude(status=Report.Status.DRAFT)
        .select_related("agency")
        .prefetch_related("versions")
        .order_by("agency__name")
    )
    rows = _version_totals(reports)
    return {
        "title": "BÁO CÁO",
        "subject": f"Tổng hợp kết quả công tác kết nghĩa – {deadline.rule.label} "
        f"(hạn {_d(deadline.effective_date)})",
        "directive": str(directive),
        "deadline": _d(deadline.effective_date),
        "situation": situation,
        "rows": rows,
        "totals": {
            "activities": sum(r["activities"] for r in rows),
            "cash": sum(r["cash"] for r in rows),
            "in_kind": sum(r["in_kind"] for r in rows),
            "works": sum(r["works"] for r in rows),
        },
        "on_time": [a.name for a in column.agencies(agencies, tracking.ON_TIME)],
        "late": [a.name for a in column.agencies(agencies, tracking.LATE)],
        "missing": [
            a.name
            for a in column.agencies(
                agencies, tracking.MISSING, tracking.PENDING, tracking.EXTENDED, tracking.RETURNED
            )
        ],
        "expected": column.expected,
        "shortcomings": shortcomings,
        "proposals": proposals,
    }


def agency_report_figures(report):
    version = report.versions.order_by("-number").first()
    if version is None:
        raise ValueError(_("The report has not been submitted."))
    return {
        "title": "BÁO CÁO",
        "subject": f"Kết quả công tác kết nghĩa – {report.deadline.rule.label}",
        "agency": report.agency.name,
        "version": version.number,
        "submitted_at": _d(timezone.localtime(version.submitted_at).date()),
        "no_activity": version.no_activity,
        "sections": [
            ["Kết quả đạt được", version.results],
            ["Tồn tại, hạn chế", version.shortcomings],
            ["Phương hướng", version.directions],
            ["Kiến nghị, đề xuất", version.proposals],
        ],
        "activities": [
            [
                a["date"],
                a["village"],
                a["description"],
                a["cash_vnd"],
                a["in_kind_vnd"],
                a.get("goods", ""),
            ]
            for a in version.activities
        ],
        "cash": version.cash_vnd,
        "in_kind": version.in_kind_vnd,
    }


def reminder_letter_figures(deadline, reply_by):
    (column,) = tracking.compliance([deadline])
    agencies = tracking.agencies_of([column])
    missing = [a.name for a in column.agencies(agencies, tracking.MISSING, tracking.RETURNED)]
    return {
        "title": "",
        "subject": f"V/v đôn đốc gửi {deadline.rule.label[0].lower()}{deadline.rule.label[1:]}",
        "directive": str(deadline.rule.directive),
        "deadline": _d(deadline.effective_date),
        "label": deadline.rule.label,
        "recipients_rule": deadline.rule.recipient_list,
        "missing": missing,
        "reply_by": _d(reply_by),
    }


def review_figures(directive, first_year, last_year):
    years = list(range(first_year, last_year + 1))
    activities = Activity.objects.filter(assignment__directive=directive, date__year__in=years)
    totals = {
        row["date__year"]: row
        for row in activities.values("date__year").annotate(
            cash=Sum("cash_vnd"),
            in_kind=Sum("in_kind_vnd"),
            count=Count("id"),
            ceremonies=Count("id", filter=Q(kind=Activity.Kind.CEREMONY)),
            works=Count("id", filter=Q(kind=Activity.Kind.CONSTRUCTION)),
        )
    }
    village_ids = set(
        Assignment.objects.filter(directive=directive).values_list("village_id", flat=True)
    )
    minority = Village.objects.filter(is_ethnic_minority=True).count()
    rows = []
    for year in years:
        end = dt.date(year, 12, 31)
        covered = (
            Assignment.objects.filter(directive=directive, role=Assignment.Role.LEAD)
            .in_force_on(end)
            .values("village")
            .distinct()
            .count()
        )
        # The twinned villages' figures as recorded at the end of that year (audit history).
        moment = timezone.make_aware(dt.datetime(year, 12, 31, 23, 59, 59))
        recorded = (
            list(Village.history.as_of(moment).filter(id__in=village_ids)) if village_ids else []
        )
        data = totals.get(year, {})
        rows.append(
            {
                "year": year,
                "cash": data.get("cash") or 0,
                "in_kind": data.get("in_kind") or 0,
                "activities": data.get("count", 0),
                "ceremonies": data.get("ceremonies", 0),
                "works": data.get("works", 0),
                "covered": covered,
                "villages": minority,
                "households": sum(v.households or 0 for v in recorded) if recorded else None,
                "poor": sum(v.poor_households or 0 for v in recorded) if recorded else None,
            }
        )
    models = list(
        activities.filter(kind__in=[Activity.Kind.PRODUCTION, Activity.Kind.CONSTRUCTION])
        .values("assignment__agency__name", "assignment__village__name")
        .annotate(cash=Sum("cash_vnd"), in_kind=Sum("in_kind_vnd"), count=Count("id"))
        .order_by("-cash")[:5]
    )
    return {
        "title": "BÁO CÁO",
        "subject": f"Tổng kết {len(years)} năm thực hiện công tác kết nghĩa "
        f"({first_year} – {last_year})",
        "directive": str(directive),
        "rows": rows,
        "totals": {
            key: sum(r[key] for r in rows)
            for key in ("cash", "in_kind", "activities", "ceremonies", "works")
        },
        "models": [
            {
                "agency": m["assignment__agency__name"],
                "village": m["assignment__village__name"],
                "total": (m["cash"] or 0) + (m["in_kind"] or 0),
                "count": m["count"],
            }
            for m in models
        ],
    }


# --- Issuing -------------------------------------------------------------------------------

TEMPLATES = {
    IssuedDocument.Kind.ASSIGNMENT_LIST: "pdf/assignment_list.html",
    IssuedDocument.Kind.CONSOLIDATED: "pdf/consolidated.html",
    IssuedDocument.Kind.AGENCY_REPORT: "pdf/agency_report.html",
    IssuedDocument.Kind.REMINDER_LETTER: "pdf/reminder_letter.html",
    IssuedDocument.Kind.REVIEW: "pdf/review.html",
}


def compute_figures(kind, parameters):
    """The figures of a document from its parameters (ids, years, typed texts)."""
    if kind == IssuedDocument.Kind.ASSIGNMENT_LIST:
        return assignment_list_figures(Directive.objects.get(pk=parameters["directive"]))
    if kind == IssuedDocument.Kind.CONSOLIDATED:
        deadline = ReportingDeadline.objects.select_related("rule__directive").get(
            pk=parameters["deadline"]
        )
        return consolidated_figures(
            deadline, parameters.get("shortcomings", ""), parameters.get("proposals", "")
        )
    if kind == IssuedDocument.Kind.AGENCY_REPORT:
        return agency_report_figures(
            Report.objects.select_related("agency", "deadline__rule").get(pk=parameters["report"])
        )
    if kind == IssuedDocument.Kind.REMINDER_LETTER:
        deadline = ReportingDeadline.objects.select_related("rule__directive").get(
            pk=parameters["deadline"]
        )
        return reminder_letter_figures(deadline, dt.date.fromisoformat(parameters["reply_by"]))
    if kind == IssuedDocument.Kind.REVIEW:
        return review_figures(
            Directive.objects.get(pk=parameters["directive"]),
            int(parameters["first_year"]),
            int(parameters["last_year"]),
        )
    raise ValueError(kind)


def context_of(document):
    return {
        "doc": {
            "title": document.figures.get("title", ""),
            "subject": document.figures.get("subject", ""),
            "number": document.number,
            "issued_on": document.issued_on,
            "place": document.place,
            "parent_body": document.parent_body,
            "issuer": document.issuer,
            "signing_authority": document.signing_authority,
            "signer_title": document.signer_title,
            "signer_name": document.signer_name,
            "recipients": document.recipient_list,
        },
        "f": document.figures,
    }


def render(document):
    """Render the frozen document to PDF and .xlsx and store both with it."""
    from pypdf import PdfReader

    from .pdf import render_pdf

    pdf = render_pdf(TEMPLATES[document.kind], context_of(document))
    document.pages = len(PdfReader(io.BytesIO(pdf)).pages)
    name = f"{document.kind}-{document.pk}"
    document.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    document.xlsx.save(f"{name}.xlsx", ContentFile(workbook(document)), save=False)
    document.status = IssuedDocument.Status.DONE
    document.error = ""
    document.save()
    return document


@transaction.atomic
def document_issue(*, kind, parameters, by, agency=None, supersedes=None, **fields):
    """Freeze a new document (figures computed now); rendering follows, in the background."""
    document = IssuedDocument(
        kind=kind,
        parameters=parameters,
        figures=compute_figures(kind, parameters),
        created_by=by,
        agency=agency,
        supersedes=supersedes,
        **fields,
    )
    document.full_clean(exclude=["pdf", "xlsx"])
    document.save()
    return document


# --- Spreadsheets with the same figures ---------------------------------------------------------


def workbook(document):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from assignments.resources import escape_formula

    f = document.figures
    book = Workbook()
    sheet = book.active
    sheet.title = "Số liệu"

    def table(header, rows):
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([escape_formula(v) for v in row])
        sheet.append([])

    sheet.append([f.get("subject", "")])
    sheet.append([f"Số: {document.number}", f"Ngày: {_d(document.issued_on)}"])
    sheet.append([])
    kind = document.kind
    if kind == IssuedDocument.Kind.ASSIGNMENT_LIST:
        table(
            ["STT", "Cơ quan, đơn vị", "Thôn, làng", "Xã", "Huyện", "Vai trò", "Ghi chú"],
            [row for group in f["groups"] for row in group["rows"]],
        )
    elif kind == IssuedDocument.Kind.CONSOLIDATED:
        s = f["situation"]
        table(
            ["Cơ quan, đơn vị", "Thôn, làng", "Phân công", "Đã tổ chức lễ"],
            [[s["agencies"], s["villages"], s["assignments"], s["ceremonies"]]],
        )
        table(
            ["Cơ quan, đơn vị", "Số hoạt động", "Tiền mặt (đ)", "Hiện vật (đ)", "Công trình"],
            [
                [r["agency"], r["activities"], r["cash"], r["in_kind"], r["works"]]
                for r in f["rows"]
            ],
        )
        table(
            ["Tình hình nộp", "Cơ quan, đơn vị"],
            [["Đúng hạn", a] for a in f["on_time"]]
            + [["Trễ hạn", a] for a in f["late"]]
            + [["Chưa nộp", a] for a in f["missing"]],
        )
    elif kind == IssuedDocument.Kind.AGENCY_REPORT:
        table(
            ["Ngày", "Thôn, làng", "Nội dung", "Tiền mặt (đ)", "Hiện vật (đ)", "Hàng hóa"],
            f["activities"],
        )
    elif kind == IssuedDocument.Kind.REMINDER_LETTER:
        table(
            ["STT", "Cơ quan, đơn vị chưa gửi báo cáo"],
            [[i, name] for i, name in enumerate(f["missing"], start=1)],
        )
    elif kind == IssuedDocument.Kind.REVIEW:
        table(
            [
                "Năm",
                "Tiền mặt (đ)",
                "Hiện vật (đ)",
                "Hoạt động",
                "Lễ kết nghĩa",
                "Công trình",
                "Thôn, làng có cơ quan chủ trì",
                "Thôn, làng DTTS",
                "Số hộ",
                "Số hộ nghèo",
            ],
            [
                [
                    r["year"],
                    r["cash"],
                    r["in_kind"],
                    r["activities"],
                    r["ceremonies"],
                    r["works"],
                    r["covered"],
                    r["villages"],
                    r["households"],
                    r["poor"],
                ]
                for r in f["rows"]
            ],
        )
        table(
            ["Mô hình", "Thôn, làng", "Giá trị (đ)", "Số hoạt động"],
            [[m["agency"], m["village"], m["total"], m["count"]] for m in f["models"]],
        )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def default_fields(kind):
    """Defaults of the issuing form, from settings (never hard-coded in templates)."""
    return {
        "issued_on": timezone.localdate(),
        "place": settings.PROVINCE_NAME,
        "parent_body": settings.DOCUMENT_PARENT_BODY,
        "issuer": settings.COORDINATOR_NAME,
        "signing_authority": settings.DOCUMENT_SIGNING_AUTHORITY,
        "signer_title": settings.DOCUMENT_SIGNER_TITLE,
        "signer_name": settings.DOCUMENT_SIGNER_NAME,
        "recipients": "\n".join(settings.DOCUMENT_RECIPIENTS),
        "number": "  /BC-" + settings.DOCUMENT_NUMBER_SUFFIX
        if kind != IssuedDocument.Kind.REMINDER_LETTER
        else "  /" + settings.DOCUMENT_NUMBER_SUFFIX,
    }
