import datetime as dt
import re
from contextlib import contextmanager

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from reports import support

from . import lifecycle, services
from .agency_names import agency_alias_remember
from .importing import purge_preview_files
from .models import (
    AdministrativeUnit,
    Agency,
    AgencyAlias,
    AgencyMembership,
    AgencySuccession,
    Agreement,
    AgreementContent,
    AgreementParty,
    Assignment,
    Directive,
    EthnicGroup,
    ExemplaryModel,
    Meeting,
    ModelYear,
    ReportingDeadline,
    ReportingRule,
    RestructuringEvent,
    UnitSuccession,
    User,
    Village,
    VillageLocation,
    VillageYearFigures,
    Wish,
)
from .resources import (
    READING,
    AdministrativeUnitResource,
    AgencyResource,
    AgreementContentResource,
    AssignmentResource,
    DirectiveResource,
    ModelRegisterResource,
    VillageFiguresResource,
    VillageResource,
    day_first_dates,
    export_file_name,
)
from .spreadsheets import ImportFileError, check_upload
from .text import fold, search_terms


class FoldedSearchMixin:
    """Search that ignores diacritics and case: every word of the query must appear in one of
    ``search_fields``, which name folded key columns (``search_key`` and related ones)."""

    def get_search_results(self, request, queryset, search_term):
        for term in search_terms(search_term):
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__contains": term})
            queryset = queryset.filter(condition)
        return queryset, False


def restructuring_action(name, description, url_name, parameter):
    """An admin action that opens the coordinators' restructuring page with the chosen
    rows: the admin and the pages call the same service, with the same preview."""

    def action(modeladmin, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse(url_name)}?{parameter}={ids}")

    action.__name__ = name
    action.short_description = description
    return action


class HistoryAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    pass


class ReadingOptions(forms.Form):
    """How the file is read: which sheet, and whether hidden rows count."""

    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=100,
        help_text=_("Empty: the sheet holding the list. Name it when several sheets hold one."),
    )
    include_hidden = forms.BooleanField(
        label=_("Import hidden rows too"),
        required=False,
        help_text=_("Hidden rows are skipped and listed in the preview."),
    )


class ListImportForm(ImportForm, ReadingOptions):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload(upload.name, upload.size)
        except ImportFileError as error:
            raise ValidationError(str(error)) from None
        return upload


class ListConfirmForm(ConfirmImportForm, ReadingOptions):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ReadingOptions.base_fields:
            self.fields[name].widget = forms.HiddenInput()

    def clean_import_file_name(self):
        # The name the preview gave its file (uuid4().hex), posted back by the browser: never
        # a path, or confirming would read, and then delete, another file of the storage.
        name = self.cleaned_data["import_file_name"]
        if not re.fullmatch(r"[0-9a-f]{32}", name):
            raise ValidationError(_("This preview's file is unknown: import the file again."))
        return name


