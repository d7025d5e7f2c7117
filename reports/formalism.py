"""The formalism signal ("mang nặng tính hình thức"): three flags computed from the data, each
explaining itself, which a coordinator may set aside with a note (``FlagDismissal``).

- **similar_report**: a submitted report whose text is mostly the agency's previous report
  (the previous agencies' deadline of the same kind), or another agency's report for the same
  deadline: ``SIMILAR_PERCENT`` or more of their words in the same order.
- **visits_only**: a twinning whose activities of a year are only visits and gifts (with its
  ceremony, if held that year): no production support, no building works, nothing else.
- **ceremony_only**: a twinning whose ceremony was held ``FOLLOW_UP_MONTHS`` months ago or
  more with no activity in those months.

Flags are not stored: they are computed on each request from a handful of queries, and
named by a stable key ("report:12:prev:7", "assignment:30:year:2025", "assignment:30:ceremony")
so that a dismissal keeps them set aside while the data that raised them is the same.
"""

import datetime as dt
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from assignments.models import Assignment, ReportingDeadline, ReportingRule

from .models import Activity, FlagDismissal, Report, ReportVersion

Kind = FlagDismissal.Kind

# Two reports are "mostly the same" from this share of their words, in the same order
# (difflib's ratio on word lists: twice the matched words / all words of both). 80 %: a report
# rewritten from last year's with new figures and a new paragraph stays under it; one with
# the year and a few numbers changed does not.
SIMILAR_PERCENT = 80
# Reports shorter than this are not compared: "Không có hoạt động phát sinh." twice is brevity,
# not copying.
MIN_WORDS = 15
# A shared passage is highlighted from this many words in a row.
MIN_PASSAGE_WORDS = 5
# Across a deadline, only pairs whose texts share passages are compared: each text is cut
# into word shingles of this length, and the SKETCH smallest of their hashes stand for it.
# Pairs sharing at least SKETCH_SHARED of them are candidates; of those, the CANDIDATES best
# are compared word by word. (Two texts at 80 % share well over half their sketch.)
SHINGLE = 4
SKETCH = 32
SKETCH_SHARED = 6
CANDIDATES = 3
# A ceremony with no activity in the months after it.
FOLLOW_UP_MONTHS = 6
# The activities that alone make a year of "visits and gifts only".
SHALLOW_KINDS = (Activity.Kind.VISIT, Activity.Kind.GIFTS)
# Which may go with them without changing that (the ceremony itself).
NEUTRAL_KINDS = (Activity.Kind.CEREMONY,)

TEXT_FIELDS = (
    "results",
    "shortcomings",
    "directions",
    "proposals",
    "objectives",
    "resources",
    "organisation",
)

_WORD = re.compile(r"\w+")


# --- Similarity of two texts ---------------------------------------------------------------


@dataclass
class Text:
    """A text cut into comparable words: NFC, case-folded, punctuation and spacing ignored;
    diacritics kept ("nhà" is not "nha"). ``spans`` are each word's (part, start, end) in
    ``parts``, the NFC texts as shown, so that shared passages can be highlighted."""

    parts: list
    words: list = field(default_factory=list)
    spans: list = field(default_factory=list)

    @classmethod
    def of(cls, *texts):
        text = cls([unicodedata.normalize("NFC", t or "") for t in texts])
        for index, part in enumerate(text.parts):
            for match in _WORD.finditer(part):
                text.words.append(match.group().casefold())
                text.spans.append((index, match.start(), match.end()))
        return text


def words(text):
    """The comparable words of ``text``."""
    return Text.of(text).words


def compare(a, b):
    """(percent, matching blocks) of two word lists: the percent is twice the matched words / all
    words, rounded (identical → 100, nothing in common → 0); the blocks are difflib's
    (i, j, size), in order."""
    if not a and not b:
        return 0, []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return round(200 * matched / (len(a) + len(b))), matcher.get_matching_blocks()


def similarity(a, b):
    """The similarity of two texts in percent (see ``compare``)."""
    return compare(words(a), words(b))[0]


