"""Who was expected at which deadline and how each agency stands: the compliance matrix, the
rates on the dashboard, coverage and inactivity. A fixed number of queries whatever the data
size: rows are loaded once and combined in Python."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from assignments.models import (
    AdministrativeUnit,
    Agency,
    Assignment,
    ReportingDeadline,
    ReportingRule,
    Village,
    VillageLocation,
)

from . import timeliness
from .models import Activity, Extension, Report, SupportYear

ON_TIME, LATE, MISSING = timeliness.ON_TIME, timeliness.LATE, timeliness.MISSING
RETURNED = "returned"
EXTENDED = "extended"  # a granted extension whose new date has not passed, not yet submitted
PENDING = "pending"  # not submitted, not yet due

STATUS_LABELS = {
    ON_TIME: pgettext_lazy("standing", "On time"),
    LATE: pgettext_lazy("standing", "Late"),
    MISSING: pgettext_lazy("standing", "Missing"),
    RETURNED: pgettext_lazy("standing", "Returned"),
    EXTENDED: pgettext_lazy("standing", "Extended"),
    PENDING: pgettext_lazy("standing", "Not due yet"),
}


@dataclass(slots=True)
class Cell:
    status: str
    due: dt.date
    submitted_at: dt.datetime | None = None
    extension: Extension | None = None

    @property
    def date(self):
        """The date shown in the cell: submission, else the date that counts."""
        if self.submitted_at:
            return timezone.localtime(self.submitted_at).date()
        return self.due

    @property
    def label(self):
        return STATUS_LABELS[self.status]


@dataclass
class DeadlineColumn:
    deadline: ReportingDeadline
    cells: dict = field(default_factory=dict)  # agency id → Cell
    # Totals over every expected agency, when the cells hold only some (a page of the matrix)
    expected_total: int | None = None
    submitted_total: int | None = None

    def count(self, *statuses):
        return sum(1 for cell in self.cells.values() if cell.status in statuses)

    def agencies(self, agencies_by_id, *statuses):
        return sorted(
            (agencies_by_id[pk] for pk, cell in self.cells.items() if cell.status in statuses),
            key=lambda agency: agency.sort_key,
        )

    @property
    def expected(self):
        return self.expected_total if self.expected_total is not None else len(self.cells)

    @property
    def submitted(self):
        if self.submitted_total is not None:
            return self.submitted_total
        return self.count(ON_TIME, LATE, RETURNED)


def cell_status(due, report_status, submitted_at, extension, today):
    """The cell of one agency at one deadline (see the module's constants)."""
    if report_status == Report.Status.RETURNED:
        return RETURNED
    standing = timeliness.standing(due, submitted_at)
    if standing != MISSING:
        return standing
    if due >= today:
        return EXTENDED if extension is not None else PENDING
    return MISSING


def agency_deadlines(deadlines):
    return [d for d in deadlines if d.rule.reporter == ReportingRule.Reporter.AGENCIES]


def _assignments(deadlines, agency_filter=None, unit=None):
    """The assignments of the deadlines' documents, narrowed to the agencies and place."""
    directive_ids = {d.rule.directive_id for d in deadlines}
    assignments = Assignment.objects.filter(directive_id__in=directive_ids).order_by()
    if agency_filter is not None:
        assignments = assignments.filter(agency__in=Agency.objects.filter(agency_filter))
    if unit is not None:
        assignments = assignments.in_unit(unit)
    return assignments


def _held(deadlines, agency_filter=None, unit=None, agency_ids=None):
    """The assignments of the deadlines' documents, as (agency, start, end) tuples by
    directive, and the agencies they name."""
    assignments = _assignments(deadlines, agency_filter, unit)
    if agency_ids is not None:
        assignments = assignments.filter(agency_id__in=list(agency_ids))
    by_directive = defaultdict(list)
    counted = set()
    for directive_id, agency_id, start, end in assignments.values_list(
        "directive_id", "agency_id", "start_date", "end_date"
    ):
        by_directive[directive_id].append((agency_id, start, end))
        counted.add(agency_id)
    return by_directive, counted


class Expected:
    """The agencies expected at each deadline, without a set per deadline: the agencies whose
    assignment of the deadline's document covers all its deadlines' dates (``always``) plus,
    per deadline, the few whose assignment began or ended in between. At national scale
    that is 5,000 agencies for each of dozens of deadlines."""

    def __init__(self, deadlines, *, agency_filter=None, unit=None):
        self.assignments = _assignments(deadlines, agency_filter, unit)
        by_directive, _counted = _held(deadlines, agency_filter, unit)
        self.dates = defaultdict(list)
        for deadline in deadlines:
            self.dates[deadline.rule.directive_id].append(deadline.effective_date)
        self.always, partial = {}, {}
        for directive_id, held in by_directive.items():
            first, last = self.span(directive_id)
            always = self.always[directive_id] = set()
            partial[directive_id] = []
            for agency_id, start, end in held:
                if start <= first and (end is None or end >= last):
                    always.add(agency_id)
                else:
                    partial[directive_id].append((agency_id, start, end))
        self.extra = {}  # deadline id → agencies expected there beyond ``always``
        self.directive = {}
        for deadline in deadlines:
            directive_id = deadline.rule.directive_id
            date = deadline.effective_date
            always = self.always.get(directive_id, set())
            self.directive[deadline.pk] = directive_id
            self.extra[deadline.pk] = {
                agency_id
                for agency_id, start, end in partial.get(directive_id, ())
                if start <= date and (end is None or end >= date) and agency_id not in always
            }

    def count(self, deadline_id):
        return len(self.always.get(self.directive[deadline_id], ())) + len(self.extra[deadline_id])

    def includes(self, deadline_id, agency_id):
        return agency_id in self.extra[deadline_id] or agency_id in self.always.get(
            self.directive[deadline_id], ()
        )

    def span(self, directive_id):
        return min(self.dates[directive_id]), max(self.dates[directive_id])

    def everyone(self):
        return set().union(*self.always.values(), *self.extra.values())

    def named(self):
        """The agencies the assignments name: a subquery that holds ``everyone()``."""
        return self.assignments.values("agency_id")

    def submitted_counts(self, deadlines, restrict=False):
        """deadline id → the reports submitted there by the agencies expected there.
        ``restrict``: only the agencies of the assignments (a filtered matrix)."""
        submitted = Report.objects.filter(
            deadline_id__in=[d.pk for d in deadlines], first_submitted_at__isnull=False
        ).exclude(status=Report.Status.DRAFT)
        if restrict:
            submitted = submitted.filter(agency_id__in=self.named())
        counts = defaultdict(int)
        # Read as tuples and checked in Python: measured faster than counting the agencies
        # of ``always`` in the database and reading only the others.
        for deadline_id, agency_id in submitted.order_by().values_list("deadline_id", "agency_id"):
            if self.includes(deadline_id, agency_id):
                counts[deadline_id] += 1
        return counts


def matrix_page(deadlines, *, agency_filter=None, unit=None, page_number=None, per_page=25):
    """One page of the compliance matrix: the columns with their totals over every expected
    agency, and (agency, cells) rows for the page's agencies only, in Vietnamese order. At
    national scale a page is 25 of 5,000 agencies: only its cells are built."""
    from django.core.paginator import Paginator

    deadlines = agency_deadlines(deadlines)
    expected = Expected(deadlines, agency_filter=agency_filter, unit=unit)
    everyone = expected.everyone()
    # Sort keys are digit strings: Python orders them as both databases do.
    ordered = sorted(
        (key, pk)
        for key, pk in Agency.objects.filter(pk__in=expected.named())
        .order_by()
        .values_list("sort_key", "pk")
        if pk in everyone
    )
    page = Paginator([pk for _key, pk in ordered], per_page).get_page(page_number)
    names = Agency.objects.only("pk", "name", "sort_key").in_bulk(page.object_list)
    columns = compliance(
        deadlines, agency_filter=agency_filter, unit=unit, agency_ids=page.object_list
    )
    counts = expected.submitted_counts(
        deadlines, restrict=agency_filter is not None or unit is not None
    )
    for column in columns:
        column.expected_total = expected.count(column.deadline.pk)
        column.submitted_total = counts[column.deadline.pk]
    page.object_list = [
        (names[pk], [column.cells.get(pk) for column in columns]) for pk in page.object_list
    ]
    return columns, page


def compliance(deadlines, *, agency_filter=None, unit=None, agency_ids=None, today=None):
    """Columns (one per deadline, in the order given) of the agencies expected at each.

    Expected: agencies with an assignment of the rule's document in force on the deadline's
    date (an agency assigned later or ended earlier is not; after a merger the successor's
    assignment, passed on from the merger's date, is). ``agency_filter`` is a Q object on
    Agency narrowing whom to count, ``unit`` a commune, district or province whose villages
    and communes (at any time) narrow the assignments, ``agency_ids`` the agencies wanted (a
    page of the matrix). Rows are read as tuples, and only the reports and extensions of the
    agencies counted: at national scale there are hundreds of thousands of them.
    """
    today = today or timezone.localdate()
    deadlines = agency_deadlines(deadlines)
    by_directive, counted = _held(deadlines, agency_filter, unit, agency_ids)
    ids = [d.pk for d in deadlines]
    reports = Report.objects.filter(deadline_id__in=ids).order_by()
    extensions = Extension.objects.filter(
        deadline_id__in=ids, status=Extension.Status.GRANTED
    ).order_by()
    if agency_filter is not None or unit is not None or agency_ids is not None:
        reports = reports.filter(agency_id__in=counted)
        extensions = extensions.filter(agency_id__in=counted)
    reports = {
        (deadline_id, agency_id): (status, submitted_at)
        for deadline_id, agency_id, status, submitted_at in reports.values_list(
            "deadline_id", "agency_id", "status", "first_submitted_at"
        )
    }
    extensions = {(e.deadline_id, e.agency_id): e for e in extensions}
    columns = []
    returned = Report.Status.RETURNED
    for deadline in deadlines:
        date = deadline.effective_date
        column = DeadlineColumn(deadline)
        cells = column.cells
        deadline_id = deadline.pk
        end_of_due_day = timeliness.end_of_day(date)
        for agency_id, start, end in by_directive[deadline.rule.directive_id]:
            if agency_id in cells or start > date or (end is not None and end < date):
                continue  # not in force on the date (base.is_in_force, inlined: hot loop)
            key = (deadline_id, agency_id)
            extension = extensions.get(key)
            status, submitted_at = reports.get(key, (None, None))
            if extension is None and status != returned and submitted_at is not None:
                # The common case, decided without a function call per cell.
                standing = ON_TIME if submitted_at < end_of_due_day else LATE
                cells[agency_id] = Cell(standing, date, submitted_at, None)
                continue
            due = extension.granted_date if extension else date
            cells[agency_id] = Cell(
                cell_status(due, status, submitted_at, extension, today),
                due,
                submitted_at,
                extension,
            )
        columns.append(column)
    return columns


@dataclass(slots=True)
class OwnStanding:
    """The coordinating body's own deadline after an agencies' deadline (30-3 after 25-3,
    15-11 after 10-11), met by issuing the consolidated report for the agencies' one."""

    deadline: ReportingDeadline
    cell: Cell
    document: object = None  # the first consolidated report issued for it

    @property
    def label(self):
        return self.cell.label

    @property
    def status(self):
        return self.cell.status

    @property
    def date(self):
        """The date shown: the report's issue, else the own deadline."""
        return self.document.issued_on if self.document else self.deadline.effective


def own_standing(columns, today=None):
    """For each column (an agencies' deadline), the coordinating body's standing at its own
    deadline of the same document that follows it, or None where the document sets none: on
    time when the consolidated report was first issued by that date, late after it, missing
    when none was issued and the date has passed. Two queries whatever the columns."""
    from .models import IssuedDocument

    today = today or timezone.localdate()
    directives = {c.deadline.rule.directive_id for c in columns}
    own = defaultdict(list)
    for deadline in (
        ReportingDeadline.objects.with_effective_date()
        .filter(
            rule__directive_id__in=directives,
            rule__reporter=ReportingRule.Reporter.COORDINATOR,
        )
        .select_related("rule")
        .order_by("effective", "pk")
    ):
        own[deadline.rule.directive_id].append(deadline)
    first_issued = {}
    for document in (
        IssuedDocument.objects.filter(
            kind=IssuedDocument.Kind.CONSOLIDATED,
            parameters__deadline__in=[c.deadline.pk for c in columns],
        )
        .only("pk", "number", "issued_on", "parameters")
        .order_by("issued_on", "pk")
    ):
        first_issued.setdefault(document.parameters["deadline"], document)
    standings = []
    for column in columns:
        date = column.deadline.effective_date
        after = [d for d in own[column.deadline.rule.directive_id] if d.effective >= date]
        if not after or column.deadline.rule.is_plan:  # plans are not consolidated
            standings.append(None)
            continue
        deadline = after[0]
        due = deadline.effective
        document = first_issued.get(column.deadline.pk)
        if document is not None:
            status = ON_TIME if document.issued_on <= due else LATE
        else:
            status = PENDING if due >= today else MISSING
        standings.append(OwnStanding(deadline, Cell(status, due), document))
    return standings


def agencies_of(columns):
    ids = {pk for column in columns for pk in column.cells}
    return {a.pk: a for a in Agency.objects.filter(pk__in=ids).order_by()}


def coverage(unit=None, today=None, listed=None):
    """Who has a lead party twinned today: ethnic-minority villages (directly, or through their
    commune twinned as a whole) and communes (as a whole, or through at least one village).

    ``unit`` narrows to the villages and communes lying in it today. ``uncovered`` lists the
    villages without a lead party in alphabetical order, the first ``listed`` of them (all
    when None).

    Four plain queries, then sets: at national scale (20,000 villages) that is cheaper than
    the semi-joins that would count each figure in the database.
    """
    today = today or timezone.localdate()
    here = VillageLocation.objects.in_force_on(today).filter(
        village__is_ethnic_minority=True,
        village__in=Village.objects.in_force_on(today).order_by(),
    )
    communes = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
    if unit is not None:
        in_unit = Q(commune=unit) | Q(commune__parent=unit) | Q(commune__parent__parent=unit)
        here = here.filter(in_unit)
        communes = communes.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))
    # village id → (its commune today, its sort key)
    villages = {
        village: (commune, key)
        for village, commune, key in here.order_by().values_list(
            "village_id", "commune_id", "village__sort_key"
        )
    }
    lead_villages, lead_communes = set(), set()
    for village, commune in (
        Assignment.objects.filter(role=Assignment.Role.LEAD)
        .in_force_on(today)
        .order_by()
        .values_list("village_id", "commune_id")
    ):
        if village is None:
            lead_communes.add(commune)
        else:
            lead_villages.add(village)

    direct = {village for village in villages if village in lead_villages}
    through_commune = {
        village
        for village, (commune, _key) in villages.items()
        if village not in direct and commune in lead_communes
    }
    uncovered = sorted(
        (key, village)
        for village, (_commune, key) in villages.items()
        if village not in direct and village not in through_commune
    )
    shown = [village for _key, village in uncovered[:listed]]
    found = Village.objects.select_related("commune__parent").in_bulk(shown)

    # Communes: those with an ethnic-minority village today, or twinned as a whole.
    in_force = set(communes.in_force_on(today).order_by().values_list("pk", flat=True))
    with_villages = {commune for commune, _key in villages.values()}
    counted = in_force & (with_villages | lead_communes)
    whole = counted & lead_communes
    through_villages = (counted - lead_communes) & {villages[v][0] for v in direct}
    return {
        "total": len(villages),
        "covered": len(direct) + len(through_commune),
        "direct": len(direct),
        "through_commune": len(through_commune),
        "missing": len(uncovered),
        "uncovered": [found[village] for village in shown],
        "communes": {
            "total": len(counted),
            "whole": len(whole),
            "through_villages": len(through_villages),
            "none": len(counted) - len(whole) - len(through_villages),
        },
    }


