"""The official documents: the figures each shows (computed once, then frozen on the issued
document), their PDF and spreadsheet. Figures are plain JSON (texts, numbers, dd/mm/yyyy
dates), so a document renders the same way every time."""

import datetime as dt
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments import lifecycle
from assignments.models import (
    Agency,
    Agreement,
    AgreementReview,
    Assignment,
    Directive,
    ReportingDeadline,
    Village,
    VillageYearFigures,
    Wish,
    coordinating_body_name,
)

from . import agreement_documents, formalism, plans, register, tracking
from .legal import directive_reference, legal_date, reference
from .models import Activity, ActivityWork, IssuedDocument, Report


def _d(date):
    return date.strftime("%d/%m/%Y") if date else ""


# --- Figures ---------------------------------------------------------------------------------


def list_date(directive, today=None):
    """The date an assignment list shows by default: today, or the document's last day in
    force when it has been replaced."""
    today = today or timezone.localdate()
    if directive.in_force_to and directive.in_force_to < today:
        return directive.in_force_to
    return max(today, directive.issued_on)


def assignment_list_figures(directive, as_of=None):
    """The assignments of ``directive`` in force on ``as_of``, by district (or province, for
    communes without one since 2025), each target with the commune it lay in on that date."""
    as_of = as_of or list_date(directive)
    assignments = (
        Assignment.objects.filter(directive=directive)
        .in_force_on(as_of)
        .select_related("agency", "village", "commune__parent")
        .prefetch_related("village__locations__commune__parent")
    )
    rows = []
    for a in assignments:
        commune = a.village.commune_on(as_of) if a.village_id else a.commune
        area = commune.parent
        rows.append(
            (
                area.sort_key if area else "",
                a.agency.sort_key,
                a.target.sort_key,
                [
                    a.agency.name,
                    str(a.village) if a.village_id else "(toàn địa bàn)",
                    str(commune),
                    str(area) if area else "",
                    a.get_role_display(),
                ],
            )
        )
    rows.sort(key=lambda row: row[:3])
    groups, current = [], None
    for number, (_area, _agency, _target, values) in enumerate(rows, start=1):
        if current is None or current["district"] != values[3]:
            current = {"district": values[3], "rows": []}
            groups.append(current)
        current["rows"].append([number, *values])
    return {
        "title": "Phụ lục",
        "subject": "Danh sách phân công các cơ quan, đơn vị kết nghĩa với thôn, làng, xã vùng "
        "đồng bào dân tộc thiểu số",
        "attached_to": f"(Kèm theo {directive_reference(directive)})",
        "as_of": _d(as_of),
        "groups": groups,
        "total": len(rows),
    }


WORK_LABELS = {
    "road": "Đường giao thông",
    "great_unity_house": "Nhà Đại đoàn kết",
    "culture_house": "Nhà văn hóa",
    "school": "Trường, lớp học",
    "water": "Công trình nước sạch",
    "electricity": "Công trình điện",
    "other": "Công trình khác",
}
CASH_SOURCE_LABELS = {
    "cash_budget_vnd": "Ngân sách của cơ quan, đơn vị",
    "cash_staff_vnd": "Đóng góp của cán bộ, công chức",
    "cash_donors_vnd": "Doanh nghiệp, nhà hảo tâm",
    "cash_other_vnd": "Nguồn khác, chưa phân loại",
}
BENEFICIARY_LABELS = {
    "beneficiary_poor_households": "Hộ nghèo",
    "beneficiary_policy_families": "Gia đình chính sách",
    "beneficiary_pupils": "Học sinh",
    "beneficiary_others": "Đối tượng khác",
}


def support_of(snapshots):
    """Support counted from frozen activities (submitted versions): cash by source, goods and
    works by value, works by type with quantities, beneficiaries by category. Activities
    frozen before sources were recorded count their cash as "other"."""
    cash_sources = dict.fromkeys(CASH_SOURCE_LABELS, 0)
    works = {}
    beneficiaries = dict.fromkeys(BENEFICIARY_LABELS, 0)
    totals = {"cash": 0, "in_kind": 0, "works_vnd": 0, "kg": 0}
    for activity in snapshots:
        totals["cash"] += activity.get("cash_vnd") or 0
        totals["in_kind"] += activity.get("in_kind_vnd") or 0
        totals["works_vnd"] += activity.get("works_vnd") or 0
        sources = activity.get("cash_sources") or {"cash_other_vnd": activity.get("cash_vnd", 0)}
        for name, value in sources.items():
            cash_sources[name] = cash_sources.get(name, 0) + (value or 0)
        for line in activity.get("goods_lines") or []:
            totals["kg"] += float(line.get("weight_kg") or 0)
        for line in activity.get("works") or []:
            row = works.setdefault(
                (line["kind"], line["unit"]),
                {
                    "label": WORK_LABELS.get(line["kind"], line["kind"]),
                    "unit": line["unit"],
                    "count": 0,
                    "quantity": 0.0,
                    "value": 0,
                },
            )
            row["count"] += 1
            row["quantity"] += float(line["quantity"])
            row["value"] += line["value_vnd"]
        for name, value in (activity.get("beneficiaries") or {}).items():
            if isinstance(value, int) and name in beneficiaries:
                beneficiaries[name] += value
    return {
        **totals,
        "kg": round(totals["kg"], 2),
        "cash_sources": [[CASH_SOURCE_LABELS[k], v] for k, v in cash_sources.items() if v],
        "works": sorted(works.values(), key=lambda row: row["label"]),
        "beneficiaries": [[BENEFICIARY_LABELS[k], v] for k, v in beneficiaries.items() if v],
    }