def highlighted(text, blocks, side=0):
    """``text.parts`` as HTML with the shared passages (blocks of at least
    MIN_PASSAGE_WORDS words) in <mark>; everything else escaped, lines kept."""
    marked = [[] for _part in text.parts]
    for block in blocks:
        start, size = block[side], block[2]
        if size < MIN_PASSAGE_WORDS:
            continue
        # A passage never crosses parts: cut it where the part changes.
        run = [text.spans[start]]
        for index in range(start + 1, start + size):
            span = text.spans[index]
            if span[0] != run[-1][0]:
                marked[run[0][0]].append((run[0][1], run[-1][2]))
                run = []
            run.append(span)
        marked[run[0][0]].append((run[0][1], run[-1][2]))
    html = []
    for part, ranges in zip(text.parts, marked, strict=True):
        out, at = [], 0
        for start, end in ranges:
            out.append(_escape_lines(part[at:start]))
            out.append("<mark>" + _escape_lines(part[start:end]) + "</mark>")
            at = end
        out.append(_escape_lines(part[at:]))
        html.append(mark_safe("".join(out)))  # noqa: S308 (every piece escaped above)
    return html


def _escape_lines(text):
    return escape(text).replace("\n", "<br>")


def _sketch(word_list):
    """The SKETCH smallest hashes of the text's word shingles (all of them for a short text)."""
    size = min(SHINGLE, len(word_list))
    hashes = {
        zlib.crc32(" ".join(word_list[i : i + size]).encode())
        for i in range(len(word_list) - size + 1)
    }
    return sorted(hashes)[:SKETCH]


def best_matches(texts, order):
    """For each text of one deadline, the closest other one at SIMILAR_PERCENT or more:
    {id: (other id, percent)}. ``texts`` maps ids to word lists; ``order`` gives each id's
    sort key (among identical texts, the earliest submission is named). Identical texts are
    grouped first; the others are compared only with candidates found through their
    sketches, the most shingles shared first, so that a deadline of 500 reports costs about
    500 comparisons, not 125,000."""
    groups = defaultdict(list)
    for pk, word_list in texts.items():
        if len(word_list) >= MIN_WORDS:
            groups[tuple(word_list)].append(pk)
    for members in groups.values():
        members.sort(key=order)
    best = {}
    for members in groups.values():
        for pk in members:
            others = [other for other in members if other != pk]
            if others:
                best[pk] = (others[0], 100)
    representatives = [members[0] for members in groups.values()]
    sketches = {pk: _sketch(texts[pk]) for pk in representatives}
    index = defaultdict(list)
    for pk, sketch in sketches.items():
        for value in sketch:
            index[value].append(pk)
    compared = {}
    for pk in representatives:
        if pk in best:
            continue  # an identical text elsewhere: nothing can beat 100 %
        shared = Counter()
        for value in sketches[pk]:
            shared.update(index[value])
        del shared[pk]
        found = None
        for other, count in shared.most_common(CANDIDATES):
            if count < SKETCH_SHARED:
                break
            pair = (min(pk, other), max(pk, other))
            if pair not in compared:  # each pair once, from whichever side comes first
                compared[pair] = _percent(texts[pk], texts[other])
            if compared[pair] >= SIMILAR_PERCENT:
                # The first over the threshold, in order of shared shingles, is taken: the
                # closest one nearly always, for a fraction of the comparisons.
                found = (other, compared[pair])
                break
        if found is not None:
            best[pk] = found
    return best


def _percent(a, b):
    """``compare``'s percent, or 0 if difflib's cheap upper bound already rules it out."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() * 100 < SIMILAR_PERCENT - 0.5:
        return 0
    return round(100 * matcher.ratio())


# --- The flags -----------------------------------------------------------------------------


@dataclass
class Flag:
    """One flag: what it is (kind, key), when (year), whose (agency), what it says."""

    kind: str
    key: str
    year: int
    agency: object
    text: str
    url: str
    percent: int = None
    report: object = None
    other: object = None
    assignment: object = None
    dismissal: object = None

    @property
    def label(self):
        return Kind(self.kind).label


def _deadlines():
    """The agencies' deadlines, oldest first, with the previous one of the same kind."""
    deadlines = list(
        ReportingDeadline.objects.with_effective_date()
        .filter(rule__reporter=ReportingRule.Reporter.AGENCIES)
        .select_related("rule")
        .order_by("effective", "pk")
    )
    last_of_kind, previous = {}, {}
    for deadline in deadlines:
        previous[deadline.pk] = last_of_kind.get(deadline.rule.kind)
        last_of_kind[deadline.rule.kind] = deadline
    return deadlines, previous