def inactive_agencies(months=12, agency_filter=None, today=None):
    """Parties twinned today with no activity recorded in the last ``months``.

    Each agency is probed through its twinnings' (assignment, date) index: the cost follows
    the agencies, not the million activities."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=round(months * 365.25 / 12))
    twinned = Assignment.objects.in_force_on(today).filter(agency=OuterRef("pk"))
    active = Activity.objects.filter(assignment__agency=OuterRef("pk"), date__gte=since).order_by()
    agencies = (
        Agency.objects.in_force_on(today).filter(Exists(twinned.order_by())).exclude(Exists(active))
    )
    if agency_filter is not None:
        agencies = agencies.filter(agency_filter)
    return agencies.order_by("sort_key")


def with_last_activity(agencies):
    """The agencies (a short list) with the date of their last activity, for display."""
    last = dict(
        Activity.objects.filter(assignment__agency__in=[a.pk for a in agencies])
        .order_by()
        .values_list("assignment__agency_id")
        .annotate(last=Max("date"))
    )
    for agency in agencies:
        agency.last_activity = last.get(agency.pk)
    return agencies


def support_by_year(agency_filter=None, unit=None, years=None):
    """Support mobilised per year, oldest first: cash (with its sources), goods and works by
    value, and beneficiaries by category. From the yearly sums per agency; narrowed to a place,
    from the activities of the twinnings that lie there."""
    if unit is None:
        rows = SupportYear.objects.order_by()
        if agency_filter is not None:
            rows = rows.filter(agency__in=Agency.objects.filter(agency_filter))
        if years:
            rows = rows.filter(year__in=years)
        rows = rows.values("year").annotate(
            **{name: Sum(name) for name in SupportYear.SUMS if name != "others"}
        )
    else:
        activities = Activity.objects.order_by().filter(
            assignment__in=Assignment.objects.in_unit(unit)
        )
        if agency_filter is not None:
            activities = activities.filter(
                assignment__agency__in=Agency.objects.filter(agency_filter)
            )
        if years:
            activities = activities.filter(date__year__in=years)
        rows = (
            activities.annotate(year=ExtractYear("date"))
            .values("year")
            .annotate(
                **{
                    name: Sum(source)
                    for name, source in SupportYear.SOURCES.items()
                    if name != "others"
                }
            )
        )
    result = []
    for row in rows.order_by("year"):
        row = {key: value or 0 for key, value in row.items()}
        row["total"] = row["cash"] + row["in_kind"] + row["works"]
        result.append(row)
    return result


def nice_ticks(top, count=4):
    """Round values for the value axis, from 0 to at least ``top``: steps of 1, 2, 2.5 or 5
    times a power of ten (0, 5.000.000, 10.000.000, …)."""
    if top <= 0:
        return [0]
    raw = top / count
    power = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = int(step) or 1
    ticks = [0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def bar_chart(rows, width=720, height=340, left=118, top=110, bottom=30):
    """Coordinates of a grouped bar chart (cash, goods and works per year), drawn as SVG by
    the template: no script, no external library. The value axis has round ticks, and each
    bar carries its amount written upwards above it (the template formats both as đồng)."""
    if not rows:
        return None
    ticks = nice_ticks(max(max(r["cash"], r["in_kind"], r["works"]) for r in rows))
    scale_top = ticks[-1] or 1
    baseline = height - bottom
    plot_h = baseline - top
    slot = (width - left - 8) / len(rows)
    bar = max(4, slot * 0.26)
    bars = []
    for index, row in enumerate(rows):
        x = left + index * slot + slot * 0.1
        for offset, (key, css) in enumerate(
            (("cash", "cash"), ("in_kind", "kind"), ("works", "works"))
        ):
            h = plot_h * row[key] / scale_top
            bar_x = round(x + offset * bar, 1)
            bar_y = round(baseline - h, 1)
            bars.append(
                {
                    "x": bar_x,
                    "y": bar_y,
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "css": css,
                    "value": row[key],
                    "year": row["year"],
                    "key": key,
                    # The amount, rotated a quarter turn, starts just above the bar.
                    "label_x": round(bar_x + bar / 2 + 4, 1),
                    "label_y": round(bar_y - 4, 1),
                }
            )
    labels = [
        {"x": round(left + i * slot + slot / 2, 1), "year": r["year"]} for i, r in enumerate(rows)
    ]
    axis = [
        {"value": value, "y": round(baseline - plot_h * value / scale_top, 1)} for value in ticks
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "axis": axis,
        "top": scale_top,
        "baseline": baseline,
        "left": left,
        "padding": left,
    }