def options_forms(options_form):
    """The import and confirm forms of an import that asks for more (e.g. the directive)."""

    class OptionsConfirmForm(ListConfirmForm, options_form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in options_form.base_fields:
                self.fields[name].widget = forms.HiddenInput()

    return type("OptionsImportForm", (ListImportForm, options_form), {}), OptionsConfirmForm


class AssignmentImportOptions(forms.Form):
    directive = forms.ModelChoiceField(
        Directive.objects.all(), label=_("Directive / document carrying the list")
    )
    start_date = forms.DateField(
        label=_("Start date of the new assignments"),
        required=False,
        help_text=_(
            "For rows without their own “Ngày bắt đầu” (empty: today). Assignments are "
            "expected to report only from this date."
        ),
        initial=timezone.localdate,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y"),
    )
    create_missing = forms.BooleanField(
        label=_("Create agencies and villages that are not found"), required=False
    )


class VillageImportOptions(forms.Form):
    year = forms.IntegerField(
        label=_("Year of the households and poverty figures"),
        required=False,
        help_text=_("Empty: this year."),
        min_value=1990,
        max_value=2100,
        initial=lambda: timezone.localdate().year,
    )


class UnitImportOptions(forms.Form):
    code_list = forms.ChoiceField(
        choices=AdministrativeUnit.CodeList.choices,
        label=_("Code list of the file"),
        initial=AdministrativeUnit.CodeList.GSO_2025,
    )


@contextmanager
def reading_options(request):
    """Pass the form's sheet and hidden-rows choices to the file's reader, which
    django-import-export calls without the form."""
    form = ReadingOptions(request.POST or None)
    token = READING.set(form.cleaned_data if form.is_valid() else {})
    try:
        yield
    finally:
        READING.reset(token)


class ListImportExportMixin(ImportExportMixin):
    """Import with preview and export to .xlsx and .csv, through the model's resource; the
    import page offers an empty template to fill in."""

    import_form_class = ListImportForm
    confirm_form_class = ListConfirmForm
    import_template_name = "admin/assignments/import.html"
    import_options_form = None  # a form of further questions, e.g. the directive
    export_name = None  # the exported file's name before the date; else the model's, folded

    def get_export_filename(self, request, queryset, file_format):
        """ "phan-cong-ket-nghia-22-11-2026.xlsx", not "Assignment-2026-11-22.csv"."""
        name = self.export_name
        if name is None:
            with translation.override(settings.LANGUAGE_CODE):
                name = fold(str(self.model._meta.verbose_name_plural)).replace(" ", "-")
        return export_file_name(name, file_format.get_extension())

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """A .csv starts with a byte order mark, without which Excel reads UTF-8 Vietnamese
        as gibberish; an .xlsx shows its dates dd/mm/yyyy."""
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        if isinstance(file_format, base_formats.CSV):
            return (b"\xef\xbb\xbf" if isinstance(data, bytes) else "\ufeff") + data
        if isinstance(file_format, base_formats.XLSX):
            return day_first_dates(data)
        return data

    def get_import_resource_kwargs(self, request, *args, **kwargs):
        form = kwargs.get("form")
        options = super().get_import_resource_kwargs(request, *args, **kwargs)
        if self.import_options_form and form is not None and form.is_valid():
            for name in self.import_options_form.base_fields:
                options[name] = form.cleaned_data.get(name)
        return options

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            names = [*ReadingOptions.base_fields]
            if self.import_options_form:
                names += self.import_options_form.base_fields
            for name in names:
                value = import_form.cleaned_data.get(name)
                value = getattr(value, "pk", value)
                initial[name] = "" if value is None else value
        return initial

    @property
    def import_formats(self):
        return [self.resource_classes[0].import_format()]

    def import_action(self, request, **kwargs):
        if request.method == "GET":
            purge_preview_files()  # when the page is opened, not on each preview
        elif self.has_import_permission(request) and not request.FILES.get("import_file"):
            self.reuse_upload(request)
        with reading_options(request):
            response = super().import_action(request, **kwargs)
        self.offer_reuse(request, response)
        return response

    REUSE_MAX_AGE = dt.timedelta(hours=12)

    @property
    def reuse_salt(self):
        return f"import.reuse.{self.model._meta.label_lower}"

    def offer_reuse(self, request, response):
        """After a preview that cannot be confirmed (names to remember, rows in error, or a
        file that asks which sheet), sign the name under which the file waits in the
        temporary storage, so that submitting again, with a name ticked or another option,
        reads it without choosing it again."""
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if form is None or context.get("confirm_form") is not None:
            return
        # The upload itself: a form error on the file takes it out of cleaned_data.
        upload = request.FILES.get("import_file")
        stored = getattr(upload, "tmp_storage_name", None)
        if not stored:
            return
        context["reuse_file"] = signing.dumps(
            {"stored": stored, "name": upload.name, "user": request.user.pk}, salt=self.reuse_salt
        )
        context["reuse_file_name"] = upload.name
        form.fields["import_file"].required = False  # no "required" on the file input

    def reuse_upload(self, request):
        """Put the file kept by offer_reuse back into the request, as if chosen again."""
        token = request.POST.get("reuse_file")
        if not token:
            return
        kept = self.kept_upload(request, token)
        if kept is None:
            messages.error(request, _("The file sent before is no longer kept: choose it again."))
        else:
            request.FILES["import_file"] = kept

    def kept_upload(self, request, token):
        """The file a reuse token names, taken out of the temporary storage; None when the
        token is altered, expired or another user's, or the file already read."""
        try:
            kept = signing.loads(token, salt=self.reuse_salt, max_age=self.REUSE_MAX_AGE)
        except signing.BadSignature:
            return None
        if kept.get("user") != request.user.pk:
            return None
        storage = self.get_tmp_storage_class()(name=kept["stored"], read_mode="rb")
        try:
            data = storage.read()
            storage.remove()
        except OSError:
            return None
        return SimpleUploadedFile(kept["name"], data)

    def process_import(self, request, **kwargs):
        with reading_options(request):
            try:
                return super().process_import(request, **kwargs)
            except FileNotFoundError:
                # Confirmed after its file was removed (PREVIEW_FILES_KEPT), or twice.
                messages.error(
                    request, _("The file of this preview is no longer kept: import it again.")
                )
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")

    @property
    def export_formats(self):
        return [base_formats.XLSX, base_formats.CSV]

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="mau-{self.model._meta.model_name}.xlsx"'
        )
        self.resource_classes[0].template_workbook().save(response)
        return response

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, ImportFileError):
            form.add_error("import_file", str(error))
        else:
            form.add_error("import_file", _("The file cannot be read as a list."))

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # All or nothing: a row that fails at confirmation undoes the whole file.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs


class UnitSuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    can_delete = False
    fields = ["successor", "effective_date", "note", "event"]
    readonly_fields = fields
    verbose_name = _("successor unit")
    verbose_name_plural = _("successor units (recorded by restructurings)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ListImportExportMixin, HistoryAdmin):
    resource_classes = [AdministrativeUnitResource]
    import_options_form = UnitImportOptions
    import_form_class, confirm_form_class = options_forms(UnitImportOptions)
    list_display = ["__str__", "level", "code", "code_list", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "unit_type", "code_list", ("valid_to", admin.EmptyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["search_key", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["valid_to"]
    inlines = [UnitSuccessionInline]
    actions = [
        restructuring_action(
            "merge_units", _("Merge the selected units (restructuring)"), "unit_merge", "units"
        ),
    ]


@admin.register(EthnicGroup)
class EthnicGroupAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "code_list", "aliases"]
    list_filter = ["code_list"]
    search_fields = ["search_key", "code"]


class DistrictFilter(admin.SimpleListFilter):
    """Filter by the district a village's commune belongs (or belonged) to."""

    title = _("district")
    parameter_name = "district"
    path = "commune__parent"

    def lookups(self, request, model_admin):
        districts = AdministrativeUnit.objects.filter(
            level=AdministrativeUnit.Level.DISTRICT, children__villages__isnull=False
        ).distinct()
        return [(unit.pk, str(unit)) for unit in districts]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.path: self.value()})
        return queryset


class AssignmentDistrictFilter(DistrictFilter):
    path = "village__commune__parent"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(village__commune__parent=self.value()) | Q(commune__parent=self.value())
            )
        return queryset


class VillageLocationInline(admin.TabularInline):
    model = VillageLocation
    extra = 0
    can_delete = False
    fields = ["commune", "valid_from", "valid_to", "event"]
    readonly_fields = fields
    verbose_name_plural = _("locations (moved by mergers of communes)")

    def has_add_permission(self, request, obj=None):
        return False


class VillageYearFiguresInline(admin.TabularInline):
    model = VillageYearFigures
    extra = 0
    fields = ["year", *VillageYearFigures.FIGURES]


@admin.register(Village)
class VillageAdmin(ListImportExportMixin, HistoryAdmin):
    resource_classes = [VillageResource]
    import_options_form = VillageImportOptions
    import_form_class, confirm_form_class = options_forms(VillageImportOptions)
    inlines = [VillageYearFiguresInline, VillageLocationInline]
    list_display = [
        "__str__",
        "commune",
        "district",
        "especially_disadvantaged",
        "mixed",
    ]
    list_filter = [
        DistrictFilter,
        "kind",
        "is_ethnic_minority",
        "especially_disadvantaged",
        "mixed",
        "ethnic_groups",
    ]
    list_select_related = ["commune__parent"]
    search_fields = ["search_key", "commune__search_key"]
    autocomplete_fields = ["commune", "ethnic_groups"]

    @admin.display(description=_("district"))
    def district(self, village):
        return village.commune.district or "–"


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 0
    autocomplete_fields = ["user", "agency"]