def _latest_texts(reports):
    """report id → its latest submitted version's Text."""
    versions = (
        ReportVersion.objects.filter(report__in=reports)
        .order_by("report", "number")
        .values_list("report", *TEXT_FIELDS)
    )
    return {row[0]: Text.of(*row[1:]) for row in versions}


def _order(report):
    return (report.first_submitted_at.timestamp(), report.pk)


def similar_reports(*, year=None, deadline=None, report=None):
    """The similar-report flags of the agencies' deadlines of ``year`` (all years if None),
    of one ``deadline``, or of one ``report``'s deadline (those about that report).
    The matching — the costly part, a second at province scale — is remembered until a
    version is submitted at one of the deadlines. Flags about one ``report`` carry ``pair``
    = (this report's Text, the other's Text, None) for highlighting; lists carry none."""
    deadlines, previous = _deadlines()
    if report is not None:
        deadline = report.deadline
    if deadline is not None:
        chosen = [d for d in deadlines if d.pk == deadline.pk]
    elif year is not None:
        chosen = [d for d in deadlines if d.effective.year == year]
    else:
        chosen = deadlines
    wanted = {d.pk for d in chosen} | {previous[d.pk].pk for d in chosen if previous[d.pk]}
    if not chosen:
        return []
    reports = (
        Report.objects.filter(deadline__in=wanted)
        .exclude(status=Report.Status.DRAFT)
        .select_related("agency", "deadline__rule")
    )
    by_pk = {r.pk: r for r in reports}
    found = _remembered_matches(chosen, previous, by_pk, wanted)
    texts = None
    if report is not None:
        found = [m for m in found if report.pk in (m[0], m[1])]
        texts = _latest_texts({pk for m in found for pk in m[:2]})
    flags = []
    for pk, other_pk, percent, relation, blocks in found:
        current, other = by_pk[pk], by_pk[other_pk]
        pair = (texts[pk], texts[other_pk], blocks) if texts is not None else None
        flags.append(_similar_flag(current, other, percent, relation, pair))
    return flags


def _remembered_matches(chosen, previous, by_pk, wanted):
    """The matches of the ``chosen`` deadlines, computed once for a given state of their
    versions (how many there are and the latest): a new submission computes them again."""
    state = ReportVersion.objects.filter(report__deadline__in=wanted).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    key = "formalism:similar:{}:{}:{}:{}".format(
        SIMILAR_PERCENT,
        ",".join(str(pk) for pk in sorted(d.pk for d in chosen)),
        state["n"],
        state["last"],
    )
    found = cache.get(key)
    if found is None:
        texts = _latest_texts(list(by_pk))
        found = _matches(chosen, previous, by_pk, texts)
        cache.set(key, found, timeout=24 * 3600)
    # (A report drafted again after being returned leaves the list; its matches go with it.)
    return [m for m in found if m[0] in by_pk and m[1] in by_pk]


def _matches(chosen, previous, by_pk, texts):
    """(report id, other report id, percent, "prev" or "other", None) of the reports much like
    their agency's previous one or another agency's at the same deadline (the shared
    passages are found when a page shows them: ``report_flags``)."""
    by_deadline = defaultdict(list)
    for r in by_pk.values():
        if r.pk in texts:
            by_deadline[r.deadline_id].append(r)
    found = []
    for current in chosen:
        at_deadline = by_deadline.get(current.pk, [])
        before = previous[current.pk]
        earlier = {r.agency_id: r for r in by_deadline.get(before.pk, [])} if before else {}
        for r in at_deadline:
            old = earlier.get(r.agency_id)
            if old is None:
                continue
            a, b = texts[r.pk], texts[old.pk]
            if min(len(a.words), len(b.words)) < MIN_WORDS:
                continue
            percent = compare(a.words, b.words)[0]
            if percent >= SIMILAR_PERCENT:
                found.append((r.pk, old.pk, percent, "prev", None))
        best = best_matches({r.pk: texts[r.pk].words for r in at_deadline}, _order_of(at_deadline))
        seen = set()
        for pk, (other_pk, percent) in best.items():
            first, second = sorted((by_pk[pk], by_pk[other_pk]), key=_order, reverse=True)
            if (first.pk, second.pk) in seen:
                continue
            seen.add((first.pk, second.pk))
            found.append((first.pk, second.pk, percent, "other", None))
    return found


