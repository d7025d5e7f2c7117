"""Yearly twinning plans (kế hoạch kết nghĩa): what an agency intends for a year, and how
much of it was done.

A plan is the report of a deadline whose rule is a plan: it is drafted, submitted, returned
and accepted as a report is, and each submission freezes its planned activities (as
dicts, ``snapshot``) in the version. Done is read from the activities recorded: a planned
activity is done when an activity of the agency of the same type took place within its
period (and at its twinning, when it names one); each recorded activity counts for one
planned activity only, the narrowest periods served first.
"""

from django.db.models import Q

from assignments import periods
from assignments.models import ReportingDeadline

from .models import Activity, Report, ReportVersion, SupportYear

DONE = "done"
NOT_DONE = "not_done"
UNDER_WAY = "under_way"


def snapshot(item):
    """A planned activity as its version freezes it."""
    return {
        "period": item.period,
        "period_label": str(item.get_period_display()),
        "assignment": item.assignment_id,
        "target": item.assignment.target_place() if item.assignment_id else "",
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "description": item.description,
        "budget_vnd": item.budget_vnd,
    }


def _width(item):
    first, last = periods.bounds(item["period"], 2024)
    return (last - first).days


def progress(items, activities, year, today):
    """Each planned activity (dicts, as frozen) with its standing and the date of the
    activity that carried it out: ``activities`` are (date, kind, assignment id) of the
    agency's activities of the year."""
    pool = sorted(activities)
    used = [False] * len(pool)
    results = [None] * len(items)
    order = sorted(range(len(items)), key=lambda i: (_width(items[i]), i))
    for index in order:
        item = items[index]
        first, last = periods.bounds(item["period"], year)
        done_on = None
        for n, (date, kind, assignment) in enumerate(pool):
            if used[n] or not first <= date <= last or kind != item["kind"]:
                continue
            if item.get("assignment") and assignment != item["assignment"]:
                continue
            used[n] = True
            done_on = date
            break
        if done_on is not None:
            standing = DONE
        elif last < today:
            standing = NOT_DONE
        else:
            standing = UNDER_WAY
        results[index] = {**item, "standing": standing, "done_on": done_on}
    return results


def activities_of(agency_ids, year):
    """agency id → [(date, kind, assignment id)] of the year's activities, in one query."""
    found = {agency_id: [] for agency_id in agency_ids}
    rows = (
        Activity.objects.filter(assignment__agency__in=agency_ids, date__year=year)
        .order_by()
        .values_list("assignment__agency_id", "date", "kind", "assignment_id")
    )
    for agency_id, date, kind, assignment_id in rows:
        found[agency_id].append((date, kind, assignment_id))
    return found


def report_progress(report, version, today):
    """The planned activities of ``version`` of the plan ``report`` against what was done."""
    year = report.deadline.plan_year
    done = activities_of([report.agency_id], year)[report.agency_id]
    return progress(version.planned, done, year, today)


def for_year(year, path=""):
    """The plans' deadlines (at ``path`` from the rows filtered) of plans for ``year``: due
    that year, or the year before for a plan of the following year."""
    return Q(**{f"{path}rule__plan_for_next_year": False, f"{path}due_date__year": year}) | Q(
        **{f"{path}rule__plan_for_next_year": True, f"{path}due_date__year": year - 1}
    )


def plans_of_year(directive, year):
    """The latest submitted version of each agency's plan for ``year`` under ``directive``,
    with its report and agency, in one query."""
    versions = (
        ReportVersion.objects.filter(
            report__deadline__rule__directive=directive,
            report__deadline__rule__kind="plan",
        )
        .filter(for_year(year, "report__deadline__"))
        .exclude(report__status=Report.Status.DRAFT)
        .select_related("report__agency")
        .order_by("number")
    )
    latest = {}
    for version in versions:
        latest[version.report.agency_id] = version
    return latest


def plan_against_done(directive, year, today):
    """Per agency with a plan for ``year``: planned activities, done, not done and under way,
    the funds planned and the support given in the year (three queries)."""
    plans = plans_of_year(directive, year)
    done = activities_of(list(plans), year)
    spent = {
        row.agency_id: row.cash + row.in_kind + row.works
        for row in SupportYear.objects.filter(agency__in=list(plans), year=year)
    }
    rows = []
    for agency_id, version in plans.items():
        items = progress(version.planned, done[agency_id], year, today)
        count = {s: sum(1 for i in items if i["standing"] == s) for s in (DONE, NOT_DONE)}
        rows.append(
            {
                "agency": version.report.agency.name,
                "sort_key": version.report.agency.sort_key,
                "planned": len(items),
                "done": count[DONE],
                "not_done": count[NOT_DONE],
                "under_way": len(items) - count[DONE] - count[NOT_DONE],
                "budget": sum(i.get("budget_vnd") or 0 for i in items),
                "spent": spent.get(agency_id, 0),
            }
        )
    rows.sort(key=lambda row: row.pop("sort_key"))
    return rows


def without_plan(directive, year):
    """The names of the agencies expected to submit a plan for ``year`` that have not."""
    deadlines = ReportingDeadline.objects.filter(rule__directive=directive, rule__kind="plan")
    deadlines = deadlines.filter(for_year(year)).select_related("rule")
    names = []
    for deadline in deadlines:
        submitted = Report.objects.filter(deadline=deadline).exclude(status=Report.Status.DRAFT)
        names += (
            deadline.expected_agencies()
            .exclude(pk__in=submitted.values("agency"))
            .values_list("name", flat=True)
        )
    return names