class AgencyAdminForm(forms.ModelForm):
    """A party may be given its last day here only when it holds nothing after it; a merger,
    split or renaming goes through the restructuring pages, which move what it holds."""

    class Meta:
        model = Agency
        fields = [
            "name",
            "short_name",
            "parent_body",
            "level",
            "kind",
            "unit",
            "email",
            "is_coordinating_body",
            "valid_from",
            "valid_to",
            "note",
        ]

    def clean(self):
        data = super().clean()
        end = data.get("valid_to")
        if end and self.instance.pk:
            held = Assignment.objects.filter(agency=self.instance).filter(
                Q(end_date__isnull=True) | Q(end_date__gt=end)
            )
            if held.exists():
                self.add_error(
                    "valid_to",
                    _(
                        "This party still holds %(count)s assignment(s) after that day: record "
                        "its merger, split or renaming on the restructuring page, or end them "
                        "first."
                    )
                    % {"count": held.count()},
                )
        return data


class SuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    can_delete = False
    fields = ["successor", "kind", "effective_date", "event"]
    readonly_fields = fields
    verbose_name_plural = _("successors (recorded by restructurings)")

    def has_add_permission(self, request, obj=None):
        return False


class AgencyAliasForm(forms.ModelForm):
    class Meta:
        model = AgencyAlias
        fields = ["agency", "alias"]

    def clean_alias(self):
        alias = self.cleaned_data["alias"]
        clash = AgencyAlias.objects.filter(key=fold(alias)).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("This name is already remembered for an agency."))
        return alias


@admin.register(AgencyAlias)
class AgencyAliasAdmin(HistoryAdmin):
    """Other names of agencies, remembered from imports: coordinators review and delete them."""

    form = AgencyAliasForm
    list_display = ["alias", "agency", "created_by", "created_at"]
    list_select_related = ["agency", "created_by"]
    search_fields = ["key", "agency__search_key"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Agency)
class AgencyAdmin(ListImportExportMixin, HistoryAdmin):
    resource_classes = [AgencyResource]
    list_display = [
        "name",
        "short_name",
        "level",
        "kind",
        "email",
        "is_coordinating_body",
        "valid_from",
        "valid_to",
    ]
    list_filter = [
        "level",
        "kind",
        "is_coordinating_body",
        ("valid_to", admin.EmptyFieldListFilter),
    ]
    search_fields = ["search_key"]
    autocomplete_fields = ["unit"]
    form = AgencyAdminForm
    inlines = [MembershipInline, SuccessionInline]
    actions = [
        restructuring_action(
            "merge", _("Merge the selected parties (restructuring)"), "agency_merge", "agencies"
        ),
        restructuring_action(
            "split", _("Split the selected party (restructuring)"), "agency_split", "agency"
        ),
        restructuring_action(
            "rename", _("Rename the selected party (restructuring)"), "agency_rename", "agency"
        ),
    ]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets[:1],
        (_("Role"), {"fields": ["role"]}),
        *BaseUserAdmin.fieldsets[1:],
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "role", "password1", "password2"]}),
    ]
    inlines = [MembershipInline]


class ReportingRuleInline(admin.StackedInline):
    model = ReportingRule
    extra = 0
    fields = [
        "label",
        ("reporter", "kind", "plan_for_next_year"),
        "frequency",
        "due_date",
        ("due_day", "due_month"),
        ("first_year", "last_year"),
        "recipients",
    ]


class DirectiveAdminForm(forms.ModelForm):
    """A document may stop being in force here (its period over) only when none of its
    assignments is held after that day; replacing it by a new one is a restructuring."""

    class Meta:
        model = Directive
        fields = [
            "kind",
            "number",
            "issuing_body",
            "issued_on",
            "title",
            "period_from_year",
            "period_to_year",
            "implements",
            "in_force_to",
            "file",
            "note",
        ]

    def clean(self):
        data = super().clean()
        end = data.get("in_force_to")
        if end and self.instance.pk:
            held = self.instance.assignments.filter(Q(end_date__isnull=True) | Q(end_date__gt=end))
            if held.exists():
                self.add_error(
                    "in_force_to",
                    _(
                        "%(count)s assignment(s) of this document are held after that day: "
                        "replace it by a new document on the restructuring page, or end them "
                        "first."
                    )
                    % {"count": held.count()},
                )
        return data