def _order_of(reports):
    keys = {r.pk: _order(r) for r in reports}
    return keys.__getitem__


def _similar_flag(report, other, percent, relation, pair):
    params = {
        "agency": report.agency.name,
        "percent": percent,
        "other_agency": other.agency.name,
        "due": f"{other.deadline.effective_date:%d/%m/%Y}",
    }
    if relation == "prev":
        text = _(
            "The report of %(agency)s repeats %(percent)s%% of its previous report "
            "(deadline %(due)s)."
        )
    else:
        text = _(
            "The report of %(agency)s is %(percent)s%% the same as the report of "
            "%(other_agency)s for the same deadline, submitted earlier."
        )
    flag = Flag(
        kind=Kind.SIMILAR_REPORT,
        key=f"report:{report.pk}:{relation}:{other.pk}",
        year=report.deadline.effective_date.year,
        agency=report.agency,
        text=text % params,
        url=reverse("reports:report_detail", args=[report.pk]),
        percent=percent,
        report=report,
        other=other,
    )
    flag.pair = pair
    return flag


def _target_name(assignment):
    return str(assignment.village if assignment.village_id else assignment.commune)


def visits_only(*, year=None, today=None):
    """Twinnings whose activities of a year (``year``, or every year up to today's) are only
    visits and gifts, with their ceremony if held that year."""
    today = today or timezone.localdate()
    rows = Activity.objects.filter(date__lte=today)
    if year is not None:
        rows = rows.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    rows = (
        rows.order_by()
        .annotate(year=ExtractYear("date"))
        .values("assignment", "year")
        .annotate(
            shallow=Count("pk", filter=Q(kind__in=SHALLOW_KINDS)),
            substantial=Count("pk", filter=~Q(kind__in=SHALLOW_KINDS + NEUTRAL_KINDS)),
        )
        .filter(shallow__gt=0, substantial=0)
    )
    rows = list(rows)
    assignments = Assignment.objects.select_related("agency", "village", "commune").in_bulk(
        {row["assignment"] for row in rows}
    )
    flags = []
    for row in rows:
        assignment = assignments[row["assignment"]]
        params = {
            "agency": assignment.agency.name,
            "target": _target_name(assignment),
            "year": str(row["year"]),
            "count": row["shallow"],
        }
        if row["year"] == today.year:
            text = _(
                "%(agency)s – %(target)s: in %(year)s so far, only visits and gifts "
                "(%(count)s), no production support and no building works."
            )
        else:
            text = _(
                "%(agency)s – %(target)s: in %(year)s, only visits and gifts (%(count)s), "
                "no production support and no building works."
            )
        flags.append(
            Flag(
                kind=Kind.VISITS_ONLY,
                key=f"assignment:{assignment.pk}:year:{row['year']}",
                year=row["year"],
                agency=assignment.agency,
                text=text % params,
                url=_activities_url(assignment),
                assignment=assignment,
            )
        )
    return flags


def _activities_url(assignment):
    if assignment.village_id:
        return reverse("village_detail", args=[assignment.village_id])
    return reverse("agency_detail", args=[assignment.agency_id])


def months_after(date, months):
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    for day in range(date.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(date.day, 28))


