"""Activities, reports with their submitted versions, reviews and extensions."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assignments.models import (
    Agency,
    AgreementContent,
    Assignment,
    Directive,
    ReportingDeadline,
)
from assignments.periods import Period
from assignments.text import fold, search_terms
from assignments.validators import validate_pdf, validate_upload_size
from ketnghia.storage import private_storage


class AgencyScopedQuerySet(models.QuerySet):
    """Rows a user may see: all for coordinators, viewers and administrators; an agency
    reporter's own agencies' rows only. ``agency_path`` leads from the row to its agency."""

    agency_path = "agency"

    def visible_to(self, user):
        if user.sees_all_agencies:
            return self
        return self.filter(**{f"{self.agency_path}__in": user.agencies.all()})


class ActivityQuerySet(AgencyScopedQuerySet):
    agency_path = "assignment__agency"

    def totals(self):
        """Cash by source, goods and works by value, and beneficiaries by category: the
        sums ``SupportYear`` keeps per agency and year, for any set of activities."""
        return self.aggregate(
            activities=Count("pk"),
            **{name: Sum(source, default=0) for name, source in SupportYear.SOURCES.items()},
        )


class Activity(models.Model):
    """A twinning activity: a visit, gifts, production support, building works, ...

    Support is counted as the seeds count it: cash by source, goods as quantity, unit and
    value (``goods``), works by type with quantity and value (``works``), beneficiaries by
    category. ``cash_vnd``, ``in_kind_vnd`` and ``works_vnd`` are the totals, kept in step by
    ``save()`` and the services so that sums over years are one query.
    """

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        GIFTS = "gifts", _("Gifts")
        PRODUCTION = "production", _("Production support")
        CONSTRUCTION = "construction", _("Building works")
        PROPAGANDA = "propaganda", _("Propaganda")
        CEREMONY = "ceremony", _("Twinning ceremony")
        OTHER = "other", _("Other")

    CASH_SOURCES = ("cash_budget_vnd", "cash_staff_vnd", "cash_donors_vnd", "cash_other_vnd")
    BENEFICIARIES = (
        "beneficiary_poor_households",
        "beneficiary_policy_families",
        "beneficiary_pupils",
        "beneficiary_others",
    )

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("twinning"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    description = models.TextField(_("description"))
    cash_budget_vnd = models.PositiveBigIntegerField(_("cash from the agency's budget"), default=0)
    cash_staff_vnd = models.PositiveBigIntegerField(_("cash from staff contributions"), default=0)
    cash_donors_vnd = models.PositiveBigIntegerField(
        _("cash from enterprises and donors"), default=0
    )
    cash_other_vnd = models.PositiveBigIntegerField(
        _("cash from other or unrecorded sources"), default=0
    )
    cash_vnd = models.PositiveBigIntegerField(_("cash (VND)"), default=0, editable=False)
    in_kind_vnd = models.PositiveBigIntegerField(_("goods, value (VND)"), default=0, editable=False)
    works_vnd = models.PositiveBigIntegerField(_("works, value (VND)"), default=0, editable=False)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    contents = models.ManyToManyField(
        AgreementContent,
        blank=True,
        related_name="activities",
        verbose_name=_("covenant contents carried out"),
    )
    beneficiary_poor_households = models.PositiveIntegerField(
        _("poor households helped"), null=True, blank=True
    )
    beneficiary_policy_families = models.PositiveIntegerField(
        _("policy families helped"), null=True, blank=True
    )
    beneficiary_pupils = models.PositiveIntegerField(_("pupils helped"), null=True, blank=True)
    beneficiary_others = models.PositiveIntegerField(
        _("other people helped"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["assignment", "date"]), models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.cash_vnd = sum(getattr(self, name) or 0 for name in self.CASH_SOURCES)
        super().save(*args, **kwargs)

    def clean(self):
        assignment = getattr(self, "assignment", None)
        if assignment is not None and self.date and not assignment.is_in_force(self.date):
            raise ValidationError(
                {
                    "date": _(
                        "This twinning ran from %(start)s to %(end)s: the activity's date is "
                        "outside it."
                    )
                    % {
                        "start": assignment.start_date.strftime("%d/%m/%Y"),
                        "end": assignment.end_date.strftime("%d/%m/%Y")
                        if assignment.end_date
                        else "…",
                    }
                }
            )

    @property
    def total_vnd(self):
        return self.cash_vnd + self.in_kind_vnd + self.works_vnd


class ActivityGoods(models.Model):
    """Goods given in an activity: "144 phần quà, mỗi phần 10 kg gạo, trị giá …"."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="goods", verbose_name=_("activity")
    )
    item = models.CharField(_("item"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("e.g. phần, kg, tấn, bộ"))
    weight_kg = models.DecimalField(
        _("total weight (kg)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    value_vnd = models.PositiveBigIntegerField(_("value (VND)"), default=0)

    class Meta:
        verbose_name = _("goods given")
        verbose_name_plural = _("goods given")
        ordering = ["activity", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="goods_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity.normalize():f} {self.unit} {self.item}"


class ActivityWork(models.Model):
    """A work built or repaired in an activity: a road, a Đại đoàn kết house, …"""

    class Kind(models.TextChoices):
        ROAD = "road", _("Road")
        GREAT_UNITY_HOUSE = "great_unity_house", _("Đại đoàn kết house")
        CULTURE_HOUSE = "culture_house", _("Culture house")
        SCHOOL = "school", _("School or kindergarten")
        WATER = "water", _("Clean water")
        ELECTRICITY = "electricity", _("Electricity")
        OTHER = "other", _("Other works")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="works", verbose_name=_("activity")
    )
    kind = models.CharField(_("type of works"), max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("e.g. km, căn, công trình"))
    value_vnd = models.PositiveBigIntegerField(_("value (VND)"), default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("works")
        verbose_name_plural = _("works")
        ordering = ["activity", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="works_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.quantity.normalize():f} {self.unit}"


class SupportYearQuerySet(AgencyScopedQuerySet):
    def totals(self):
        """The same sums as ``ActivityQuerySet.totals()``, from the yearly rows."""
        return self.aggregate(
            activities=Sum("activities", default=0),
            **{name: Sum(name, default=0) for name in SupportYear.SUMS},
        )


class SupportYear(models.Model):
    """The support one agency mobilised in one year, summed from its activities: what the
    dashboard and the activity list show, without adding up a million activities on every
    request. The activity services keep it in step (``support.refresh``); a bulk load
    rebuilds it (``support.rebuild``)."""

    # Each sum → the Activity field it adds up.
    SOURCES = {
        "cash": "cash_vnd",
        "cash_budget": "cash_budget_vnd",
        "cash_staff": "cash_staff_vnd",
        "cash_donors": "cash_donors_vnd",
        "cash_other": "cash_other_vnd",
        "in_kind": "in_kind_vnd",
        "works": "works_vnd",
        "poor_households": "beneficiary_poor_households",
        "policy_families": "beneficiary_policy_families",
        "pupils": "beneficiary_pupils",
        "others": "beneficiary_others",
    }
    SUMS = tuple(SOURCES)

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    activities = models.PositiveIntegerField(_("activities"), default=0)
    cash = models.PositiveBigIntegerField(_("cash (VND)"), default=0)
    cash_budget = models.PositiveBigIntegerField(_("cash from the agency's budget"), default=0)
    cash_staff = models.PositiveBigIntegerField(_("cash from staff contributions"), default=0)
    cash_donors = models.PositiveBigIntegerField(_("cash from enterprises and donors"), default=0)
    cash_other = models.PositiveBigIntegerField(
        _("cash from other or unrecorded sources"), default=0
    )
    in_kind = models.PositiveBigIntegerField(_("goods, value (VND)"), default=0)
    works = models.PositiveBigIntegerField(_("works, value (VND)"), default=0)
    poor_households = models.PositiveIntegerField(_("poor households helped"), default=0)
    policy_families = models.PositiveIntegerField(_("policy families helped"), default=0)
    pupils = models.PositiveIntegerField(_("pupils helped"), default=0)
    others = models.PositiveIntegerField(_("other people helped"), default=0)

    objects = SupportYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("support of a year")
        verbose_name_plural = _("support by year")
        ordering = ["agency", "year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="support_one_per_year"),
        ]

    def __str__(self):
        return f"{self.agency} – {self.year}"


class ReportQuerySet(AgencyScopedQuerySet):
    def search(self, query):
        """Reports whose agency or document matches every word of ``query`` (no diacritics).

        The matching agencies and documents are looked up first (two small tables, two
        queries), so that the reports are then found through their indexes: a word that
        matches little does not make the database walk every report in the list's order."""
        terms = search_terms(query)
        if not terms:
            return self
        agencies = _matching(Agency.objects.all(), terms)
        directives = _matching(Directive.objects.all(), terms)
        qs = self
        for term in terms:
            qs = qs.filter(
                Q(agency__in=agencies[term]) | Q(deadline__rule__directive__in=directives[term])
            )
        return qs

    def with_related(self):
        return self.select_related("agency", "deadline__rule__directive")

    def latest_first(self):
        """Submitted reports, the latest submission first (an index keeps the order)."""
        return self.exclude(status=Report.Status.DRAFT).order_by("-first_submitted_at", "-pk")


def _matching(queryset, terms):
    """term → the ids of the rows of ``queryset`` whose folded key holds it, in one query."""
    anyone = Q()
    for term in terms:
        anyone |= Q(search_key__contains=term)
    found = {term: [] for term in terms}
    for pk, key in queryset.filter(anyone).order_by().values_list("pk", "search_key"):
        for term in terms:
            if term in key:
                found[term].append(pk)
    return found


class Report(models.Model):
    """An agency's report for one deadline. Drafts are edited; a submitted report is locked
    and each submission is kept as a ReportVersion."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")

    deadline = models.ForeignKey(
        ReportingDeadline,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("reporting deadline"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="reports", verbose_name=_("agency")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    no_activity = models.BooleanField(
        _("nothing to report"),
        default=False,
        help_text=_(
            "The agency had no twinning activity in the period; this still counts as "
            "a submitted report."
        ),
    )
    results = models.TextField(_("results achieved"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    directions = models.TextField(_("directions ahead"), blank=True)
    proposals = models.TextField(_("recommendations and proposals"), blank=True)
    # A plan's texts (the deadline's rule says whether the report is a yearly plan).
    objectives = models.TextField(_("objectives and requirements"), blank=True)
    resources = models.TextField(_("funds and resources"), blank=True)
    organisation = models.TextField(_("implementation"), blank=True)
    scan = models.FileField(
        _("signed scan (PDF)"),
        storage=private_storage,
        upload_to="scans/%Y/",
        blank=True,
        validators=[validate_pdf, validate_upload_size],
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-deadline__due_date", "agency__sort_key"]
        indexes = [
            # The list of submitted reports, latest first, without sorting them all.
            models.Index(fields=["-first_submitted_at", "-id"], name="report_latest_first"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "agency"], name="report_one_per_deadline"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(first_submitted_at__isnull=False),
                name="report_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.agency} – {self.deadline}"

    @property
    def is_editable(self):
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_plan(self):
        return self.deadline.rule.is_plan

    def period(self):
        """The activities a report covers: since the previous deadline of the same rule."""
        previous = (
            ReportingDeadline.objects.filter(
                rule=self.deadline.rule, due_date__lt=self.deadline.due_date
            )
            .order_by("-due_date")
            .first()
        )
        start = previous.effective_date if previous else self.deadline.rule.directive.issued_on
        return start, self.deadline.effective_date

    def activities(self):
        """The agency's activities of the report's period, with their targets (their goods
        and works lines are not loaded: the form lists each activity's stored sums)."""
        start, end = self.period()
        return Activity.objects.filter(
            assignment__agency=self.agency, date__gt=start, date__lte=end
        ).select_related("assignment__village__commune", "assignment__commune__parent")

    def delete(self, *args, **kwargs):
        if self.status != self.Status.DRAFT:
            raise models.ProtectedError(_("A submitted report is never deleted."), {self})
        return super().delete(*args, **kwargs)


class PlannedActivity(models.Model):
    """An activity a yearly plan intends: when (a month, a quarter or the whole year), where
    (one of the agency's twinnings, or all of them), what, and the funds set aside."""

    Period = Period

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="planned", verbose_name=_("plan")
    )
    period = models.CharField(_("when"), max_length=4, choices=Period.choices)
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("twinning"),
        help_text=_("Empty: for all the agency's twinnings."),
    )
    kind = models.CharField(_("type"), max_length=15, choices=Activity.Kind.choices)
    description = models.TextField(_("activity planned"))
    budget_vnd = models.PositiveBigIntegerField(_("funds planned (VND)"), default=0)

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["report", "pk"]

    def __str__(self):
        return f"{self.get_period_display()}: {self.description[:60]}"


class ReportVersion(models.Model):
    """A submitted version, frozen: the texts, the activities and totals as submitted."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report")
    )
    number = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    no_activity = models.BooleanField(_("nothing to report"), default=False)
    results = models.TextField(_("results achieved"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    directions = models.TextField(_("directions ahead"), blank=True)
    proposals = models.TextField(_("recommendations and proposals"), blank=True)
    activities = models.JSONField(_("activities"), default=list)
    objectives = models.TextField(_("objectives and requirements"), blank=True)
    resources = models.TextField(_("funds and resources"), blank=True)
    organisation = models.TextField(_("implementation"), blank=True)
    planned = models.JSONField(_("planned activities"), default=list)
    cash_vnd = models.PositiveBigIntegerField(_("cash (VND)"), default=0)
    in_kind_vnd = models.PositiveBigIntegerField(_("value in kind (VND)"), default=0)
    works_vnd = models.PositiveBigIntegerField(_("works, value (VND)"), default=0)
    scan = models.FileField(
        _("signed scan (PDF)"), storage=private_storage, upload_to="scans/%Y/", blank=True
    )

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique"),
        ]

    def __str__(self):
        return _("Version %(number)s") % {"number": self.number}


class ReviewEvent(models.Model):
    """Who did what to a report, when: the review trail shown with the report."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RETURN = "return", _("Returned")
        ACCEPT = "accept", _("Accepted")

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="events", verbose_name=_("report")
    )
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        verbose_name=_("version"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="return") | ~Q(reason=""), name="review_return_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%d/%m/%Y %H:%M})"


class Extension(models.Model):
    """An agency's request for more time on one deadline, and the coordinator's decision."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    deadline = models.ForeignKey(
        ReportingDeadline,
        on_delete=models.PROTECT,
        related_name="extensions",
        verbose_name=_("reporting deadline"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("agency")
    )
    reason = models.TextField(_("reason for the request"))
    requested_date = models.DateField(_("date asked for"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    granted_date = models.DateField(_("new due date"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "agency"],
                condition=Q(status__in=["requested", "granted"]),
                name="extension_one_open_per_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_date__isnull=False),
                name="extension_granted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(granted_date__isnull=True) | Q(status="granted"),
                name="extension_date_only_when_granted",
            ),
        ]

    def __str__(self):
        return f"{self.agency} – {self.deadline} ({self.get_status_display()})"


class ReminderLog(models.Model):
    """A reminder that was sent, so that the daily run never sends it twice."""

    key = models.CharField(_("reminder"), max_length=120, unique=True)
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]

    def __str__(self):
        return self.key


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """A notice in the application (the bell): a report submitted, returned or accepted, an
    extension decided, a deadline moved, a reminder. Its text is written when it is made, in
    Vietnamese; it links to what it is about and is read or not."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Report submitted")
        RETURNED = "returned", _("Report returned")
        ACCEPTED = "accepted", _("Report accepted")
        EXTENSION = "extension", _("Extension")
        DEADLINE_MOVED = "deadline_moved", _("Deadline moved")
        REMINDER = "reminder", _("Reminder")
        MEETING = "meeting", _("Meeting")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("notice"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notice_latest"),
        ]

    def __str__(self):
        return self.text


class FlagDismissal(models.Model):
    """A formalism flag the coordinator set aside, with why: the flag is computed from the
    data (a report much like another, a year of only visits and gifts, a ceremony with
    nothing after it) and named by its kind and key, so it stays set aside while the data
    that raised it is unchanged."""

    class Kind(models.TextChoices):
        SIMILAR_REPORT = "similar_report", _("Report much like another")
        VISITS_ONLY = "visits_only", _("Only visits and gifts in a year")
        CEREMONY_ONLY = "ceremony_only", _("Ceremony with no activity after it")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(
        _("flag"), max_length=100, help_text=_("What the flag is about, e.g. report:12:other:30.")
    )
    note = models.TextField(_("why it is set aside"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set aside by"),
    )
    dismissed_at = models.DateTimeField(_("set aside at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flag set aside")
        verbose_name_plural = _("flags set aside")
        ordering = ["-dismissed_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="flag_dismissed_once"),
            models.CheckConstraint(
                condition=~Q(note=""),
                name="flag_dismissal_has_note",
                violation_error_message=_("Say why the flag is set aside."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key}"


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A secret calendar address: an agency's deadlines, or all of them for a coordinator.
    Anyone with the address can read the feed, so it can be revoked and replaced."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("agency"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("coordinator"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, user__isnull=True)
                | Q(agency__isnull=True, user__isnull=False),
                name="feed_for_agency_or_user",
            ),
        ]

    def __str__(self):
        return str(self.agency or self.user)


class IssuedDocument(models.Model):
    """An official document as issued: its number, date, signer, recipients and the figures
    it shows are frozen with the file. Re-issuing makes a new document pointing to the old."""

    class Kind(models.TextChoices):
        ASSIGNMENT_LIST = "assignment_list", _("Assignment list (appendix)")
        CONSOLIDATED = "consolidated", _("Consolidated report")
        AGENCY_REPORT = "agency_report", _("Agency's report")
        AGENCY_PLAN = "agency_plan", _("Agency's yearly twinning plan")
        REMINDER_LETTER = "reminder_letter", _("Reminder letter")
        REVIEW = "review", _("Multi-year review")
        INVITATION = "invitation", _("Invitation to a twinning ceremony")
        REASSIGNMENT_LETTER = "reassignment", _("Reassignment letter")
        COVENANT = "covenant", _("Twinning covenant (biên bản kết nghĩa)")
        PROGRAMME = "programme", _("Coordination programme")
        AGREEMENT_PLAN = "agreement_plan", _("Yearly plan of a programme or covenant")
        AGREEMENT_REVIEW = "agreement_review", _("Review of a programme or covenant")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    issuing_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("issued by (body)"),
        help_text=_("The body whose header, number and signature the document carries."),
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    drafting_unit = models.CharField(
        _("drafting unit"),
        max_length=20,
        blank=True,
        help_text=_("Its abbreviation, as in the number and in “Lưu: VT, …” (e.g. VP, NV)."),
    )
    issued_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    parent_body = models.CharField(_("parent body"), max_length=200, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200)
    signing_authority = models.CharField(_("signing on behalf"), max_length=100, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer"), max_length=100, blank=True)
    addressees = models.TextField(
        _("addressed to"),
        blank=True,
        help_text=_("“Kính gửi”: one body per line (letters, and reports sent to a superior)."),
    )
    recipients = models.TextField(
        _("recipients"),
        blank=True,
        help_text=_("One per line; “Như trên” and “Lưu: VT” are added by the form."),
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    figures = models.JSONField(_("figures"), default=dict)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("agency"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to="documents/%Y/", blank=True)
    xlsx = models.FileField(
        _("spreadsheet"), storage=private_storage, upload_to="documents/%Y/", blank=True
    )
    docx = models.FileField(
        _("Word file"), storage=private_storage, upload_to="documents/%Y/", blank=True
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("replaces"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def recipient_list(self):
        """The recipients as typed, without the lines the form prints itself ("Như trên",
        "Lưu: VT …"), so that none is printed twice."""
        lines = [line.strip(" -;.\t") for line in self.recipients.splitlines()]
        return [
            line
            for line in lines
            if line and not fold(line).startswith(("luu:", "luu ", "nhu tren"))
        ]

    @property
    def addressee_list(self):
        return [line.strip() for line in self.addressees.splitlines() if line.strip()]

    # The kinds an agency issues under its own heading, number and signature, whoever
    # issues them in the application.
    OWN_KINDS = (Kind.AGENCY_REPORT, Kind.AGENCY_PLAN, Kind.INVITATION)
    # The kinds of an agreement, issued under the heading and number of one of its parties
    # (the officer's own agency, else the first party) and signed by every party.
    AGREEMENT_KINDS = (Kind.COVENANT, Kind.PROGRAMME, Kind.AGREEMENT_PLAN, Kind.AGREEMENT_REVIEW)

    def may_be_reissued_as(self, *, kind, agency):
        """Whether a new document of ``kind`` for ``agency`` is a re-issue of this one: same
        kind, same agency (or both for no agency)."""
        return self.kind == kind and self.agency_id == (agency.pk if agency else None)


class OutgoingNumberQuerySet(AgencyScopedQuerySet):
    agency_path = "issuer"


class OutgoingNumber(models.Model):
    """A line of the register of outgoing documents (sổ đăng ký văn bản đi): each issuing body
    numbers its documents from 01 each year in one sequence across kinds. A number is given
    once and never reused; one typed by hand (a document numbered elsewhere) takes its place
    in the sequence, and the register refuses it a second time."""

    issuer = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="outgoing_numbers",
        verbose_name=_("issuing body"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    symbol = models.CharField(
        _("symbol"), max_length=50, help_text=_("What follows the slash: BC-SDTTG, SDTTG-VP.")
    )
    issued_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=500)
    document = models.OneToOneField(
        IssuedDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_entry",
        verbose_name=_("document"),
    )
    typed = models.BooleanField(
        _("typed by hand"), default=False, help_text=_("Numbered elsewhere and recorded here.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = OutgoingNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing document number")
        verbose_name_plural = _("register of outgoing documents")
        ordering = ["issuer", "-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "sequence"], name="outgoing_number_once_a_year"
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="outgoing_number_from_one"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self):
        """ "05/BC-SDTTG": numbers under 10 with a leading zero (Phụ lục I, mục II.3)."""
        return f"{self.sequence:02d}/{self.symbol}"