@admin.register(Directive)
class DirectiveAdmin(ListImportExportMixin, HistoryAdmin):
    form = DirectiveAdminForm
    resource_classes = [DirectiveResource]
    list_display = ["number", "kind", "issued_on", "in_force_to", "issuing_body", "title", "period"]
    list_filter = ["kind", "issued_on"]
    search_fields = ["search_key"]
    autocomplete_fields = ["implements"]
    readonly_fields = ["replaced_by"]
    date_hierarchy = "issued_on"
    inlines = [ReportingRuleInline]
    actions = [
        restructuring_action(
            "replace",
            _("Replace the selected document by a new one (restructuring)"),
            "regime_replace",
            "directive",
        ),
    ]

    @admin.display(description=_("period"))
    def period(self, directive):
        if directive.period_from_year:
            return f"{directive.period_from_year}–{directive.period_to_year or ''}"
        return "–"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_rules(request, form.instance.reporting_rules.all())


def sync_rules(request, rules):
    """Derive the concrete deadlines of the rules just saved; undo the save if impossible."""
    try:
        for rule in rules:
            services.rule_sync_deadlines(rule=rule, by=request.user)
    except ValidationError as error:
        transaction.set_rollback(True)
        for message in error.messages:
            messages.error(request, message)


class AssignmentAdminForm(forms.ModelForm):
    """Status changes in the admin follow the lifecycle; the services make them."""

    class Meta:
        model = Assignment
        fields = [
            "directive",
            "agency",
            "village",
            "commune",
            "role",
            "start_date",
            "end_date",
            "status",
            "ceremony_date",
            "ceremony_place",
            "end_reason",
            "ending_document",
            "note",
        ]

    def clean(self):
        data = super().clean()
        if not self.instance.pk or "status" not in self.changed_data:
            return data
        target = data.get("status")
        lifecycle.check_transition(self.initial["status"], target)
        if target == lifecycle.REASSIGNED:
            raise ValidationError(
                _("Reassign through the reassignment screen: it creates the replacement.")
            )
        if target == lifecycle.CEREMONY_HELD and not data.get("ceremony_date"):
            self.add_error("ceremony_date", _("Give the date of the ceremony."))
        if target == lifecycle.ENDED:
            if not data.get("end_date"):
                self.add_error("end_date", _("Give the end date."))
            if not (data.get("end_reason") or "").strip():
                self.add_error("end_reason", _("Give the reason for ending the assignment."))
        return data