def ceremony_only(*, year=None, today=None):
    """Twinnings whose ceremony (the assignment's date, else its ceremony activity) was held
    FOLLOW_UP_MONTHS months ago or more with no other activity in those months — on the
    twinning or on the one that replaced it. A ceremony carried over to a successor (a
    merger) is judged on the twinning that held it."""
    today = today or timezone.localdate()
    first_ceremony = (
        Activity.objects.filter(assignment=OuterRef("pk"), kind=Activity.Kind.CEREMONY)
        .order_by()
        .values("assignment")
        .annotate(first=Min("date"))
        .values("first")
    )
    assignments = Assignment.objects.annotate(
        held=Coalesce("ceremony_date", Subquery(first_ceremony))
    ).filter(held__isnull=False, held__gte=F("start_date"))
    # Every candidate whose follow-up window has passed (the window is months, not days:
    # filtered again below).
    latest_held = months_after(today, -FOLLOW_UP_MONTHS)
    assignments = assignments.filter(held__lte=latest_held)
    if year is not None:
        assignments = assignments.filter(held__year=year)

    def next_activity(on):
        # One subquery per twinning (its own, its successor's), each read by the activities'
        # (assignment, date) index; an OR of the two scanned them all (0.6 s at province scale).
        return Subquery(
            Activity.objects.filter(assignment=OuterRef(on), date__gt=OuterRef("held"))
            .exclude(kind=Activity.Kind.CEREMONY)
            .order_by("date")
            .values("date")[:1]
        )

    assignments = assignments.annotate(
        next_own=next_activity("pk"), next_successor=next_activity("replaced_by")
    ).select_related("agency", "village", "commune")
    flags = []
    for assignment in assignments:
        held = assignment.held
        after = min(
            (d for d in (assignment.next_own, assignment.next_successor) if d), default=None
        )
        until = months_after(held, FOLLOW_UP_MONTHS)
        if until > today or (after is not None and after <= until):
            continue
        params = {
            "agency": assignment.agency.name,
            "target": _target_name(assignment),
            "held": f"{held:%d/%m/%Y}",
            "months": FOLLOW_UP_MONTHS,
            "until": f"{until:%d/%m/%Y}",
        }
        if after is None:
            text = _(
                "%(agency)s – %(target)s: twinning ceremony on %(held)s, and no activity "
                "recorded since."
            )
        else:
            params["after"] = f"{after:%d/%m/%Y}"
            text = _(
                "%(agency)s – %(target)s: twinning ceremony on %(held)s, and no activity in "
                "the %(months)s months after it (until %(until)s); the next one on %(after)s."
            )
        flags.append(
            Flag(
                kind=Kind.CEREMONY_ONLY,
                key=f"assignment:{assignment.pk}:ceremony",
                year=held.year,
                agency=assignment.agency,
                text=text % params,
                url=_activities_url(assignment),
                assignment=assignment,
            )
        )
    return flags


RULES = {
    Kind.SIMILAR_REPORT: similar_reports,
    Kind.VISITS_ONLY: visits_only,
    Kind.CEREMONY_ONLY: ceremony_only,
}


def flags(*, year=None, kinds=None, today=None, dismissed=False):
    """The flags of ``year`` (all years if None) of ``kinds`` (all if None), each with its
    ``dismissal`` or None; set-aside ones only if ``dismissed``. Sorted by year (latest
    first), kind and agency."""
    found = []
    for kind in kinds or RULES:
        if kind == Kind.SIMILAR_REPORT:
            found += similar_reports(year=year)
        else:
            found += RULES[kind](year=year, today=today)
    attach_dismissals(found)
    if not dismissed:
        found = [flag for flag in found if flag.dismissal is None]
    order = list(RULES)
    found.sort(key=lambda f: (-f.year, order.index(f.kind), f.agency.sort_key, f.key))
    return found


def attach_dismissals(found):
    """Set each flag's ``dismissal`` (one query)."""
    if not found:
        return found
    keys = {flag.key for flag in found}
    dismissals = {
        (d.kind, d.key): d
        for d in FlagDismissal.objects.filter(key__in=keys).select_related("dismissed_by")
    }
    for flag in found:
        flag.dismissal = dismissals.get((flag.kind, flag.key))
    return found


def report_flags(report):
    """The similar-report flags about ``report`` (it, or the one it resembles), each with
    ``highlighted``: the report's texts as HTML with the passages shared with the other
    report in <mark>."""
    found = attach_dismissals(similar_reports(report=report))
    labels = [ReportVersion._meta.get_field(name).verbose_name for name in TEXT_FIELDS]
    for flag in found:
        a, b, blocks = flag.pair
        if blocks is None:
            blocks = compare(a.words, b.words)[1]
        own, side = (a, 0) if flag.report.pk == report.pk else (b, 1)
        flag.resembles = flag.other if flag.report.pk == report.pk else flag.report
        flag.highlighted = [
            (label, html)
            for label, html, part in zip(
                labels, highlighted(own, blocks, side), own.parts, strict=True
            )
            if part.strip()
        ]
    return found