def _version_totals(reports):
    """Per agency: activities, cash, goods and works from its latest submitted version."""
    rows, snapshots = [], []
    for report in reports:
        version = max(report.versions.all(), key=lambda v: v.number, default=None)
        if version is None:
            continue
        works = sum(len(a.get("works") or []) for a in version.activities)
        rows.append(
            {
                "agency": report.agency.name,
                "activities": len(version.activities),
                "cash": version.cash_vnd,
                "in_kind": version.in_kind_vnd,
                "works_vnd": version.works_vnd,
                "works": works,
                "no_activity": version.no_activity,
                "results": version.results[:1500],
            }
        )
        snapshots.extend(version.activities)
    return rows, support_of(snapshots)


def village_figures_of(village_ids, year):
    """The twinned villages' figures of ``year``: sums, and how many villages have each kind
    of infrastructure (of those whose figures give it)."""
    figures = list(
        VillageYearFigures.objects.filter(village_id__in=village_ids, year=year).order_by()
    )
    if not figures:
        return None

    def total(name):
        values = [getattr(f, name) for f in figures if getattr(f, name) is not None]
        return sum(values) if values else None

    return {
        "year": year,
        "villages": len(figures),
        "households": total("households"),
        "population": total("population"),
        "poor": total("poor_households"),
        "near_poor": total("near_poor_households"),
        "left_poverty": total("left_poverty_households"),
        "road_km": float(total("hard_road_km")) if total("hard_road_km") is not None else None,
        "infrastructure": [
            [label, sum(1 for f in figures if getattr(f, name))]
            for name, label in (
                ("has_grid_power", "Có điện lưới"),
                ("has_culture_house", "Có nhà văn hóa"),
                ("has_school", "Có trường mẫu giáo, điểm trường"),
                ("has_clean_water", "Có nước sạch"),
            )
        ],
    }


def consolidated_figures(deadline, typed=None):
    """The consolidated report for an agencies' deadline: what the data says (situation,
    results, who reported, proposed reassignments, exemplary models) and the sections typed
    on the form (leadership, limitations and their causes, lessons, directions, proposals,
    commendations); an empty typed section is left out and the others numbered on."""
    typed = {name: (typed or {}).get(name, "").strip() for name in TYPED_SECTIONS}
    directive = deadline.rule.directive
    (column,) = tracking.compliance([deadline])
    agencies = tracking.agencies_of([column])
    in_force = Assignment.objects.filter(directive=directive).in_force_on(deadline.effective_date)
    situation = in_force.order_by().aggregate(
        agencies=Count("agency", distinct=True),
        villages=Count("village", distinct=True),
        communes=Count("commune", distinct=True),
        assignments=Count("id"),
        ceremonies=Count("id", filter=Q(ceremony_date__isnull=False)),
    )
    reports = (
        Report.objects.filter(deadline=deadline)
        .exclude(status=Report.Status.DRAFT)
        .select_related("agency")
        .prefetch_related("versions")
        .order_by("agency__sort_key")
    )
    rows, support = _version_totals(reports)
    village_ids = in_force.filter(village__isnull=False).values_list("village_id", flat=True)
    year = deadline.effective_date.year
    previous = (
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__directive=directive, rule__reporter=deadline.rule.reporter)
        .filter(rule__kind=deadline.rule.kind)  # a plan's deadline ends no period
        .filter(effective__lt=deadline.effective_date)
        .order_by("-effective")
        .first()
    )
    period = Activity.objects.filter(
        assignment__directive=directive, date__lte=deadline.effective_date
    )
    if previous is not None:
        period = period.filter(date__gt=previous.effective)
    proposed = proposed_reassignments(deadline, column)
    # The formalism flags not set aside, listed under the shortcomings (none: nothing said).
    flags = formalism.figures(deadline=deadline)
    plan_rows = plans.plan_against_done(directive, year, deadline.effective_date)
    present = [
        name
        for name, _title in CONSOLIDATED_SECTIONS
        if name not in TYPED_SECTIONS
        or typed[name]
        or (name == "proposals" and proposed)
        or (name == "shortcomings" and flags)
    ]
    return {
        **typed,
        "sections": [
            [ROMAN[present.index(name)], name, title]
            for name, title in CONSOLIDATED_SECTIONS
            if name in present
        ],
        "proposed_reassignments": proposed,
        "formalism": flags,
        # The exemplary models of the register, of the report's year.
        "register_models": agreement_documents.exemplary_models(year, year),
        "plans": plan_rows,
        "plan_totals": {
            name: sum(row[name] for row in plan_rows)
            for name in ("planned", "done", "not_done", "under_way", "budget", "spent")
        },
        "plan_year": year,
        "plans_title": f"KẾT QUẢ THỰC HIỆN KẾ HOẠCH KẾT NGHĨA NĂM {year}",
        "without_plan": plans.without_plan(directive, year),
        "wishes": wishes_of(year, deadline.effective_date),
        "title": "BÁO CÁO",
        "subject": f"Tổng hợp kết quả công tác kết nghĩa – {deadline.rule.label} "
        f"(hạn {legal_date(deadline.effective_date)})",
        "directive": directive_reference(directive),
        "deadline": _d(deadline.effective_date),
        "situation": situation,
        "rows": rows,
        "totals": {
            "activities": sum(r["activities"] for r in rows),
            "cash": sum(r["cash"] for r in rows),
            "in_kind": sum(r["in_kind"] for r in rows),
            "works_vnd": sum(r["works_vnd"] for r in rows),
            "works": sum(r["works"] for r in rows),
        },
        "support": support,
        "villages": village_figures_of(list(village_ids), year),
        "villages_before": village_figures_of(list(village_ids), year - 1),
        "on_time": [a.name for a in column.agencies(agencies, tracking.ON_TIME)],
        "late": [a.name for a in column.agencies(agencies, tracking.LATE)],
        "missing": [
            a.name
            for a in column.agencies(
                agencies, tracking.MISSING, tracking.PENDING, tracking.EXTENDED, tracking.RETURNED
            )
        ],
        "expected": column.expected,
    }