@admin.register(Assignment)
class AssignmentAdmin(ListImportExportMixin, HistoryAdmin):
    form = AssignmentAdminForm
    resource_classes = [AssignmentResource]
    import_options_form = AssignmentImportOptions
    import_form_class, confirm_form_class = options_forms(AssignmentImportOptions)

    def import_action(self, request, *args, **kwargs):
        # The preview offers each agency it suggested for a name not found as a checkbox
        # ("remember_alias" = "<agency id>:<name as written>"): on submitting again, the
        # ticked names are remembered first, so the new dry run of the kept file (see
        # ListImportExportMixin.offer_reuse) resolves them.
        if request.method == "POST" and self.has_import_permission(request):
            self.remember_aliases(request, request.POST.getlist("remember_alias"))
        return super().import_action(request, *args, **kwargs)

    def remember_aliases(self, request, choices):
        in_force = Agency.objects.in_force_on(timezone.localdate())
        for choice in choices:
            agency_id, _sep, alias = choice.partition(":")
            agency = in_force.filter(pk=agency_id).first() if agency_id.isdigit() else None
            if agency is None:
                continue
            if agency_alias_remember(agency=agency, alias=alias, by=request.user):
                messages.info(
                    request,
                    _("“%(alias)s” is remembered as %(name)s.")
                    % {"alias": alias, "name": agency.name},
                )

    list_display = [
        "agency",
        "target",
        "commune_of_target",
        "district",
        "role",
        "status",
        "directive",
        "start_date",
        "end_date",
    ]
    list_filter = [
        "status",
        "role",
        "directive",
        AssignmentDistrictFilter,
        "agency__kind",
        "agency__level",
    ]
    list_select_related = [
        "agency",
        "directive",
        "village__commune__parent",
        "commune__parent",
    ]
    search_fields = [
        "agency__search_key",
        "village__search_key",
        "village__commune__search_key",
        "commune__search_key",
    ]
    autocomplete_fields = ["directive", "agency", "village", "commune", "ending_document"]
    readonly_fields = ["replaced_by", "created_at", "updated_at"]

    @admin.display(description=_("village or commune"))
    def target(self, assignment):
        return assignment.target

    def get_queryset(self, request):
        # Where each village lay during its assignment, without a query per row.
        return super().get_queryset(request).prefetch_related("village__locations__commune__parent")

    @admin.display(description=_("commune"))
    def commune_of_target(self, assignment):
        """The commune the target lay in when the assignment began (a 2024 assignment shows
        its 2024 commune, the one that continued it in 2025 the merged one)."""
        if assignment.village_id:
            return assignment.village.commune_on(assignment.start_date)
        return assignment.commune

    @admin.display(description=_("district"))
    def district(self, assignment):
        commune = self.commune_of_target(assignment)
        return commune.district or "–"

    def save_model(self, request, obj, form, change):
        if change and "agency" in form.changed_data:
            # A corrected party takes the twinning's activities with it: the yearly sums of
            # both agencies follow.
            before = form.initial["agency"]
            self._save_status(request, obj, form, change)
            support.refresh_agencies({before, obj.agency_id})
            return
        self._save_status(request, obj, form, change)

    def _save_status(self, request, obj, form, change):
        target = obj.status
        if not change or "status" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if target == lifecycle.CEREMONY_HELD:
            services.assignment_record_ceremony(
                assignment=obj, date=obj.ceremony_date, place=obj.ceremony_place, by=request.user
            )
        elif target == lifecycle.ACTIVE:
            services.assignment_activate(assignment=obj, by=request.user)
        elif target == lifecycle.ENDED:
            services.assignment_end(
                assignment=obj,
                end_date=obj.end_date,
                reason=obj.end_reason,
                by=request.user,
                document=obj.ending_document,
            )
        obj.refresh_from_db()


@admin.register(ReportingRule)
class ReportingRuleAdmin(HistoryAdmin):
    list_display = ["label", "directive", "reporter", "kind", "frequency", "schedule"]
    list_filter = ["reporter", "kind", "frequency", "directive"]
    list_select_related = ["directive"]
    search_fields = ["directive__search_key"]
    autocomplete_fields = ["directive"]

    @admin.display(description=_("schedule"))
    def schedule(self, rule):
        if rule.frequency == rule.Frequency.ONCE:
            return f"{rule.due_date:%d/%m/%Y}"
        return f"{rule.due_day:02d}/{rule.due_month:02d} ({rule.first_year}–{rule.last_year})"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_rules(request, [obj])


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = ReportingDeadline
        fields = ["moved_to", "move_reason"]

    def clean(self):
        data = super().clean()
        if data.get("moved_to") and not (data.get("move_reason") or "").strip():
            self.add_error("move_reason", _("Moving a deadline needs a reason."))
        return data


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(HistoryAdmin):
    form = DeadlineForm
    list_display = ["rule", "directive", "due_date", "moved_to", "move_reason"]
    list_filter = ["rule__reporter", "rule__directive", "due_date"]
    list_select_related = ["rule__directive"]
    search_fields = ["rule__directive__search_key"]
    readonly_fields = ["rule", "due_date"]
    date_hierarchy = "due_date"

    @admin.display(description=_("directive / document"))
    def directive(self, deadline):
        return deadline.rule.directive.number

    def has_add_permission(self, request):
        return False  # deadlines are derived from the rules, never typed by hand

    def save_model(self, request, obj, form, change):
        from reports.services import deadline_move  # it tells the agencies concerned

        deadline_move(
            deadline=obj,
            new_date=obj.moved_to or obj.due_date,
            reason=obj.move_reason or _("Moved back to the original date"),
            by=request.user,
        )


@admin.register(VillageYearFigures)
class VillageYearFiguresAdmin(ListImportExportMixin, HistoryAdmin):
    resource_classes = [VillageFiguresResource]
    list_display = [
        "village",
        "year",
        "households",
        "population",
        "poor_households",
        "near_poor_households",
        "left_poverty_households",
        "hard_road_km",
    ]
    list_filter = ["year", "has_grid_power", "has_culture_house", "has_school", "has_clean_water"]
    list_select_related = ["village"]
    search_fields = ["village__search_key", "village__commune__search_key"]
    autocomplete_fields = ["village"]


