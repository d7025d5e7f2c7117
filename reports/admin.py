from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from assignments.admin import FoldedSearchMixin

from . import support
from .models import (
    Activity,
    Extension,
    Notice,
    OutgoingNumber,
    Report,
    ReportVersion,
    ReviewEvent,
)


@admin.register(Activity)
class ActivityAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    """Activities are recorded and corrected by the parties in the application, whose
    services keep their lines and the yearly sums in step; here they can only be read, or
    deleted when recorded by mistake (the yearly sums follow)."""

    list_display = [
        "date",
        "assignment",
        "kind",
        "cash_vnd",
        "in_kind_vnd",
        "works_vnd",
        "created_by",
    ]
    list_filter = ["kind", "date"]
    list_select_related = ["assignment__agency", "assignment__village", "created_by"]
    search_fields = ["assignment__agency__search_key", "assignment__village__search_key"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        pair = support.pair(obj)
        super().delete_model(request, obj)
        support.refresh({pair})

    def delete_queryset(self, request, queryset):
        pairs = {support.pair(activity) for activity in queryset.select_related("assignment")}
        super().delete_queryset(request, queryset)
        support.refresh(pairs)


class VersionInline(admin.TabularInline):
    model = ReportVersion
    extra = 0
    can_delete = False
    fields = ["number", "submitted_at", "submitted_by", "no_activity", "cash_vnd", "in_kind_vnd"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ["agency", "deadline", "status", "no_activity", "first_submitted_at"]
    list_filter = ["status", "no_activity", "deadline__rule__directive"]
    list_select_related = ["agency", "deadline__rule__directive"]
    search_fields = ["agency__search_key", "deadline__rule__directive__search_key"]
    readonly_fields = ["deadline", "agency", "status", "first_submitted_at", "scan"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # reports are written by agencies in the application

    def has_delete_permission(self, request, obj=None):
        # Submitted reports are never deleted; a forgotten empty draft may be.
        return obj is None or obj.status == Report.Status.DRAFT


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the application only, and kept: read here, never added, changed or
    removed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "report", "action", "by", "reason"]
    list_filter = ["action"]
    list_select_related = ["report__agency", "report__deadline__rule", "by"]


@admin.register(Extension)
class ExtensionAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ["agency", "deadline", "requested_date", "status", "granted_date"]
    list_filter = ["status"]
    list_select_related = ["agency", "deadline__rule"]
    search_fields = ["agency__search_key"]
    readonly_fields = [
        "deadline",
        "agency",
        "requested_by",
        "requested_at",
        "status",
        "granted_date",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(OutgoingNumber)
class OutgoingNumberAdmin(ReadOnlyAdmin):
    """The register is read here; numbers are given by issuing, or entered on its page, and
    never changed or removed."""

    list_display = ["number", "issuer", "issued_on", "kind", "subject", "typed", "recorded_by"]
    list_filter = ["year", "kind", "typed"]
    list_select_related = ["issuer", "recorded_by"]
    search_fields = ["symbol", "subject", "issuer__name"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """The notices the application sent, read here (each user reads and marks their own)."""

    list_display = ["created_at", "recipient", "kind", "text", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "text"]
    date_hierarchy = "created_at"


# django-tasks' results, with columns named through our catalogue (the package names two of
# them by their attribute, untranslated).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("id", "name", *DBTaskResultAdmin.list_display[2:])

    @admin.display(description=_("background task"), ordering="task_path")
    def name(self, obj):
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)