def panel(*, year, today=None, shown=5):
    """The dashboard's panel: the year's flags not set aside, counted by kind, and the first."""
    found = flags(year=year, today=today)
    counts = Counter(flag.kind for flag in found)
    return {
        "year": year,
        "total": len(found),
        "counts": [(kind, label, counts.get(kind, 0)) for kind, label in Kind.choices],
        "first": found[:shown],
    }


def figures(*, deadline, today=None, listed=10):
    """What the consolidated report says of the flags not set aside for ``deadline``: its
    reports much like another, and the twinnings of its year with only visits and gifts or
    with nothing after their ceremony. Plain lists (frozen as JSON), empty lists if none."""
    year = deadline.effective_date.year
    found = similar_reports(deadline=deadline)
    found += visits_only(year=year, today=today) + ceremony_only(year=year, today=today)
    found = [flag for flag in attach_dismissals(found) if flag.dismissal is None]
    if not found:
        return {}
    found.sort(key=lambda f: (f.agency.sort_key, f.key))
    similar, shallow, ceremonies = ([f for f in found if f.kind == kind] for kind in RULES)
    return {
        "similar": len(similar),
        "similar_listed": [
            [f.agency.name, f.percent, f.key.split(":")[2], f.other.agency.name]
            for f in similar[:listed]
        ],
        "similar_more": max(0, len(similar) - listed),
        "visits_only": len(shallow),
        "visits_only_listed": [
            [f.agency.name, _target_name(f.assignment)] for f in shallow[:listed]
        ],
        "visits_only_more": max(0, len(shallow) - listed),
        "ceremony_only": len(ceremonies),
        "ceremony_only_listed": [
            [f.agency.name, _target_name(f.assignment)] for f in ceremonies[:listed]
        ],
        "ceremony_only_more": max(0, len(ceremonies) - listed),
        "months": FOLLOW_UP_MONTHS,
        "year": year,
    }


# --- Setting a flag aside ------------------------------------------------------------------


class DismissalError(Exception):
    """Why a flag could not be set aside (a message for the user)."""


def find(kind, key, *, today=None):
    """The flag of ``kind`` named ``key`` as the data says today, or None."""
    match = _KEYS.get(kind, re.compile(r"(?!)")).fullmatch(key or "")
    if match is None:
        return None
    if kind == Kind.SIMILAR_REPORT:
        report = (
            Report.objects.exclude(status=Report.Status.DRAFT)
            .select_related("agency", "deadline__rule")
            .filter(pk=int(match["report"]))
            .first()
        )
        candidates = similar_reports(report=report) if report else []
    elif kind == Kind.VISITS_ONLY:
        candidates = visits_only(year=int(match["year"]), today=today)
    else:
        candidates = ceremony_only(today=today)
    return next((flag for flag in candidates if flag.key == key), None)


_KEYS = {
    Kind.SIMILAR_REPORT: re.compile(r"report:(?P<report>\d{1,18}):(prev|other):\d{1,18}"),
    Kind.VISITS_ONLY: re.compile(r"assignment:\d{1,18}:year:(?P<year>\d{4})"),
    Kind.CEREMONY_ONLY: re.compile(r"assignment:\d{1,18}:ceremony"),
}


def flag_dismiss(*, kind, key, note, by, today=None):
    """Set the flag aside with ``note`` (required), recorded with who and when. Refused if
    there is no such flag today or it is already set aside."""
    note = (note or "").strip()
    if not note:
        raise DismissalError(_("Say why the flag is set aside."))
    if find(kind, key, today=today) is None:
        raise DismissalError(_("There is no such flag (the data may have changed)."))
    try:
        with transaction.atomic():
            return FlagDismissal.objects.create(kind=kind, key=key, note=note, dismissed_by=by)
    except IntegrityError:
        raise DismissalError(_("This flag was already set aside.")) from None