@admin.register(RestructuringEvent)
class RestructuringEventAdmin(admin.ModelAdmin):
    """The record of restructurings: read only (they are made on the restructuring pages)."""

    list_display = ["effective_date", "kind", "summary", "ordering_document", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["document", "created_by"]
    readonly_fields = [
        "kind",
        "effective_date",
        "document",
        "document_reference",
        "summary",
        "steps",
        "note",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["agency"]


class CoordinatorImportMixin:
    """Imports that only the coordinating body's staff and administrators may make, on top
    of the model's add permission."""

    def has_import_permission(self, request):
        return request.user.is_coordinator and super().has_import_permission(request)


class ContentImportOptions(forms.Form):
    agreement = forms.ModelChoiceField(
        Agreement.objects.all(),
        label=_("Agreement whose contents the file lists"),
        help_text=_(
            "Leads and participants must be its parties. Contents are matched by group and "
            "number: importing the table again updates them."
        ),
    )


@admin.register(AgreementContent)
class AgreementContentAdmin(CoordinatorImportMixin, ListImportExportMixin, HistoryAdmin):
    """The contents of all agreements; filtered by agreement, exported to the table that
    imports them back."""

    resource_classes = [AgreementContentResource]
    import_options_form = ContentImportOptions
    import_form_class, confirm_form_class = options_forms(ContentImportOptions)
    export_name = "noi-dung-phoi-hop"
    list_display = ["number", "group", "__str__", "lead_name", "agreement"]
    list_display_links = ["__str__"]
    list_filter = ["agreement__kind", "agreement"]
    list_select_related = ["agreement", "lead"]
    search_fields = ["agreement__search_key"]
    autocomplete_fields = ["agreement", "lead"]
    filter_horizontal = ["participants"]

    @admin.display(description=_("lead party"))
    def lead_name(self, content):
        return content.lead_name

    def get_import_form_initial(self, request):
        # The agreement whose page links here.
        agreement = request.GET.get("agreement", "")
        return {"agreement": int(agreement)} if agreement.isdigit() else {}


class AgreementContentInline(admin.StackedInline):
    model = AgreementContent
    extra = 0
    fields = [("group", "number"), "title", ("lead", "lead_other"), "participants"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["participants"]


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["due_date", "held_on", "place", "minutes"]


@admin.register(Agreement)
class AgreementAdmin(HistoryAdmin):
    """Corrections by the administrators; agreements are recorded and followed on their
    pages (the contents' tasks, progress and reviews are kept there)."""

    list_display = ["name", "kind", "number", "signed_on", "first_year", "last_year"]
    list_filter = ["kind"]
    search_fields = ["search_key"]
    autocomplete_fields = ["assignment"]
    exclude = ["created_by"]
    inlines = [AgreementPartyInline, AgreementContentInline, MeetingInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ModelYearInline(admin.TabularInline):
    model = ModelYear
    extra = 0


@admin.register(ExemplaryModel)
class ExemplaryModelAdmin(CoordinatorImportMixin, ListImportExportMixin, HistoryAdmin):
    """The register; its import and export have one row per model and year."""

    resource_classes = [ModelRegisterResource]
    export_name = "mo-hinh-dien-hinh"
    list_display = ["name", "field", "owner", "agency", "start_year"]
    list_filter = ["field", "owner", "years__year"]
    search_fields = ["search_key"]
    autocomplete_fields = ["agency", "commune", "village", "assignment", "agreement"]
    inlines = [ModelYearInline]

    def get_data_for_export(self, request, queryset, **kwargs):
        # The models listed or selected, a row per year; of the year filtered on, if any.
        year = request.GET.get("years__year", "")
        rows = ModelRegisterResource.rows(queryset, int(year) if year.isdigit() else None)
        return super().get_data_for_export(request, rows, **kwargs)


@admin.register(Wish)
class WishAdmin(HistoryAdmin):
    list_display = ["raised_on", "village", "topic", "agency", "status"]
    list_filter = ["status", "topic"]
    list_select_related = ["village", "agency"]
    autocomplete_fields = ["village", "agency", "passed_to"]
    exclude = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