def wishes_of(year, until):
    """The villagers' wishes raised in ``year`` up to ``until``: how many, resolved, still
    waiting, and the oldest of those waiting (with the body they wait on)."""
    raised = Wish.objects.filter(raised_on__year=year, raised_on__lte=until)
    waiting = raised.exclude(status=Wish.Status.RESOLVED, resolved_on__lte=until)
    oldest = waiting.select_related("village", "passed_to").order_by("raised_on", "pk")[:5]
    return {
        "raised": raised.count(),
        "resolved": raised.count() - waiting.count(),
        "waiting": waiting.count(),
        "oldest": [
            [w.raised_on.isoformat(), str(w.village), w.get_topic_display(), w.waits_on or "–"]
            for w in oldest
        ],
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
                a.get("target") or a["village"],
                a["description"],
                a["cash_vnd"],
                a["in_kind_vnd"],
                a.get("goods", ""),
                a.get("works_vnd", 0),
            ]
            for a in version.activities
        ],
        "cash": version.cash_vnd,
        "in_kind": version.in_kind_vnd,
        "works_vnd": version.works_vnd,
        "support": support_of(version.activities),
    }


def agency_plan_figures(report):
    """A yearly plan as the agency signed it: its latest submitted version."""
    version = report.versions.order_by("-number").first()
    if version is None:
        raise ValueError(_("The plan has not been submitted."))
    year = report.deadline.plan_year
    return {
        "title": "KẾ HOẠCH",
        "subject": f"Thực hiện công tác kết nghĩa năm {year}",
        "agency": report.agency.name,
        "year": year,
        "version": version.number,
        "objectives": version.objectives,
        "resources": version.resources,
        "organisation": version.organisation,
        "planned": [
            [
                item["period_label"],
                item["target"] or "Các địa bàn kết nghĩa",
                item["kind_label"],
                item["description"],
                item["budget_vnd"],
            ]
            for item in version.planned
        ],
        "budget": sum(item["budget_vnd"] for item in version.planned),
    }


def reminder_letter_figures(deadline, reply_by):
    (column,) = tracking.compliance([deadline])
    agencies = tracking.agencies_of([column])
    missing = [a.name for a in column.agencies(agencies, tracking.MISSING, tracking.RETURNED)]
    return {
        "title": "",
        "subject": f"V/v đôn đốc gửi {deadline.rule.label[0].lower()}{deadline.rule.label[1:]}",
        "directive": directive_reference(deadline.rule.directive),
        "deadline": _d(deadline.effective_date),
        "label": deadline.rule.label,
        "recipients_rule": deadline.rule.recipient_list,
        "missing": missing,
        "reply_by": _d(reply_by),
    }


def invitation_figures(assignment, ceremony_at, venue, participants):
    """A giấy mời to the twinning ceremony of one pair: the time and date in words, the
    place, who is invited (one per line), under the document that assigned the pair."""
    target = assignment.target
    where = target.commune_on(ceremony_at.date()) if assignment.village_id else target.parent
    pair = f"{assignment.agency.name} và {target}" + (f", {where}" if where else "")
    return {
        "title": "GIẤY MỜI",
        "subject": f"Dự Lễ kết nghĩa giữa {pair}",
        "pair": pair,
        "directive": directive_reference(assignment.directive),
        "time": f"{ceremony_at:%H} giờ {ceremony_at:%M}",
        "date": ceremony_at.date().isoformat(),
        "venue": venue,
        "participants": [line.strip(" -;.") for line in participants.splitlines() if line.strip()],
    }


def proposed_reassignments(deadline, column, months=12):
    """Pairs to reconsider (đề xuất điều chỉnh phân công): those of the agencies that did not
    report at ``deadline`` and recorded no activity in the ``months`` before it."""
    date = deadline.effective_date
    since = date - dt.timedelta(days=round(months * 30.44))
    missing = [pk for pk, cell in column.cells.items() if cell.status == tracking.MISSING]
    active = set(
        Activity.objects.filter(assignment__agency_id__in=missing, date__gt=since, date__lte=date)
        .order_by()
        .values_list("assignment__agency_id", flat=True)
        .distinct()
    )
    pairs = (
        Assignment.objects.filter(
            directive=deadline.rule.directive, agency_id__in=set(missing) - active
        )
        .in_force_on(date)
        .select_related("agency", "village__commune", "commune")
        .order_by("agency__sort_key", "pk")
    )
    reason = f"Không gửi báo cáo, không có hoạt động trong {months} tháng"
    return [[a.agency.name, str(a.target), reason] for a in pairs]


# The typed sections of the consolidated report, in their order, and their headings.
CONSOLIDATED_SECTIONS = [
    ("situation", "TÌNH HÌNH CHUNG"),
    ("leadership", "CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO"),
    ("results", "KẾT QUẢ THỰC HIỆN"),
    ("shortcomings", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"),
    ("lessons", "BÀI HỌC KINH NGHIỆM"),
    ("directions", "PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"),
    ("proposals", "KIẾN NGHỊ, ĐỀ XUẤT"),
    ("commendations", "ĐỀ NGHỊ KHEN THƯỞNG"),
]
TYPED_SECTIONS = (
    "leadership",
    "shortcomings",
    "lessons",
    "directions",
    "proposals",
    "commendations",
)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def reassignment_figures(assignment):
    """The công văn carrying a reassignment (điều chỉnh phân công): who leaves which pair and
    on which last day, who takes it from the next, and why."""
    new = assignment.replaced_by
    if assignment.status != lifecycle.REASSIGNED or new is None:
        raise ValidationError(_("This assignment has not been reassigned."))
    return {
        "title": "",
        "subject": "V/v điều chỉnh phân công kết nghĩa",
        "directive": directive_reference(assignment.directive),
        "old_agency": assignment.agency.name,
        "old_target": str(assignment.target),
        "last_day": assignment.end_date.isoformat(),
        "new_agency": new.agency.name,
        "new_target": str(new.target),
        "from": new.start_date.isoformat(),
        "reason": assignment.end_reason,
        "agencies": list(dict.fromkeys([assignment.agency.name, new.agency.name])),
    }


def record_ordering_document(document):
    """The issued letter becomes the reassignment's ordering document (a document record the
    assignment names), unless the reassignment already names one."""
    assignment = Assignment.objects.get(pk=document.parameters["assignment"])
    if assignment.ending_document_id is not None:
        return assignment.ending_document
    letter = Directive.objects.create(
        kind=Directive.Kind.LETTER,
        number=document.number,
        issuing_body=document.issuer,
        issued_on=document.issued_on,
        title=document.figures["subject"].removeprefix("V/v ").capitalize(),
        note=_("Issued in the application (document no. %(number)s).")
        % {"number": document.number},
    )
    Assignment.objects.filter(pk=assignment.pk).update(ending_document=letter)
    return letter


def regime_chain(directive):
    """The document with those it replaced and those that replaced it: a review of the
    twinning spans the 2024 letter and the 2025 plan that replaced it."""
    chain, queue = {directive.pk: directive}, [directive]
    while queue:
        current = queue.pop()
        related = list(current.replaces.all())
        if current.replaced_by_id:
            related.append(current.replaced_by)
        for other in related:
            if other.pk not in chain:
                chain[other.pk] = other
                queue.append(other)
    return sorted(chain.values(), key=lambda d: d.issued_on)


def review_figures(directive, first_year, last_year):
    years = list(range(first_year, last_year + 1))
    chain = regime_chain(directive)
    assignments = Assignment.objects.filter(directive__in=chain).order_by()
    activities = Activity.objects.filter(assignment__in=assignments, date__year__in=years)
    totals = {
        row["date__year"]: row
        for row in activities.order_by()
        .values("date__year")
        .annotate(
            cash=Sum("cash_vnd"),
            in_kind=Sum("in_kind_vnd"),
            works_vnd=Sum("works_vnd"),
            count=Count("id"),
            ceremonies=Count("id", filter=Q(kind=Activity.Kind.CEREMONY)),
        )
    }
    works_count = {
        row["activity__date__year"]: row["n"]
        for row in ActivityWork.objects.filter(activity__in=activities)
        .order_by()
        .values("activity__date__year")
        .annotate(n=Count("id"))
    }
    village_ids = set(
        assignments.filter(village__isnull=False).values_list("village_id", flat=True)
    )
    minority = Village.objects.filter(is_ethnic_minority=True).count()
    figures = {
        row["year"]: row
        for row in VillageYearFigures.objects.filter(village_id__in=village_ids, year__in=years)
        .order_by()
        .values("year")
        .annotate(
            villages=Count("id"),
            households=Sum("households"),
            poor=Sum("poor_households"),
            near_poor=Sum("near_poor_households"),
            left_poverty=Sum("left_poverty_households"),
            road_km=Sum("hard_road_km"),
            power=Count("id", filter=Q(has_grid_power=True)),
            culture_house=Count("id", filter=Q(has_culture_house=True)),
            school=Count("id", filter=Q(has_school=True)),
        )
    }
    rows = []
    for year in years:
        end = dt.date(year, 12, 31)
        covered = (
            assignments.filter(role=Assignment.Role.LEAD, village__isnull=False)
            .in_force_on(end)
            .values("village")
            .distinct()
            .count()
        )
        data = totals.get(year, {})
        recorded = figures.get(year, {})
        rows.append(
            {
                "year": year,
                "cash": data.get("cash") or 0,
                "in_kind": data.get("in_kind") or 0,
                "works_vnd": data.get("works_vnd") or 0,
                "activities": data.get("count", 0),
                "ceremonies": data.get("ceremonies", 0),
                "works": works_count.get(year, 0),
                "covered": covered,
                "villages": minority,
                "with_figures": recorded.get("villages", 0),
                "households": recorded.get("households"),
                "poor": recorded.get("poor"),
                "near_poor": recorded.get("near_poor"),
                "left_poverty": recorded.get("left_poverty"),
                "road_km": float(recorded["road_km"]) if recorded.get("road_km") else None,
                "power": recorded.get("power"),
                "culture_house": recorded.get("culture_house"),
                "school": recorded.get("school"),
            }
        )
    return {
        "title": "BÁO CÁO",
        "subject": f"Tổng kết {len(years)} năm thực hiện công tác kết nghĩa "
        f"({first_year} – {last_year})",
        "directive": "; ".join(directive_reference(d) for d in chain),
        "rows": rows,
        "totals": {
            key: sum(r[key] for r in rows)
            for key in ("cash", "in_kind", "works_vnd", "activities", "ceremonies", "works")
        },
        "register_models": agreement_documents.exemplary_models(first_year, last_year, 20),
    }


# --- Issuing -------------------------------------------------------------------------------

TEMPLATES = {
    IssuedDocument.Kind.ASSIGNMENT_LIST: "pdf/assignment_list.html",
    IssuedDocument.Kind.CONSOLIDATED: "pdf/consolidated.html",
    IssuedDocument.Kind.AGENCY_REPORT: "pdf/agency_report.html",
    IssuedDocument.Kind.AGENCY_PLAN: "pdf/agency_plan.html",
    IssuedDocument.Kind.REMINDER_LETTER: "pdf/reminder_letter.html",
    IssuedDocument.Kind.REVIEW: "pdf/review.html",
    IssuedDocument.Kind.INVITATION: "pdf/invitation.html",
    IssuedDocument.Kind.REASSIGNMENT_LETTER: "pdf/reassignment_letter.html",
    IssuedDocument.Kind.COVENANT: "pdf/agreement.html",
    IssuedDocument.Kind.PROGRAMME: "pdf/agreement.html",
    IssuedDocument.Kind.AGREEMENT_PLAN: "pdf/agreement_plan.html",
    IssuedDocument.Kind.AGREEMENT_REVIEW: "pdf/agreement_review.html",
}


def compute_figures(kind, parameters):
    """The figures of a document from its parameters (ids, years, typed texts)."""
    if kind == IssuedDocument.Kind.ASSIGNMENT_LIST:
        as_of = parameters.get("as_of")
        return assignment_list_figures(
            Directive.objects.get(pk=parameters["directive"]),
            dt.date.fromisoformat(as_of) if as_of else None,
        )
    if kind == IssuedDocument.Kind.CONSOLIDATED:
        deadline = ReportingDeadline.objects.select_related("rule__directive").get(
            pk=parameters["deadline"]
        )
        return consolidated_figures(deadline, parameters)
    if kind == IssuedDocument.Kind.AGENCY_REPORT:
        return agency_report_figures(
            Report.objects.select_related("agency", "deadline__rule").get(pk=parameters["report"])
        )
    if kind == IssuedDocument.Kind.AGENCY_PLAN:
        return agency_plan_figures(
            Report.objects.select_related("agency", "deadline__rule").get(pk=parameters["report"])
        )
    if kind == IssuedDocument.Kind.REMINDER_LETTER:
        deadline = ReportingDeadline.objects.select_related("rule__directive").get(
            pk=parameters["deadline"]
        )
        return reminder_letter_figures(deadline, dt.date.fromisoformat(parameters["reply_by"]))
    if kind == IssuedDocument.Kind.INVITATION:
        return invitation_figures(
            Assignment.objects.select_related(
                "agency", "directive", "village__commune__parent", "commune__parent"
            ).get(pk=parameters["assignment"]),
            dt.datetime.fromisoformat(parameters["ceremony_at"]),
            parameters["venue"],
            parameters.get("participants", ""),
        )
    if kind == IssuedDocument.Kind.REASSIGNMENT_LETTER:
        return reassignment_figures(
            Assignment.objects.select_related(
                "agency", "directive", "village", "commune", "replaced_by__agency"
            ).get(pk=parameters["assignment"])
        )
    if kind == IssuedDocument.Kind.REVIEW:
        return review_figures(
            Directive.objects.get(pk=parameters["directive"]),
            int(parameters["first_year"]),
            int(parameters["last_year"]),
        )
    if kind in IssuedDocument.AGREEMENT_KINDS:
        party = Agency.objects.get(pk=parameters["party"])
        if kind == IssuedDocument.Kind.AGREEMENT_REVIEW:
            review = AgreementReview.objects.select_related("agreement").get(
                pk=parameters["review"]
            )
            return agreement_documents.review_figures(
                review,
                party,
                parameters.get("shortcomings", ""),
                parameters.get("directions", ""),
            )
        agreement = _agreement(parameters)
        if kind == IssuedDocument.Kind.AGREEMENT_PLAN:
            return agreement_documents.agreement_plan_figures(
                agreement, party, int(parameters["year"])
            )
        return agreement_documents.agreement_figures(
            agreement,
            party,
            parameters.get("counterpart_title", ""),
            parameters.get("counterpart_name", ""),
        )
    raise ValueError(kind)


def _agreement(parameters):
    """The agreement a document is of: named, or that of the review named."""
    if parameters.get("review"):
        return (
            AgreementReview.objects.select_related("agreement")
            .get(pk=parameters["review"])
            .agreement
        )
    return Agreement.objects.select_related("assignment__agency").get(pk=parameters["agreement"])


# The kind (tên loại) a document names itself by in the text, its appendices and its number.
LEGAL_KINDS = {
    IssuedDocument.Kind.CONSOLIDATED: "Báo cáo",
    IssuedDocument.Kind.AGENCY_REPORT: "Báo cáo",
    IssuedDocument.Kind.AGENCY_PLAN: "Kế hoạch",
    IssuedDocument.Kind.REMINDER_LETTER: "Công văn",
    IssuedDocument.Kind.REVIEW: "Báo cáo",
    IssuedDocument.Kind.INVITATION: "Giấy mời",
    IssuedDocument.Kind.REASSIGNMENT_LETTER: "Công văn",
    IssuedDocument.Kind.COVENANT: "Biên bản",
    IssuedDocument.Kind.PROGRAMME: "Chương trình",
    IssuedDocument.Kind.AGREEMENT_PLAN: "Kế hoạch",
    IssuedDocument.Kind.AGREEMENT_REVIEW: "Báo cáo",
}


# The sections of a consolidated report frozen before they could be typed.
EARLIER_SECTIONS = [
    ["I", "situation", "TÌNH HÌNH CHUNG"],
    ["II", "results", "KẾT QUẢ THỰC HIỆN"],
    ["III", "shortcomings", "TỒN TẠI, HẠN CHẾ"],
    ["IV", "proposals", "KIẾN NGHỊ, ĐỀ XUẤT"],
]


def context_of(document):
    legal_kind = LEGAL_KINDS.get(document.kind, "")
    figures = document.figures
    if document.kind == IssuedDocument.Kind.CONSOLIDATED and "sections" not in figures:
        figures = {**figures, "sections": EARLIER_SECTIONS}
        figures.setdefault("shortcomings", "")
        figures["shortcomings"] = figures["shortcomings"] or "Không có."
        figures["proposals"] = figures.get("proposals") or "Không có."
    return {
        "doc": {
            "attached_to": f"(Kèm theo "
            f"{reference(legal_kind, document.number, document.issued_on, document.issuer)})",
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
            "addressees": document.addressee_list,
            "drafting_unit": document.drafting_unit,
        },
        "f": figures,
    }


def render(document):
    """Render the frozen document to PDF, .xlsx and .docx and store them with it."""
    from pypdf import PdfReader

    from .docx import render_docx
    from .pdf import render_pdf

    context = context_of(document)
    pdf = render_pdf(TEMPLATES[document.kind], context)
    document.pages = len(PdfReader(io.BytesIO(pdf)).pages)
    name = f"{document.kind}-{document.pk}"
    document.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    document.xlsx.save(f"{name}.xlsx", ContentFile(workbook(document)), save=False)
    document.docx.save(
        f"{name}.docx", ContentFile(render_docx(TEMPLATES[document.kind], context)), save=False
    )
    document.status = IssuedDocument.Status.DONE
    document.error = ""
    document.save()
    return document


@transaction.atomic
def document_issue(*, kind, parameters, by, agency=None, supersedes=None, **fields):
    """Freeze a new document (figures computed now); rendering follows, in the background.

    ``supersedes`` makes it a re-issue of that document, which keeps its kind and agency: a
    document of another kind or for another agency is a new document, not a re-issue, and is
    not linked to it (the link would show one agency's document to another)."""
    if kind in (IssuedDocument.Kind.AGENCY_REPORT, IssuedDocument.Kind.AGENCY_PLAN):
        # The agency of the report (or plan), whoever issues it.
        agency = Report.objects.select_related("agency").get(pk=parameters["report"]).agency
    elif kind == IssuedDocument.Kind.INVITATION:
        # The party that holds the ceremony invites.
        agency = Assignment.objects.select_related("agency").get(pk=parameters["assignment"]).agency
    elif kind in IssuedDocument.AGREEMENT_KINDS:
        # One of the parties issues it: the officer's own body, else the first party.
        agency = agreement_documents.issuing_party(_agreement(parameters), agency)
        parameters = {**parameters, "party": agency.pk}
    if supersedes is not None and not supersedes.may_be_reissued_as(kind=kind, agency=agency):
        supersedes = None
    issued_on = fields["issued_on"]
    issuing_agency = issuing_body(kind, issued_on, agency)
    figures = compute_figures(kind, parameters)
    if kind == IssuedDocument.Kind.REASSIGNMENT_LETTER and not fields.get("addressees"):
        fields["addressees"] = "\n".join(figures["agencies"])  # the agencies concerned
    typed = fields.pop("number", "").strip()
    if issuing_agency is not None:
        fields.update(header_of(issuing_agency, issued_on))
    else:  # an appendix of the directive's letter, in its issuer's name
        directive = Directive.objects.get(pk=parameters["directive"])
        fields.update(issuer=directive.issuing_body, parent_body="")
    document = IssuedDocument(
        kind=kind,
        parameters=parameters,
        figures=figures,
        created_by=by,
        agency=agency,
        issuing_agency=issuing_agency,
        supersedes=supersedes,
        **fields,
    )
    document.full_clean(exclude=["pdf", "xlsx", "docx"])
    document.save()
    if kind in LEGAL_KINDS:
        # Numbered in the issuing body's register: the next number, or the one typed.
        entry = register.take(
            issuer=issuing_agency,
            issued_on=issued_on,
            legal_kind=LEGAL_KINDS[kind],
            subject=document.figures.get("subject") or document.figures.get("title", ""),
            by=by,
            document=document,
            typed=typed,
            drafting_unit=document.drafting_unit,
        )
        document.number = entry.number
        document.save(update_fields=["number"])
    if kind == IssuedDocument.Kind.REASSIGNMENT_LETTER:
        record_ordering_document(document)
    return document


def issuing_body(kind, date, agency=None):
    """The body whose heading, number and signature a document carries: the agency for its
    own report (whoever issues it), the coordinating body in force on the date otherwise;
    none for an assignment list, an appendix of the directive's letter."""
    if kind == IssuedDocument.Kind.ASSIGNMENT_LIST:
        return None
    if kind in IssuedDocument.OWN_KINDS + IssuedDocument.AGREEMENT_KINDS:
        if agency is None:
            raise ValidationError(_("An agency's report is issued by that agency."))
        return agency
    body = Agency.objects.coordinating_body_on(date)
    if body is None:
        raise ValidationError(
            _(
                "No agency is marked as the coordinating body on %(date)s: mark it in the "
                "administration (Agencies) first."
            )
            % {"date": date.strftime("%d/%m/%Y")}
        )
    return body


def header_of(agency, date):
    """The heading's two lines, from the data: the body's name and its parent body."""
    parent = agency.parent_body
    if not parent and agency.is_coordinating_body:
        parent = settings.DOCUMENT_PARENT_BODY
    return {"issuer": agency.name, "parent_body": parent}


# --- Spreadsheets with the same figures ---------------------------------------------------------


def workbook(document):
    """The document's figures as a spreadsheet: each table with its bold header (the first
    one's frozen), wrapped text, columns as wide as their content (within bounds) and
    numbers with thousands separators (1.234.567 in a Vietnamese Excel)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from assignments.resources import escape_formula

    f = document.figures
    book = Workbook()
    sheet = book.active
    sheet.title = "Số liệu"
    widths = {}
    wrap = Alignment(wrap_text=True, vertical="top")

    def table(header, rows):
        sheet.append(header)
        if sheet.freeze_panes is None:
            sheet.freeze_panes = f"A{sheet.max_row + 1}"
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.alignment = wrap
        for row in rows:
            sheet.append([escape_formula(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, bool):
                    continue
                if isinstance(cell.value, int):
                    cell.number_format = "#,##0"
                elif isinstance(cell.value, float):
                    cell.number_format = "#,##0.##"
                else:
                    cell.alignment = wrap
        for index, value in enumerate(header, start=1):
            longest = max(
                [len(str(value or ""))]
                + [len(str(row[index - 1] or "")) for row in rows if len(row) >= index]
            )
            widths[index] = max(widths.get(index, 8), min(longest + 2, 50))
        sheet.append([])

    def models_table(rows):
        table(
            ["Mô hình", "Chủ thể", "Lĩnh vực", "Địa bàn", "Kết quả", "Năm", "Khen thưởng"],
            [
                [
                    m["name"],
                    m["owner"],
                    m["field"],
                    m["place"],
                    m["status"],
                    m["year"],
                    m["commendation"],
                ]
                for m in rows
            ],
        )

    sheet.append([f.get("subject", "")])
    sheet.append([f"Số: {document.number}", f"Ngày: {_d(document.issued_on)}"])
    sheet.append([])
    kind = document.kind
    if kind == IssuedDocument.Kind.ASSIGNMENT_LIST:
        table(
            [
                "STT",
                "Cơ quan, đơn vị",
                "Thôn, làng",
                "Xã, phường",
                "Huyện (tỉnh)",
                "Vai trò",
            ],
            # (Documents frozen before internal notes stopped printing hold a seventh value.)
            [row[:6] for group in f["groups"] for row in group["rows"]],
        )
    elif kind == IssuedDocument.Kind.CONSOLIDATED:
        s = f["situation"]
        table(
            ["Cơ quan, đơn vị", "Thôn, làng", "Phân công", "Đã tổ chức lễ"],
            [[s["agencies"], s["villages"], s["assignments"], s["ceremonies"]]],
        )
        table(
            [
                "Cơ quan, đơn vị",
                "Số hoạt động",
                "Tiền mặt (đ)",
                "Hiện vật (đ)",
                "Công trình (đ)",
                "Số công trình",
            ],
            [
                [
                    r["agency"],
                    r["activities"],
                    r["cash"],
                    r["in_kind"],
                    r.get("works_vnd", 0),
                    r["works"],
                ]
                for r in f["rows"]
            ],
        )
        support = f.get("support")
        if support:
            table(["Nguồn tiền mặt", "Số tiền (đ)"], support["cash_sources"])
            table(
                ["Loại công trình", "Số công trình", "Khối lượng", "Đơn vị", "Giá trị (đ)"],
                [
                    [w["label"], w["count"], w["quantity"], w["unit"], w["value"]]
                    for w in support["works"]
                ],
            )
            table(["Đối tượng được hỗ trợ", "Số lượng"], support["beneficiaries"])
        table(
            ["Tình hình nộp", "Cơ quan, đơn vị"],
            [["Đúng hạn", a] for a in f["on_time"]]
            + [["Trễ hạn", a] for a in f["late"]]
            + [["Chưa nộp", a] for a in f["missing"]],
        )
        if f.get("proposed_reassignments"):
            table(
                ["Đề xuất điều chỉnh: cơ quan, đơn vị", "Địa bàn kết nghĩa", "Lý do"],
                f["proposed_reassignments"],
            )
        if f.get("register_models", {}).get("rows"):
            models_table(f["register_models"]["rows"])
        if f.get("plans"):
            names = ["planned", "done", "not_done", "under_way", "budget", "spent"]
            table(
                [
                    f"Kế hoạch năm {f['plan_year']}: cơ quan, đơn vị",
                    "Hoạt động dự kiến",
                    "Đã thực hiện",
                    "Chưa thực hiện",
                    "Còn trong thời gian",
                    "Kinh phí dự kiến (đ)",
                    "Đã hỗ trợ (đ)",
                ],
                [[r["agency"], *(r[n] for n in names)] for r in f["plans"]],
            )
    elif kind == IssuedDocument.Kind.AGENCY_REPORT:
        table(
            [
                "Ngày",
                "Địa bàn",
                "Nội dung",
                "Tiền mặt (đ)",
                "Hiện vật (đ)",
                "Hàng hóa",
                "Công trình (đ)",
            ],
            f["activities"],
        )
    elif kind == IssuedDocument.Kind.AGENCY_PLAN:
        table(
            ["STT", "Thời gian", "Địa bàn", "Loại hoạt động", "Nội dung", "Kinh phí dự kiến (đ)"],
            [[i, *row] for i, row in enumerate(f["planned"], start=1)],
        )
    elif kind == IssuedDocument.Kind.REASSIGNMENT_LETTER:
        table(
            ["Cơ quan, đơn vị", "Địa bàn kết nghĩa", "Từ ngày", "Đến ngày"],
            [
                [f["old_agency"], f["old_target"], "", _d(dt.date.fromisoformat(f["last_day"]))],
                [f["new_agency"], f["new_target"], _d(dt.date.fromisoformat(f["from"])), ""],
            ],
        )
    elif kind == IssuedDocument.Kind.INVITATION:
        table(
            ["Lễ kết nghĩa", "Thời gian", "Ngày", "Địa điểm"],
            [[f["pair"], f["time"], _d(dt.date.fromisoformat(f["date"])), f["venue"]]],
        )
        table(["Thành phần được mời"], [[line] for line in f["participants"]])
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
                "Thôn, làng có số liệu",
                "Số hộ",
                "Số hộ nghèo",
                "Số hộ cận nghèo",
                "Số hộ thoát nghèo",
                "Đường cứng hóa (km)",
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
                    r.get("with_figures"),
                    r["households"],
                    r["poor"],
                    r.get("near_poor"),
                    r.get("left_poverty"),
                    r.get("road_km"),
                ]
                for r in f["rows"]
            ],
        )
        if "register_models" in f:
            models_table(f["register_models"]["rows"])
        else:  # frozen before the register held the models
            table(
                ["Mô hình", "Thôn, làng", "Giá trị (đ)", "Số hoạt động"],
                [[m["agency"], m["village"], m["total"], m["count"]] for m in f["models"]],
            )
    elif kind in (IssuedDocument.Kind.COVENANT, IssuedDocument.Kind.PROGRAMME):
        table(["Bên", "Người ký"], [[p["name"], p["signer"]] for p in f["parties"]])
        table(
            ["Nhóm", "STT", "Nội dung", "Chủ trì", "Phối hợp"],
            [
                [g["group"], c["number"], c["title"], c["lead"], "; ".join(c["participants"])]
                for g in f["groups"]
                for c in g["items"]
            ],
        )
    elif kind == IssuedDocument.Kind.AGREEMENT_PLAN:
        table(
            ["Nhóm", "STT", "Nội dung", "Nhiệm vụ", "Thời gian", "Chủ trì", "Phối hợp"],
            [
                [
                    g["group"],
                    c["number"],
                    c["title"],
                    task,
                    when,
                    c["lead"],
                    "; ".join(c["participants"]),
                ]
                for g in f["groups"]
                for c in g["items"]
                for when, task in c["tasks"] or [["", ""]]
            ],
        )
        table(["Lịch họp định kỳ"], [[_d(dt.date.fromisoformat(d))] for d in f["meetings"]])
    elif kind == IssuedDocument.Kind.AGREEMENT_REVIEW:
        table(
            ["Nhóm", "STT", "Nội dung", "Chủ trì", "Kết quả", "Nhận xét"],
            [
                [r["group"], r["number"], r["title"], r["lead"], r["standing"], r["remarks"]]
                for r in f["rows"]
            ],
        )
        table(["Kỳ họp đến hạn", "Đã họp"], [[f["meetings_due"], f["meetings_held"]]])
        models_table(f["models"])
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = width
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def default_fields(kind, date=None, agency=None):
    """Defaults of the issuing form, from the issuing body in force on the document's date:
    its heading from the data, its signer, drafting unit and recipients as on the last
    document it issued (the settings for the coordinating body's first). The number is left
    blank: the register gives the next one."""
    date = date or timezone.localdate()
    fields = {"issued_on": date, "place": settings.PROVINCE_NAME, "number": ""}
    try:
        body = issuing_body(kind, date, agency)
    except ValidationError:
        body = None
    if body is None:
        # An agency's own document, before the agency is chosen: no heading to show yet.
        own = kind in IssuedDocument.OWN_KINDS + IssuedDocument.AGREEMENT_KINDS
        fields.update(issuer="" if own else coordinating_body_name(date), parent_body="")
    else:
        fields.update(header_of(body, date))
    last = (
        IssuedDocument.objects.filter(issuing_agency=body).order_by("-created_at", "-pk").first()
        if body
        else None
    )
    if last is not None:
        fields.update(
            {
                name: getattr(last, name)
                for name in ("signing_authority", "signer_title", "signer_name", "drafting_unit")
            }
        )
    elif body is None or body.is_coordinating_body:
        fields.update(
            signing_authority=settings.DOCUMENT_SIGNING_AUTHORITY,
            signer_title=settings.DOCUMENT_SIGNER_TITLE,
            signer_name=settings.DOCUMENT_SIGNER_NAME,
        )
    else:
        fields.update(signing_authority="", signer_title="", signer_name="")
    superiors = "\n".join(settings.DOCUMENT_RECIPIENTS)
    if kind == IssuedDocument.Kind.REMINDER_LETTER:
        fields.update(
            addressees="Các cơ quan, đơn vị có tên tại danh sách kèm theo", recipients=superiors
        )
    elif kind == IssuedDocument.Kind.AGENCY_REPORT:
        fields.update(addressees=coordinating_body_name(date), recipients="")
    elif kind == IssuedDocument.Kind.AGENCY_PLAN:
        # A plan is addressed to no one; it is sent to the coordinating body.
        fields.update(addressees="", recipients=coordinating_body_name(date))
    elif kind in (IssuedDocument.Kind.INVITATION, IssuedDocument.Kind.COVENANT):
        fields.update(addressees="", recipients="")
    elif kind in IssuedDocument.AGREEMENT_KINDS:
        # Sent to the coordinating body, which follows the agreements.
        fields.update(addressees="", recipients=coordinating_body_name(date))
    elif kind == IssuedDocument.Kind.REASSIGNMENT_LETTER:
        # The agencies concerned are named once the reassignment is chosen (see the view).
        fields.update(addressees="", recipients=superiors)
    else:
        fields.update(addressees=superiors, recipients="")
    return fields
