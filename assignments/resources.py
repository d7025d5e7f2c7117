"""django-import-export resources for the lists the coordinating body receives and sends:
assignment lists, agencies, villages, administrative units, directives, the contents of an
agreement and the register of exemplary models.

Used by the admin (import with preview, export) and by ``import_assignments``. A file is read
and its header found by ``SpreadsheetFormat`` (see spreadsheets.py); each resource then
resolves every row against data loaded once (no query per row), so that every error of the
file is known before anything is written, and writes in bulk with audit history.
"""

import contextvars
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import lifecycle
from .agency_names import AgencyNames
from .models import (
    AdministrativeUnit,
    Agency,
    AgencyAlias,
    Agreement,
    AgreementContent,
    Assignment,
    Directive,
    EthnicGroup,
    ExemplaryModel,
    ModelYear,
    Village,
    VillageLocation,
    VillageYearFigures,
    overlap_message,
)
from .spreadsheets import Column, find_list, is_garbled, unreadable_name
from .text import clean_text, fold, name_key, strip_prefix

ROW = "Dòng"  # the row number in the file, carried along for messages
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Keep a spreadsheet from executing text that looks like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_file_name(name, extension="xlsx"):
    """The name of an exported file: its Vietnamese name without accents and today's local
    date, "mo-hinh-dien-hinh-05-03-2026.xlsx"."""
    return f"{name}-{timezone.localdate():%d-%m-%Y}.{extension}"


def day_first_dates(content):
    """An .xlsx's bytes with its date cells shown dd/mm/yyyy (dd/mm/yyyy hh:mm), as Excel
    would otherwise show them by the reader's system settings, often mm/dd/yyyy."""
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "DD/MM/YYYY HH:MM"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class SpreadsheetFormat(base_formats.Format):
    """.xlsx or .csv, told apart by content; the header is found by ``COLUMNS``."""

    COLUMNS = ()
    SECTIONS = True  # leave section rows out (see spreadsheets.find_table)

    def __init__(self, encoding=None):
        self.encoding = encoding

    @classmethod
    def for_columns(cls, columns, sections=True):
        return type("SpreadsheetFormat", (cls,), {"COLUMNS": tuple(columns), "SECTIONS": sections})

    def get_title(self):
        return "xlsx / csv"

    def create_dataset(self, in_stream, *, sheet=None, include_hidden=False, **kwargs):
        """The list's rows; what reading chose or left out is in the dataset's ``notices``."""
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        options = READING.get() or {}
        table = find_list(
            in_stream,
            self.COLUMNS,
            sheet=sheet or options.get("sheet"),
            include_hidden=include_hidden or options.get("include_hidden", False),
            sections=self.SECTIONS,
        )
        dataset = table_dataset(table, self.COLUMNS)
        dataset.notices = table.notices
        return dataset

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "xlsx"

    def can_import(self):
        return True

    def can_export(self):
        return False


# How the admin's import reads the file (the sheet, hidden rows), set around its views:
# django-import-export creates the dataset without the form's options.
READING = contextvars.ContextVar("READING", default=None)


def table_dataset(table, columns):
    dataset = tablib.Dataset(headers=[ROW, *(c.label for c in columns)])
    for number, values in table.rows:
        dataset.append([number, *(values.get(c.key, "") for c in columns)])
    return dataset


def suggest(value, candidates, cutoff=0.6):
    """Up to three existing names close to ``value`` (compared folded).

    ``candidates`` are names, or (name compared, name shown) pairs.
    """
    by_key = {}
    for candidate in candidates:
        compared, shown = candidate if isinstance(candidate, tuple) else (candidate, candidate)
        by_key.setdefault(fold(compared), shown)
    close = difflib.get_close_matches(fold(value), list(by_key), n=3, cutoff=cutoff)
    return [by_key[key] for key in close]


def with_suggestions(message, suggestions):
    if not suggestions:
        return message
    names = ", ".join(f"“{name}”" for name in suggestions)
    return _("%(message)s Did you mean %(names)s?") % {"message": message, "names": names}


@dataclass
class RowPlan:
    """What one row of the file resolves to, or why it cannot."""

    number: int
    values: dict
    errors: dict = field(default_factory=dict)  # field attribute → [messages]
    resolved: dict = field(default_factory=dict)
    duplicate_of: int | None = None
    groups: list | None = None  # ethnic groups of a village row, when the column is given
    figures: dict = field(default_factory=dict)  # a village row's figures of the year
    participants: list | None = None  # an agreement content's participants

    def error(self, attribute, column, message):
        text = _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.number,
            "column": column.label,
            "message": message,
        }
        self.errors.setdefault(attribute, []).append(text)


class PlannedInstanceLoader(BaseInstanceLoader):
    """Finds the existing object of a row among those the resource loaded up front."""

    def get_instance(self, row):
        return self.resource.existing_instance(row)


class EscapingWidgetMixin:
    def render(self, value, obj=None, **kwargs):
        return escape_formula(super().render(value, obj, **kwargs))


class TextWidget(EscapingWidgetMixin, widgets.CharWidget):
    pass


class PreviewDiff(resources.Diff):
    """The library's diff without its inline colours, which the Content-Security-Policy
    blocks (and reports): <ins> and <del> still mark what changes."""

    def as_html(self):
        # diff_prettyHtml escapes the values; only its own tags remain.
        return [mark_safe(_INLINE_STYLE.sub("", html)) for html in super().as_html()]  # noqa: S308


_INLINE_STYLE = re.compile(r' style="[^"]*"')


class ComputedField(fields.Field):
    """A column of the preview computed from the object (the commune of a village, a role's
    label), where the library reads a plain attribute."""

    def __init__(self, compute, **kwargs):
        super().__init__(**kwargs)
        self.compute = compute

    def get_value(self, instance):
        return self.compute(instance)


class ListResource(resources.ModelResource):
    """Shared machinery: rows are resolved in ``plan()`` before any is imported."""

    COLUMNS = ()
    # Model fields that a row may change; compared to decide "unchanged".
    COMPARED = ()
    SECTION_ROWS = True  # section rows ("II. HUYỆN ĐAK ĐOA") are left out on reading

    class Meta:
        abstract = True

    def __init__(self, **kwargs):
        super().__init__()
        self.options = kwargs
        self.plans = {}
        self.notices = []
        self.user = None

    @classmethod
    def import_format(cls):
        return SpreadsheetFormat.for_columns(cls.COLUMNS, cls.SECTION_ROWS)

    @classmethod
    def template_workbook(cls):
        """An empty list with the expected header row, for users to fill in."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(cls._meta.model._meta.verbose_name_plural)[:31]
        sheet.append([c.label for c in cls.COLUMNS])
        for index, column in enumerate(cls.COLUMNS, start=1):
            sheet.cell(1, index).font = Font(bold=True)
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
                12, len(column.label) + 6
            )
        return workbook

    # --- import ---------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        self.notices.extend(getattr(dataset, "notices", ()))
        labels = {c.label: c.key for c in self.COLUMNS}
        rows = [
            (
                int(row[0]),
                {labels[h]: v for h, v in zip(dataset.headers[1:], row[1:], strict=False)},
            )
            for row in dataset
        ]
        self.plans = {number: RowPlan(number, values) for number, values in rows}
        self.plan(list(self.plans.values()))

    def plan(self, plans):
        raise NotImplementedError

    def get_diff_class(self):
        return PreviewDiff

    def after_import(self, dataset, result, **kwargs):
        result.notices = list(self.notices)
        # Rows in error are numbered as in the file (the library counts the rows read).
        numbers = [int(row[0]) for row in dataset]
        for invalid in result.invalid_rows:
            invalid.number = numbers[invalid.number - 1]

    def plan_of(self, row):
        return self.plans[int(row[ROW])]

    def existing_instance(self, row):
        return self.plan_of(row).resolved.get("existing")

    def get_import_id_fields(self):
        # Rows are matched to existing objects in plan(), by folded names in context (a
        # village within its commune), which no single column can express.
        return []

    def import_instance(self, instance, row, **kwargs):
        plan = self.plan_of(row)
        if plan.errors:
            raise ValidationError(plan.errors)
        for attribute, value in plan.resolved.items():
            if attribute != "existing":
                setattr(instance, attribute, value)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        plan = self.plan_of(row)
        if import_validation_errors or plan.errors:
            return False
        if plan.duplicate_of:
            return True
        if original is None or original.pk is None:
            return False
        return all(getattr(instance, a) == getattr(original, a) for a in self.COMPARED)

    def mark_duplicates(self, plans, key):
        """A row that repeats an earlier row of the file is reported and not imported twice."""
        first = {}
        for plan in plans:
            if plan.errors:
                continue
            identity = key(plan)
            if identity in first:
                plan.duplicate_of = first[identity]
                self.notices.append(
                    _("Row %(row)s repeats row %(first)s and is skipped.")
                    % {"row": plan.number, "first": first[identity]}
                )
            else:
                first[identity] = plan.number

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Bulk writes skip save() and its signals: record the audit history explicitly.
        if self.create_instances and (using_transactions or not dry_run):
            try:
                bulk_create_with_history(
                    self.create_instances,
                    self._meta.model,
                    batch_size=batch_size,
                    default_user=self.user,
                    default_change_reason=_("Imported from a list"),
                )
            except Exception as error:  # reported as the library reports bulk errors
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    self._meta.model,
                    list(self.COMPARED),
                    batch_size=batch_size,
                    default_user=self.user,
                    default_change_reason=_("Imported from a list"),
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()

    # --- export -----------------------------------------------------------------------------

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


def _column(key, label, *synonyms, required=False):
    return Column(key=key, label=label, synonyms=synonyms, required=required)


STT = _column("stt", "STT", "Số TT", "TT", "Số thứ tự")
VILLAGE_PREFIXES = list(Village.PREFIX.values())
UNIT_PREFIXES = list(AdministrativeUnit.PREFIX.values())


# How lists head the village column, besides "Thôn, làng".
VILLAGE_NAME_SYNONYMS = (
    "Tên thôn, làng",
    "Thôn, làng, buôn",
    "Thôn, làng, buôn, bon",
    "Thôn, buôn, làng",
    "Tên thôn, làng, buôn",
    "Thôn, làng, tổ dân phố",
    "Thôn, tổ dân phố",
    "Tên thôn",
    "Thôn",
)


class PlacedVillages:
    """Villages by a commune they lie or lay in and their name, numbers compared by value
    ("thôn 05" is thôn 5): a list of 2024 names the commune of 2024."""

    def __init__(self):
        self.by_place = {}
        for location in VillageLocation.objects.select_related("village").order_by("pk"):
            key = (location.commune_id, name_key(location.village.name))
            self.by_place.setdefault(key, location.village)

    def get(self, commune_id, text):
        """The village written ``text`` (with or without its prefix) in that commune."""
        return self.by_place.get((commune_id, name_key(strip_prefix(text, VILLAGE_PREFIXES))))


class UnitIndex:
    """Communes and districts by folded name, loaded once."""

    def __init__(self):
        units = AdministrativeUnit.objects.select_related("parent__parent")
        self.communes, self.districts, self.provinces = {}, {}, {}
        target = {"commune": self.communes, "district": self.districts, "province": self.provinces}
        for unit in units.order_by():
            target[unit.level].setdefault(name_key(unit.name), []).append(unit)

    @staticmethod
    def key(text):
        # Numbers by value: "Phường 05" is "Phường 5", "Phường II" is "Phường 2".
        return name_key(strip_prefix(text, UNIT_PREFIXES))

    def communes_named(self, commune, district="", province="", current_only=True):
        found = self.communes.get(self.key(commune), [])
        if district:
            found = [c for c in found if c.parent and name_key(c.parent.name) == self.key(district)]
        if province:
            key = self.key(province)
            found = [
                c
                for c in found
                if key
                in {
                    c.parent and name_key(c.parent.name),
                    c.parent and c.parent.parent and name_key(c.parent.parent.name),
                }
            ]
        current = [c for c in found if c.valid_to is None]
        return (current or found) if current_only else found

    def all_commune_names(self):
        return [str(c) for units in self.communes.values() for c in units]


class AgencyIndex:
    """Parties in force on ``date`` (default today) by folded name and short name."""

    def __init__(self, date=None):
        self.by_key = {}
        date = date or timezone.localdate()
        in_force = list(Agency.objects.in_force_on(date).order_by("pk"))
        for agency in in_force:
            self.by_key.setdefault(agency.name_key, agency)
            if agency.short_name:
                self.by_key.setdefault(fold(agency.short_name), agency)
        by_pk = {a.pk: a for a in in_force}
        aliases = {
            key: by_pk[agency_id]
            for key, agency_id in AgencyAlias.objects.values_list("key", "agency_id")
            if agency_id in by_pk
        }
        self.other_names = AgencyNames(in_force, aliases)

    def find(self, name):
        return self.by_key.get(fold(name)) or self.other_names.alias(name)

    def names(self):
        return sorted({a.name for a in self.by_key.values()})


def target_key(village_id, commune_id):
    return ("village", village_id) if village_id else ("commune", commune_id)


# --- Assignment lists ---------------------------------------------------------------------


class AssignmentResource(ListResource):
    """One row = one party twinned with one village, or with a whole commune or ward (the
    village cell left empty), under the document chosen on import, from a start date (the
    row's own, else the one chosen on import: never silently the document's date)."""

    AGENCY = _column(
        "agency",
        "Cơ quan, đơn vị",
        "Tên cơ quan, đơn vị",
        "Cơ quan",
        "Đơn vị",
        "Tên đơn vị",
        "Đơn vị kết nghĩa",
        "Cơ quan, đơn vị kết nghĩa",
        "Cơ quan kết nghĩa",
        "Cơ quan, đơn vị được phân công",
        "Đơn vị được phân công",
        required=True,
    )
    VILLAGE = _column(
        "village",
        "Thôn, làng",
        *VILLAGE_NAME_SYNONYMS,
        "Thôn, làng được phân công",
        "Thôn, làng kết nghĩa",
        "Thôn, làng, buôn kết nghĩa",
        "Thôn kết nghĩa",
        "Làng kết nghĩa",
    )
    # "Địa bàn kết nghĩa" is the target: a commune when the list has no village column
    # (over sub-headers, the lower labels win; see spreadsheets.find_table).
    COMMUNE = _column(
        "commune",
        "Xã",
        "Xã, phường, thị trấn",
        "Xã, phường",
        "Thuộc xã",
        "Xã kết nghĩa",
        "Xã, phường kết nghĩa",
        "Địa bàn kết nghĩa",
        "Địa bàn",
        required=True,
    )
    DISTRICT = _column(
        "district", "Huyện", "Huyện, thị xã, thành phố", "Thuộc huyện", "Huyện, thị xã"
    )
    PROVINCE = _column("province", "Tỉnh")
    ROLE = _column("role", "Vai trò", "Chủ trì, phối hợp", "Vai trò kết nghĩa")
    START = _column("start_date", "Ngày bắt đầu", "Từ ngày", "Bắt đầu từ ngày")
    NOTE = _column("note", "Ghi chú")
    COLUMNS = (STT, AGENCY, VILLAGE, COMMUNE, DISTRICT, PROVINCE, ROLE, START, NOTE)
    COMPARED = ("role", "note")
    ROLES = {
        "chu tri": Assignment.Role.LEAD,
        "phoi hop": Assignment.Role.SUPPORTING,
        "lead": Assignment.Role.LEAD,
        "supporting": Assignment.Role.SUPPORTING,
        "ct": Assignment.Role.LEAD,
        "ph": Assignment.Role.SUPPORTING,
    }

    agency = fields.Field("agency", AGENCY.label, widgets.ForeignKeyWidget(Agency, "name"))
    village = fields.Field("village", VILLAGE.label, TextWidget())
    commune = fields.Field(None, COMMUNE.label, TextWidget())
    district = fields.Field(None, DISTRICT.label, TextWidget())
    role = fields.Field("role", ROLE.label, TextWidget())
    note = fields.Field("note", NOTE.label, TextWidget())
    directive = fields.Field("directive", "Văn bản", widgets.ForeignKeyWidget(Directive, "number"))
    status = fields.Field("status", "Trạng thái", TextWidget())
    start_date = fields.Field("start_date", "Ngày bắt đầu", widgets.DateWidget("%d/%m/%Y"))
    end_date = fields.Field("end_date", "Ngày kết thúc", widgets.DateWidget("%d/%m/%Y"))

    class Meta:
        model = Assignment
        fields = (
            "agency",
            "village",
            "commune",
            "district",
            "role",
            "note",
            "directive",
            "status",
            "start_date",
            "end_date",
        )
        instance_loader_class = PlannedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.alias_choices = {}  # an agency not found, as written → the agencies suggested

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.alias_choices = self.alias_choices

    def get_import_fields(self):
        # One value under each heading of the preview (get_diff_headers), in that order.
        return [
            self.fields["agency"],
            self.fields["village"],
            ComputedField(
                lambda a: str(self._commune(a)) if (a.village_id or a.commune_id) else "",
                column_name=self.COMMUNE.label,
                widget=TextWidget(),
            ),
            ComputedField(
                lambda a: self.dehydrate_district(a) if (a.village_id or a.commune_id) else "",
                column_name=self.DISTRICT.label,
                widget=TextWidget(),
            ),
            ComputedField(
                lambda a: a.get_role_display() if a.role else "",
                column_name=self.ROLE.label,
                widget=TextWidget(),
            ),
            self.fields["note"],
        ]

    def get_diff_headers(self):
        return [
            self.AGENCY.label,
            self.VILLAGE.label,
            self.COMMUNE.label,
            self.DISTRICT.label,
            self.ROLE.label,
            self.NOTE.label,
        ]

    def get_export_queryset(self, request=None):
        return Assignment.objects.select_related(
            "agency", "directive", "village__commune__parent", "commune__parent"
        )

    @staticmethod
    def _commune(assignment):
        return assignment.village.commune if assignment.village_id else assignment.commune

    def dehydrate_village(self, assignment):
        return escape_formula(str(assignment.village)) if assignment.village_id else ""

    def dehydrate_commune(self, assignment):
        return str(self._commune(assignment))

    def dehydrate_district(self, assignment):
        district = self._commune(assignment).district
        return str(district) if district else ""

    def dehydrate_role(self, assignment):
        return assignment.get_role_display()

    def dehydrate_status(self, assignment):
        return assignment.get_status_display()

    def plan(self, plans):
        directive = self.options.get("directive")
        if directive is None:
            raise ValueError("AssignmentResource needs a directive")
        default_start = self.options.get("start_date") or timezone.localdate()
        create_missing = self.options.get("create_missing", False)
        agencies, units = AgencyIndex(default_start), UnitIndex()
        villages = {}
        for village in Village.objects.select_related("commune__parent").order_by():
            villages.setdefault(village.commune_id, {})[name_key(village.name)] = village
        # Every assignment still held on or after the earliest start date of the file, to
        # find the row's own (re-import) and refuse overlaps with others, without a query
        # per row.
        starts = [_date(p.values.get("start_date", "")) for p in plans]
        earliest = min([d for d in starts if d] + [default_start])
        held = {}
        for a in (
            Assignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=earliest))
            .select_related("directive", "agency", "village__commune__parent", "commune__parent")
            .order_by("start_date")
        ):
            held.setdefault((a.agency_id, target_key(a.village_id, a.commune_id)), []).append(a)
        created_agencies, created_villages = {}, {}
        for plan in plans:
            values = plan.values
            agency = agencies.find(values["agency"]) or created_agencies.get(fold(values["agency"]))
            # Text left unreadable (an old encoding, mojibake) is never created as a name.
            # An abbreviation of an existing agency is suggested, never created as another.
            if (
                agency is None
                and create_missing
                and not is_garbled(values["agency"])
                and not agencies.other_names.abbreviated(values["agency"])
            ):
                agency = Agency(name=values["agency"], kind=Agency.Kind.GOVERNMENT)
                agency._history_user = self.user
                agency.save()
                created_agencies[fold(values["agency"])] = agency
                self.notices.append(_("New agency created: %(name)s") % {"name": agency.name})
            if agency is None and is_garbled(values["agency"]):
                plan.error("agency", self.AGENCY, unreadable_name(values["agency"]))
            elif agency is None:
                close = agencies.other_names.suggestions(values["agency"])
                if close:
                    self.alias_choices.setdefault(clean_text(values["agency"]), close)
                plan.error(
                    "agency",
                    self.AGENCY,
                    with_suggestions(
                        _("no agency “%(value)s”.") % {"value": values["agency"]},
                        [a.name for a in close],
                    ),
                )
            village, commune = self.resolve_target(
                plan, units, villages, created_villages, create_missing
            )
            role = self.ROLES.get(fold(values.get("role", "")))
            if values.get("role") and role is None:
                plan.error(
                    "role",
                    self.ROLE,
                    _("“%(value)s” is not a role: write Chủ trì or Phối hợp.")
                    % {"value": values["role"]},
                )
            start = default_start
            if values.get("start_date"):
                start = _date(values["start_date"])
                if start is None:
                    plan.error(
                        "start_date",
                        self.START,
                        _("“%(value)s” is not a date (dd/mm/yyyy).")
                        % {"value": values["start_date"]},
                    )
            if start and start < directive.issued_on:
                plan.error(
                    "start_date",
                    self.START,
                    _("%(date)s is before the document was issued (%(issued)s).")
                    % {
                        "date": start.strftime("%d/%m/%Y"),
                        "issued": directive.issued_on.strftime("%d/%m/%Y"),
                    },
                )
            if plan.errors:
                continue
            key = target_key(village and village.pk, commune and commune.pk)
            others = held.get((agency.pk, key), [])
            current = next(
                (
                    a
                    for a in others
                    if a.directive_id == directive.pk
                    and a.status in lifecycle.RUNNING
                    and (a.end_date is None or a.end_date >= start)
                ),
                None,
            )
            role = role or (current.role if current else Assignment.Role.LEAD)
            if current is None:
                clash = next(
                    (
                        a
                        for a in others
                        if a.role == role and (a.end_date is None or a.end_date >= start)
                    ),
                    None,
                )
                if clash is not None:
                    plan.error("agency", self.AGENCY, overlap_message(clash))
                    continue
            plan.resolved = {
                "existing": current,
                "agency": agency,
                "village": village,
                "commune": commune,
                "role": role,
                "note": values.get("note") or (current.note if current else ""),
            }
            if current is None:
                plan.resolved.update(directive=directive, start_date=start)
        self.notices.extend(agencies.other_names.notices())
        self.mark_duplicates(
            plans,
            lambda p: (
                p.resolved["agency"].pk,
                target_key(
                    p.resolved["village"] and p.resolved["village"].pk,
                    p.resolved["commune"] and p.resolved["commune"].pk,
                ),
            ),
        )

    def resolve_target(self, plan, units, villages, created, create_missing):
        """(village, None), or (None, commune) when the village cell is empty."""
        if not plan.values.get("village"):
            commune = self.resolve_commune(plan, units)
            return None, commune
        return self.resolve_village(plan, units, villages, created, create_missing), None

    def resolve_commune(self, plan, units):
        values = plan.values
        communes = units.communes_named(
            values["commune"], values.get("district", ""), values.get("province", "")
        )
        if not communes:
            where = values["commune"]
            if values.get("district"):
                where = _("%(commune)s in %(district)s") % {
                    "commune": values["commune"],
                    "district": values["district"],
                }
            plan.error(
                "village",
                self.COMMUNE,
                with_suggestions(
                    _("no commune “%(value)s”.") % {"value": where},
                    suggest(values["commune"], units.all_commune_names()),
                ),
            )
            return None
        if len(communes) > 1:
            plan.error(
                "village",
                self.COMMUNE,
                _("several communes are named “%(value)s”: give the district.")
                % {"value": values["commune"]},
            )
            return None
        return communes[0]

    def resolve_village(self, plan, units, villages, created, create_missing):
        values = plan.values
        commune = self.resolve_commune(plan, units)
        if commune is None:
            return None
        name = strip_prefix(values["village"], VILLAGE_PREFIXES)
        key = name_key(name)  # "thôn 05" is thôn 5, "Thôn II" is thôn 2: never a duplicate
        village = villages.get(commune.pk, {}).get(key) or created.get((commune.pk, key))
        if village is None and create_missing and not is_garbled(values["village"]):
            kind = next(
                (
                    code
                    for code, prefix in Village.PREFIX.items()
                    if fold(values["village"]).startswith(fold(prefix) + " ")
                ),
                Village.Kind.LANG,
            )
            village = Village(name=name, kind=kind, commune=commune)
            village._history_user = self.user
            village.save()
            created[(commune.pk, key)] = village
            self.notices.append(
                _("New village created: %(name)s, %(commune)s")
                % {"name": str(village), "commune": str(commune)}
            )
        if village is None and is_garbled(values["village"]):
            plan.error("village", self.VILLAGE, unreadable_name(values["village"]))
        elif village is None:
            known = [(v.name, str(v)) for v in villages.get(commune.pk, {}).values()]
            plan.error(
                "village",
                self.VILLAGE,
                with_suggestions(
                    _("no village “%(value)s” in %(commune)s.")
                    % {"value": values["village"], "commune": str(commune)},
                    suggest(name, known),
                ),
            )
        return village


# --- Agencies -------------------------------------------------------------------------------


def _choice(choices, text):
    """The code of a choice given by its Vietnamese or English label, or by its code."""
    wanted = fold(text)
    for code, label in choices:
        if wanted in (fold(code), fold(str(label))):
            return code
    return None


class AgencyResource(ListResource):
    NAME = _column(
        "name",
        "Tên cơ quan, đơn vị",
        "Cơ quan, đơn vị",
        "Cơ quan",
        "Tên cơ quan",
        "Đơn vị",
        "Tên đơn vị",
        "Sở, ban, ngành",
        "Các sở, ban, ngành",
        "Cơ quan, đơn vị, doanh nghiệp",
        required=True,
    )
    SHORT = _column("short_name", "Tên viết tắt", "Viết tắt", "Tên tắt", "Ký hiệu")
    LEVEL = _column("level", "Cấp", "Cấp cơ quan", "Cấp quản lý")
    KIND = _column("kind", "Khối", "Loại", "Loại cơ quan", "Khối cơ quan", "Thuộc khối")
    EMAIL = _column(
        "email", "Email", "Thư điện tử", "E-mail", "Địa chỉ email", "Địa chỉ thư điện tử"
    )
    COLUMNS = (STT, NAME, SHORT, LEVEL, KIND, EMAIL)
    COMPARED = ("short_name", "level", "kind", "email")

    name = fields.Field("name", NAME.label, TextWidget())
    short_name = fields.Field("short_name", SHORT.label, TextWidget())
    level = fields.Field("level", LEVEL.label, TextWidget())
    kind = fields.Field("kind", KIND.label, TextWidget())
    email = fields.Field("email", EMAIL.label, TextWidget())

    class Meta:
        model = Agency
        fields = ("name", "short_name", "level", "kind", "email")
        instance_loader_class = PlannedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True

    def dehydrate_level(self, agency):
        return agency.get_level_display()

    def dehydrate_kind(self, agency):
        return agency.get_kind_display()

    def plan(self, plans):
        existing = {a.name_key: a for a in Agency.objects.in_force_on(timezone.localdate())}
        for plan in plans:
            values = plan.values
            current = existing.get(fold(values["name"]))
            resolved = {"existing": current, "name": clean_text(values["name"])}
            for column, choices, default in (
                (self.LEVEL, Agency.Level.choices, Agency.Level.PROVINCE),
                (self.KIND, Agency.Kind.choices, Agency.Kind.GOVERNMENT),
            ):
                text = values.get(column.key, "")
                code = _choice(choices, text) if text else None
                if text and code is None:
                    allowed = ", ".join(str(label) for _code, label in choices)
                    plan.error(
                        column.key,
                        column,
                        _("“%(value)s” is not one of: %(allowed)s.")
                        % {"value": text, "allowed": allowed},
                    )
                resolved[column.key] = code or getattr(current, column.key, default)
            for column in (self.SHORT, self.EMAIL):
                resolved[column.key] = values.get(column.key) or getattr(current, column.key, "")
            if resolved["email"]:
                try:
                    Agency._meta.get_field("email").run_validators(resolved["email"])
                except ValidationError:
                    plan.error(
                        "email",
                        self.EMAIL,
                        _("“%(value)s” is not an email address.") % {"value": resolved["email"]},
                    )
            plan.resolved = resolved
        self.mark_duplicates(plans, lambda p: fold(p.values["name"]))


# --- Villages --------------------------------------------------------------------------------


def _number(plan, column, text):
    digits = text.replace(".", "").replace(" ", "")
    if not text:
        return None
    if not digits.isdigit():
        plan.error(column.key, column, _("“%(value)s” is not a whole number.") % {"value": text})
        return None
    return int(digits)


def _flag(text):
    return fold(text) in {"x", "co", "1", "yes", "true", "dbkk", "xen ghep"}


class VillageResource(ListResource):
    NAME = _column("name", "Thôn, làng", *VILLAGE_NAME_SYNONYMS, required=True)
    COMMUNE = AssignmentResource.COMMUNE
    DISTRICT = AssignmentResource.DISTRICT
    PROVINCE = AssignmentResource.PROVINCE
    GROUPS = _column(
        "ethnic_groups",
        "Dân tộc",
        "Dân tộc chính",
        "Thành phần dân tộc",
        "Dân tộc chủ yếu",
        "Dân tộc thiểu số",
    )
    HOUSEHOLDS = _column("households", "Số hộ", "Tổng số hộ", "Số hộ dân", "Tổng số hộ dân")
    POPULATION = _column(
        "population",
        "Số khẩu",
        "Số nhân khẩu",
        "Dân số",
        "Nhân khẩu",
        "Tổng số khẩu",
        "Tổng số nhân khẩu",
        "Số người",
    )
    POOR = _column("poor_households", "Số hộ nghèo", "Hộ nghèo", "Tổng số hộ nghèo")
    HARD = _column(
        "especially_disadvantaged",
        "Đặc biệt khó khăn",
        "ĐBKK",
        "Thôn đặc biệt khó khăn",
        "Thôn ĐBKK",
    )
    MIXED = _column("mixed", "Xen ghép", "Thôn xen ghép", "Thôn, làng xen ghép")
    COLUMNS = (
        STT,
        NAME,
        COMMUNE,
        DISTRICT,
        PROVINCE,
        GROUPS,
        HOUSEHOLDS,
        POPULATION,
        POOR,
        HARD,
        MIXED,
    )
    COMPARED = ("kind", "especially_disadvantaged", "mixed")
    FIGURES = ("households", "population", "poor_households")

    name = fields.Field("name", NAME.label, TextWidget())
    commune = fields.Field("commune", COMMUNE.label, TextWidget())
    district = fields.Field(None, DISTRICT.label, TextWidget())
    ethnic_groups = fields.Field(None, GROUPS.label, TextWidget())
    # Households, population and poor households are figures of a year (the one chosen on
    # import), kept in VillageYearFigures; the export gives the latest year's.
    households = fields.Field(None, HOUSEHOLDS.label, TextWidget())
    population = fields.Field(None, POPULATION.label, TextWidget())
    poor_households = fields.Field(None, POOR.label, TextWidget())
    especially_disadvantaged = fields.Field("especially_disadvantaged", HARD.label, TextWidget())
    mixed = fields.Field("mixed", MIXED.label, TextWidget())

    class Meta:
        model = Village
        fields = (
            "name",
            "commune",
            "district",
            "ethnic_groups",
            "households",
            "population",
            "poor_households",
            "especially_disadvantaged",
            "mixed",
        )
        instance_loader_class = PlannedInstanceLoader
        skip_unchanged = True
        report_skipped = True

    def get_export_queryset(self, request=None):
        return Village.objects.select_related("commune__parent").prefetch_related(
            "ethnic_groups", "figures"
        )

    @staticmethod
    def _latest(village):
        return max(village.figures.all(), key=lambda f: f.year, default=None)

    def dehydrate_households(self, village):
        return getattr(self._latest(village), "households", None)

    def dehydrate_population(self, village):
        return getattr(self._latest(village), "population", None)

    def dehydrate_poor_households(self, village):
        return getattr(self._latest(village), "poor_households", None)

    def dehydrate_name(self, village):
        return escape_formula(str(village))

    def dehydrate_commune(self, village):
        return str(village.commune)

    def dehydrate_district(self, village):
        return str(village.commune.district or "")

    def dehydrate_ethnic_groups(self, village):
        return ", ".join(g.name for g in village.ethnic_groups.all())

    def dehydrate_especially_disadvantaged(self, village):
        return "x" if village.especially_disadvantaged else ""

    def dehydrate_mixed(self, village):
        return "x" if village.mixed else ""

    def plan(self, plans):
        units = UnitIndex()
        existing = {
            (v.commune_id, name_key(v.name)): v
            for v in Village.objects.prefetch_related("ethnic_groups")
        }
        groups = {}
        for group in EthnicGroup.objects.all():
            for name in [group.name, *group.aliases.splitlines()]:
                groups.setdefault(fold(name), group)
        for plan in plans:
            values = plan.values
            communes = units.communes_named(
                values["commune"], values.get("district", ""), values.get("province", "")
            )
            if len(communes) != 1:
                plan.error(
                    "commune",
                    self.COMMUNE,
                    with_suggestions(
                        _("no commune “%(value)s”.") % {"value": values["commune"]}
                        if not communes
                        else _("several communes are named “%(value)s”: give the district.")
                        % {"value": values["commune"]},
                        suggest(values["commune"], units.all_commune_names())
                        if not communes
                        else [],
                    ),
                )
                continue
            commune = communes[0]
            name = strip_prefix(values["name"], VILLAGE_PREFIXES)
            folded = fold(values["name"])
            kind = next(
                (
                    code
                    for code, prefix in Village.PREFIX.items()
                    if folded.startswith(fold(prefix) + " ")
                ),
                None,
            )
            current = existing.get((commune.pk, name_key(name)))
            resolved = {
                "existing": current,
                "name": name,
                "commune": commune,
                "kind": kind or getattr(current, "kind", Village.Kind.LANG),
            }
            figures = {}
            for column in (self.HOUSEHOLDS, self.POPULATION, self.POOR):
                number = _number(plan, column, values.get(column.key, ""))
                if number is not None:
                    figures[column.key] = number
            for column in (self.HARD, self.MIXED):
                if column.key in values:
                    resolved[column.key] = _flag(values[column.key])
            chosen = []
            for part in filter(
                None, (p.strip() for p in values.get("ethnic_groups", "").split(","))
            ):
                group = groups.get(fold(part))
                if group is None:
                    plan.error(
                        "ethnic_groups",
                        self.GROUPS,
                        with_suggestions(
                            _("no ethnic group “%(value)s”.") % {"value": part},
                            suggest(part, [g.name for g in groups.values()]),
                        ),
                    )
                chosen.append(group)
            if (figures.get("poor_households") or 0) > (figures.get("households") or 10**9):
                plan.error(
                    "poor_households", self.POOR, _("poor households cannot outnumber households.")
                )
            plan.resolved = resolved
            plan.groups = chosen if values.get("ethnic_groups") else None
            plan.figures = figures
        self.mark_duplicates(
            plans, lambda p: (p.resolved["commune"].pk, name_key(p.resolved["name"]))
        )

    def figures_year(self):
        return self.options.get("year") or timezone.localdate().year

    def skip_row(self, instance, original, row, import_validation_errors=None):
        plan = self.plan_of(row)
        if plan.errors or plan.duplicate_of:
            return super().skip_row(instance, original, row, import_validation_errors)
        if (
            plan.groups is not None
            and original is not None
            and original.pk
            and {g.pk for g in plan.groups} != {g.pk for g in original.ethnic_groups.all()}
        ):
            return False
        if plan.figures and original is not None and original.pk:
            recorded = original.figures.filter(year=self.figures_year()).first()
            if recorded is None or any(
                getattr(recorded, name) != value for name, value in plan.figures.items()
            ):
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        plan = self.plan_of(row)
        if plan.errors:
            return
        if plan.groups is not None:
            instance.ethnic_groups.set(plan.groups)
        if plan.figures and instance.pk:
            figures, _created = VillageYearFigures.objects.get_or_create(
                village=instance, year=self.figures_year()
            )
            for name, value in plan.figures.items():
                setattr(figures, name, value)
            figures._history_user = self.user
            figures.full_clean()
            figures.save()


# --- Village figures by year -------------------------------------------------------------------


def _decimal(plan, column, text):
    """A non-negative decimal written the Vietnamese way ("2,5") or the English way ("2.5")."""
    from decimal import Decimal, InvalidOperation

    if not text:
        return None
    cleaned = text.replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or value < 0:
        plan.error(column.key, column, _("“%(value)s” is not a number.") % {"value": text})
        return None
    return value


def _yes_no(plan, column, text):
    """True for x / có / 1, False for không / 0 / -, None when empty."""
    folded = fold(text)
    if not folded and text.strip() not in ("-", "–"):
        return None
    if folded in {"x", "co", "1", "yes", "true", "da co"}:
        return True
    if folded in {"khong", "0", "no", "false", "chua", "chua co"} or text.strip() in ("-", "–"):
        return False
    plan.error(column.key, column, _("“%(value)s”: write x (or có) or không.") % {"value": text})
    return None


class VillageFiguresResource(ListResource):
    """One row = one village's figures of one year (the commune's yearly figures)."""

    VILLAGE = _column("village", "Thôn, làng", *VILLAGE_NAME_SYNONYMS, required=True)
    COMMUNE = AssignmentResource.COMMUNE
    DISTRICT = AssignmentResource.DISTRICT
    PROVINCE = AssignmentResource.PROVINCE
    YEAR = _column("year", "Năm", "Năm số liệu", "Năm thống kê", required=True)
    HOUSEHOLDS = VillageResource.HOUSEHOLDS
    POPULATION = VillageResource.POPULATION
    POOR = VillageResource.POOR
    NEAR_POOR = _column("near_poor_households", "Số hộ cận nghèo", "Hộ cận nghèo")
    LEFT = _column(
        "left_poverty_households", "Số hộ thoát nghèo", "Hộ thoát nghèo", "Thoát nghèo trong năm"
    )
    ROAD = _column("hard_road_km", "Đường cứng hóa (km)", "Đường bê tông (km)", "Đường cứng hóa")
    POWER = _column("has_grid_power", "Điện lưới", "Có điện lưới")
    CULTURE = _column("has_culture_house", "Nhà văn hóa", "Có nhà văn hóa")
    SCHOOL = _column("has_school", "Trường, lớp", "Trường mẫu giáo", "Điểm trường", "Trường học")
    WATER = _column("has_clean_water", "Nước sạch", "Có nước sạch")
    NOTE = _column("note", "Ghi chú")
    COLUMNS = (
        STT,
        VILLAGE,
        COMMUNE,
        DISTRICT,
        PROVINCE,
        YEAR,
        HOUSEHOLDS,
        POPULATION,
        POOR,
        NEAR_POOR,
        LEFT,
        ROAD,
        POWER,
        CULTURE,
        SCHOOL,
        WATER,
        NOTE,
    )
    NUMBERS = (HOUSEHOLDS, POPULATION, POOR, NEAR_POOR, LEFT)
    FLAGS = (POWER, CULTURE, SCHOOL, WATER)
    COMPARED = (
        "households",
        "population",
        "poor_households",
        "near_poor_households",
        "left_poverty_households",
        "hard_road_km",
        "has_grid_power",
        "has_culture_house",
        "has_school",
        "has_clean_water",
        "note",
    )

    village = fields.Field("village", VILLAGE.label, TextWidget())
    commune = fields.Field(None, COMMUNE.label, TextWidget())
    year = fields.Field("year", YEAR.label, widgets.IntegerWidget(coerce_to_string=False))
    households = fields.Field("households", HOUSEHOLDS.label, widgets.IntegerWidget())
    population = fields.Field("population", POPULATION.label, widgets.IntegerWidget())
    poor_households = fields.Field("poor_households", POOR.label, widgets.IntegerWidget())
    near_poor_households = fields.Field(
        "near_poor_households", NEAR_POOR.label, widgets.IntegerWidget()
    )
    left_poverty_households = fields.Field(
        "left_poverty_households", LEFT.label, widgets.IntegerWidget()
    )
    hard_road_km = fields.Field("hard_road_km", ROAD.label, widgets.DecimalWidget())
    has_grid_power = fields.Field("has_grid_power", POWER.label, TextWidget())
    has_culture_house = fields.Field("has_culture_house", CULTURE.label, TextWidget())
    has_school = fields.Field("has_school", SCHOOL.label, TextWidget())
    has_clean_water = fields.Field("has_clean_water", WATER.label, TextWidget())
    note = fields.Field("note", NOTE.label, TextWidget())

    class Meta:
        model = VillageYearFigures
        fields = (
            "village",
            "commune",
            "year",
            "households",
            "population",
            "poor_households",
            "near_poor_households",
            "left_poverty_households",
            "hard_road_km",
            "has_grid_power",
            "has_culture_house",
            "has_school",
            "has_clean_water",
            "note",
        )
        instance_loader_class = PlannedInstanceLoader
        skip_unchanged = True
        report_skipped = True

    def get_export_queryset(self, request=None):
        return VillageYearFigures.objects.select_related("village__commune")

    def dehydrate_village(self, figures):
        return escape_formula(str(figures.village))

    def dehydrate_commune(self, figures):
        return str(figures.village.commune)

    def _flag_text(self, value):
        return {True: "x", False: "không", None: ""}[value]

    def dehydrate_has_grid_power(self, figures):
        return self._flag_text(figures.has_grid_power)

    def dehydrate_has_culture_house(self, figures):
        return self._flag_text(figures.has_culture_house)

    def dehydrate_has_school(self, figures):
        return self._flag_text(figures.has_school)

    def dehydrate_has_clean_water(self, figures):
        return self._flag_text(figures.has_clean_water)

    def plan(self, plans):
        units = UnitIndex()
        villages = PlacedVillages()
        existing = {(f.village_id, f.year): f for f in VillageYearFigures.objects.order_by()}
        for plan in plans:
            values = plan.values
            year = _number(plan, self.YEAR, values["year"])
            if year is not None and not 1990 <= year <= 2100:
                plan.error("year", self.YEAR, _("the year must be between 1990 and 2100."))
            communes = units.communes_named(
                values["commune"],
                values.get("district", ""),
                values.get("province", ""),
                current_only=False,
            )
            found = {villages.get(c.pk, values["village"]) for c in communes} - {None}
            if not communes:
                plan.error(
                    "village",
                    self.COMMUNE,
                    with_suggestions(
                        _("no commune “%(value)s”.") % {"value": values["commune"]},
                        suggest(values["commune"], units.all_commune_names()),
                    ),
                )
            elif len(found) != 1:
                plan.error(
                    "village",
                    self.VILLAGE,
                    _("no village “%(value)s” in %(commune)s.")
                    % {"value": values["village"], "commune": values["commune"]}
                    if not found
                    else _("several villages match “%(value)s”: give the district.")
                    % {"value": values["village"]},
                )
            resolved = {}
            for column in self.NUMBERS:
                resolved[column.key] = _number(plan, column, values.get(column.key, ""))
            resolved["hard_road_km"] = _decimal(plan, self.ROAD, values.get("hard_road_km", ""))
            for column in self.FLAGS:
                resolved[column.key] = _yes_no(plan, column, values.get(column.key, ""))
            households = resolved["households"]
            for column in (self.POOR, self.NEAR_POOR):
                if households is not None and (resolved[column.key] or 0) > households:
                    plan.error(
                        column.key,
                        column,
                        _("cannot outnumber the households (%(n)s).") % {"n": households},
                    )
            if plan.errors:
                continue
            (village,) = found
            resolved.update(
                existing=existing.get((village.pk, year)),
                village=village,
                year=year,
                note=values.get("note", ""),
            )
            plan.resolved = resolved
        self.mark_duplicates(plans, lambda p: (p.resolved["village"].pk, p.resolved["year"]))


# --- Administrative units --------------------------------------------------------------------


class AdministrativeUnitResource(ListResource):
    """The statistics office's list: one row per commune with its district and province."""

    PROVINCE = _column(
        "province", "Tỉnh / Thành phố", "Tỉnh Thành Phố", "Tỉnh", "Tỉnh, thành phố", required=True
    )
    PROVINCE_CODE = _column("province_code", "Mã TP", "Mã tỉnh", "Mã Tỉnh")
    DISTRICT = _column(
        "district",
        "Quận Huyện",
        "Huyện",
        "Quận, huyện",
        "Huyện, thị xã, thành phố",
        "Quận, huyện, thị xã",
    )
    DISTRICT_CODE = _column("district_code", "Mã QH", "Mã huyện")
    COMMUNE = _column(
        "commune", "Phường Xã", "Xã", "Phường, xã", "Xã, phường, thị trấn", required=True
    )
    COMMUNE_CODE = _column("commune_code", "Mã PX", "Mã xã")
    COLUMNS = (STT, PROVINCE, PROVINCE_CODE, DISTRICT, DISTRICT_CODE, COMMUNE, COMMUNE_CODE)
    COMPARED = ("code", "code_list", "unit_type")
    TYPES = {fold(prefix): code for code, prefix in AdministrativeUnit.PREFIX.items()}

    name = fields.Field("name", "Tên", TextWidget())
    unit_type = fields.Field("unit_type", "Loại", TextWidget())
    code = fields.Field("code", "Mã", TextWidget())
    code_list = fields.Field("code_list", "Danh mục mã", TextWidget())
    parent = fields.Field("parent", "Trực thuộc", TextWidget())

    class Meta:
        model = AdministrativeUnit
        fields = ("name", "unit_type", "code", "code_list", "parent")
        instance_loader_class = PlannedInstanceLoader
        skip_unchanged = True
        report_skipped = True

    def get_export_queryset(self, request=None):
        return AdministrativeUnit.objects.select_related("parent")

    def dehydrate_name(self, unit):
        return escape_formula(str(unit))

    def dehydrate_parent(self, unit):
        return str(unit.parent) if unit.parent_id else ""

    def split(self, text, level):
        """("Huyện Chư Păh", district) → ("huyen", "Chư Păh")."""
        folded = fold(text)
        for prefix in sorted(self.TYPES, key=len, reverse=True):
            if folded.startswith(prefix + " "):
                code = self.TYPES[prefix]
                if AdministrativeUnit.LEVEL_OF_TYPE[code] == level or (
                    code == "thanh_pho" and level == "province"
                ):
                    kind = "thanh_pho_tw" if level == "province" and code == "thanh_pho" else code
                    return kind, strip_prefix(text, [AdministrativeUnit.PREFIX[code]])
        default = {"province": "tinh", "district": "huyen", "commune": "xa"}[level]
        return default, clean_text(text)

    def plan(self, plans):
        code_list = self.options.get("code_list") or AdministrativeUnit.CodeList.GSO_2025
        existing = {}
        for unit in AdministrativeUnit.objects.in_force_on(timezone.localdate()):
            existing[(unit.level, unit.parent_id, unit.name_key)] = unit
        made = {}

        def upsert(level, text, code, parent):
            unit_type, name = self.split(text, level)
            key = (level, parent.pk if parent else None, fold(name))
            unit = made.get(key) or existing.get(key)
            if unit is None:
                unit = AdministrativeUnit(
                    level=level, unit_type=unit_type, name=name, parent=parent
                )
            unit.unit_type, unit.code = unit_type, code or unit.code
            unit.code_list = code_list if unit.code else ""
            if key not in made:
                unit._history_user = self.user
                unit.save()
                made[key] = unit
            return unit

        for plan in plans:
            values = plan.values
            province = upsert("province", values["province"], values.get("province_code", ""), None)
            parent = province
            if values.get("district"):
                parent = upsert(
                    "district", values["district"], values.get("district_code", ""), province
                )
            unit_type, name = self.split(values["commune"], "commune")
            current = existing.get(("commune", parent.pk, fold(name)))
            plan.resolved = {
                "existing": current,
                "level": "commune",
                "unit_type": unit_type,
                "name": name,
                "parent": parent,
                "code": values.get("commune_code") or getattr(current, "code", ""),
            }
            plan.resolved["code_list"] = code_list if plan.resolved["code"] else ""
        self.mark_duplicates(plans, lambda p: (p.resolved["parent"].pk, fold(p.resolved["name"])))


# --- Directives ---------------------------------------------------------------------------


def _date(text):
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class DirectiveResource(ListResource):
    NUMBER = _column(
        "number",
        "Số, ký hiệu",
        "Số ký hiệu",
        "Số hiệu",
        "Số hiệu văn bản",
        "Số, ký hiệu văn bản",
        "Số văn bản",
        required=True,
    )
    KIND = _column("kind", "Loại văn bản", "Loại", "Hình thức văn bản")
    DATE = _column(
        "issued_on",
        "Ngày ban hành",
        "Ngày",
        "Ngày văn bản",
        "Ngày, tháng, năm ban hành",
        "Ngày tháng năm",
        "Ngày ký",
        required=True,
    )
    BODY = _column(
        "issuing_body",
        "Cơ quan ban hành",
        "Nơi ban hành",
        "Cơ quan, đơn vị ban hành",
        "Đơn vị ban hành",
        "Cơ quan ban hành văn bản",
        required=True,
    )
    TITLE = _column(
        "title",
        "Trích yếu",
        "Tiêu đề",
        "Tên văn bản",
        "Trích yếu nội dung",
        "Trích yếu văn bản",
        "Nội dung",
        required=True,
    )
    FROM = _column("period_from_year", "Từ năm", "Giai đoạn từ năm")
    TO = _column("period_to_year", "Đến năm", "Giai đoạn đến năm")
    IMPLEMENTS = _column("implements", "Thực hiện văn bản", "Căn cứ văn bản")
    COLUMNS = (STT, NUMBER, KIND, DATE, BODY, TITLE, FROM, TO, IMPLEMENTS)
    COMPARED = (
        "kind",
        "issuing_body",
        "title",
        "period_from_year",
        "period_to_year",
        "implements_id",
    )

    number = fields.Field("number", NUMBER.label, TextWidget())
    kind = fields.Field("kind", KIND.label, TextWidget())
    issued_on = fields.Field("issued_on", DATE.label, widgets.DateWidget("%d/%m/%Y"))
    issuing_body = fields.Field("issuing_body", BODY.label, TextWidget())
    title = fields.Field("title", TITLE.label, TextWidget())
    period_from_year = fields.Field(
        "period_from_year", FROM.label, widgets.IntegerWidget(coerce_to_string=False)
    )
    period_to_year = fields.Field(
        "period_to_year", TO.label, widgets.IntegerWidget(coerce_to_string=False)
    )
    implements = fields.Field(
        "implements", IMPLEMENTS.label, widgets.ForeignKeyWidget(Directive, "number")
    )

    class Meta:
        model = Directive
        fields = (
            "number",
            "kind",
            "issued_on",
            "issuing_body",
            "title",
            "period_from_year",
            "period_to_year",
            "implements",
        )
        instance_loader_class = PlannedInstanceLoader
        skip_unchanged = True
        report_skipped = True

    def get_export_queryset(self, request=None):
        return Directive.objects.select_related("implements")

    def dehydrate_kind(self, directive):
        return directive.get_kind_display()

    def plan(self, plans):
        existing = {(d.name_key, d.issued_on): d for d in Directive.objects.all()}
        by_number = {}
        for directive in Directive.objects.all():
            by_number.setdefault(directive.name_key, directive)
        for plan in plans:
            values = plan.values
            text = values["issued_on"]
            issued_on = _date(text)
            if issued_on is None:
                plan.error(
                    "issued_on",
                    self.DATE,
                    _("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": text},
                )
            kind = _choice(Directive.Kind.choices, values.get("kind", "")) or (
                Directive.Kind.LETTER if not values.get("kind") else None
            )
            if kind is None:
                plan.error(
                    "kind",
                    self.KIND,
                    _("“%(value)s” is not one of: %(allowed)s.")
                    % {
                        "value": values["kind"],
                        "allowed": ", ".join(str(label) for _c, label in Directive.Kind.choices),
                    },
                )
            years = {}
            for column in (self.FROM, self.TO):
                years[column.key] = _number(plan, column, values.get(column.key, ""))
            implements = None
            if values.get("implements"):
                implements = by_number.get(fold(values["implements"]))
                if implements is None:
                    plan.error(
                        "implements",
                        self.IMPLEMENTS,
                        with_suggestions(
                            _("no document “%(value)s”.") % {"value": values["implements"]},
                            suggest(values["implements"], [d.number for d in by_number.values()]),
                        ),
                    )
            current = existing.get((fold(values["number"]), issued_on))
            plan.resolved = {
                "existing": current,
                "number": clean_text(values["number"]),
                "kind": kind,
                "issued_on": issued_on,
                "issuing_body": values["issuing_body"],
                "title": values["title"],
                "implements": implements,
                **years,
            }
        self.mark_duplicates(plans, lambda p: (fold(p.values["number"]), p.resolved["issued_on"]))


# --- Agreement contents ---------------------------------------------------------------------


def agency_keys(first=()):
    """Agencies by folded name and short name: ``first`` (an agreement's parties) before the
    others, those in force today before those merged away."""
    today = timezone.localdate()
    keys = {}
    others = sorted(Agency.objects.order_by("pk"), key=lambda a: not a.is_in_force(today))
    for agency in [*first, *others]:
        keys.setdefault(agency.name_key, agency)
        if agency.short_name:
            keys.setdefault(fold(agency.short_name), agency)
    return keys


def _name_words(text, keys):
    """The agencies whose names, one after the other, make up ``text`` (a cell whose line
    breaks the reader turned into spaces: "Sở Y tế Sở Nội vụ"), or None."""
    words = fold(text).split()
    found = {0: []}
    for end in range(1, len(words) + 1):
        for start in range(end):
            agency = keys.get(" ".join(words[start:end]))
            if start in found and agency is not None:
                found[end] = [*found[start], agency]
                break
    return found.get(len(words))


def split_agencies(text, keys):
    """(agencies, unknown pieces) named in a cell of several agencies, separated by commas,
    semicolons or line breaks; a name that holds a comma ("Sở Văn hóa, Thể thao và Du
    lịch") is kept whole."""
    whole = _name_words(text, keys)
    if whole is not None:
        return whole, []
    pieces = [p for p in (clean_text(p) for p in re.split(r"[,;\n]", text)) if p]
    found, unknown = [], []
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            agency = keys.get(fold(" ".join(pieces[start:end])))
            if agency is not None:
                found.append(agency)
                start = end
                break
        else:
            words = _name_words(pieces[start], keys)
            if words:
                found.extend(words)
            else:
                unknown.append(pieces[start])
            start += 1
    return found, unknown


_HEADING_NUMBER = re.compile(r"^([IVX]+|[A-Z])[.):]?(?:\s+(.*))?$", re.IGNORECASE)


def _heading_group(values):
    """The group named by a heading row of the table ("I | NỘI DUNG CHUNG", or one merged
    cell "I. Nội dung chung"), or None for a row of content."""
    if values.get("lead") or values.get("participants") or values.get("group"):
        return None
    number, title = values.get("number", ""), values.get("title", "")
    match = _HEADING_NUMBER.match(number)
    if not match:
        return None
    text = title if title and fold(title) != fold(number) else (match.group(2) or "")
    text = text.strip(" :")
    if text.isupper():
        text = text[:1] + text[1:].lower()
    return text or None


class AgreementContentResource(ListResource):
    """One row = one numbered content of the agreement chosen on import (its "nội dung phối
    hợp"), with its lead and participants among the agreement's parties. A lead that is not
    an agency ("Hai bên", "UBND xã") is kept as written. Rows are matched by group and
    number: importing the table again updates the contents instead of adding them twice."""

    SECTION_ROWS = False  # heading rows name the group of the rows below: read in before_import

    NUMBER = _column("number", "TT", "STT", "Số TT", "Số thứ tự", required=True)
    GROUP = _column("group", "Nhóm", "Nhóm nội dung")
    TITLE = _column(
        "title",
        "Nội dung",
        "Nội dung phối hợp",
        "Nội dung công việc",
        "Nội dung thực hiện",
        required=True,
    )
    LEAD = _column(
        "lead",
        "Cơ quan chủ trì",
        "Chủ trì",
        "Đơn vị chủ trì",
        "Cơ quan, đơn vị chủ trì",
        "Cơ quan chủ trì thực hiện",
    )
    PARTICIPANTS = _column(
        "participants",
        "Cơ quan phối hợp",
        "Phối hợp",
        "Đơn vị phối hợp",
        "Cơ quan, đơn vị phối hợp",
        "Cơ quan phối hợp thực hiện",
    )
    AGREEMENT = _column("agreement", "Chương trình, giao ước")  # exported, not imported
    COLUMNS = (NUMBER, GROUP, TITLE, LEAD, PARTICIPANTS)
    COMPARED = ("title", "lead", "lead_other")
    # A lead this close to an agency's name is a misspelling, not a body outside the list.
    LEAD_CUTOFF = 0.75

    number = fields.Field("number", NUMBER.label, widgets.IntegerWidget(coerce_to_string=False))
    group = fields.Field("group", GROUP.label, TextWidget())
    title = fields.Field("title", TITLE.label, TextWidget())
    lead = fields.Field("lead_name", LEAD.label, TextWidget())
    participants = fields.Field(
        "participants", PARTICIPANTS.label, widgets.ManyToManyWidget(Agency, "; ", "name")
    )
    agreement = fields.Field("agreement", AGREEMENT.label, TextWidget())

    class Meta:
        model = AgreementContent
        fields = ("number", "group", "title", "lead", "participants", "agreement")
        instance_loader_class = PlannedInstanceLoader
        skip_unchanged = True
        report_skipped = True

    def get_import_fields(self):
        return [self.fields[n] for n in ("number", "group", "title", "lead", "participants")]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("agreement", "lead").prefetch_related("participants")

    def dehydrate_participants(self, content):
        # Semicolons: agencies' names hold commas.
        return escape_formula("; ".join(a.name for a in content.participants.all()))

    def before_import(self, dataset, **kwargs):
        # A heading row ("II | NỘI DUNG CỤ THỂ") is not a content: it names the group of the
        # rows below it that have no group of their own. It is read here and left out.
        group_index = 1 + self.COLUMNS.index(self.GROUP)
        keys = [c.key for c in self.COLUMNS]
        heading = ""
        for index in range(len(dataset)):
            row = list(dataset[index])
            group = _heading_group(dict(zip(keys, row[1:], strict=True)))
            if group is not None:
                heading = group
                row[0] = None
            elif not row[group_index]:
                row[group_index] = heading
            del dataset[index]
            dataset.insert(index, row)
        for index in reversed(range(len(dataset))):
            if dataset[index][0] is None:
                del dataset[index]
        super().before_import(dataset, **kwargs)

    def plan(self, plans):
        agreement = self.options.get("agreement")
        if agreement is None:
            raise ValueError("AgreementContentResource needs an agreement")
        parties = list(agreement.parties.all())
        keys = agency_keys(parties)
        party_names = [(a.name, a.name) for a in parties] + [
            (a.short_name, a.name) for a in parties if a.short_name
        ]
        existing = {
            (fold(c.group), c.number): c
            for c in agreement.contents.select_related("lead").prefetch_related("participants")
        }
        for plan in plans:
            values = plan.values
            number = _content_number(plan, self.NUMBER, values["number"])
            if not values.get("title"):
                plan.error("title", self.TITLE, _("the cell is empty."))
            lead, lead_other = self.resolve_lead(plan, keys, parties, party_names)
            participants = self.resolve_participants(plan, keys, parties, party_names)
            if plan.errors:
                continue
            current = existing.get((fold(values.get("group", "")), number))
            plan.resolved = {
                "existing": current,
                "group": current.group if current else values.get("group", ""),
                "number": number,
                "title": values["title"],
                "lead": lead,
                "lead_other": lead_other,
            }
            if current is None:
                plan.resolved["agreement"] = agreement
            plan.participants = [a for a in participants if a != lead]
        self.mark_duplicates(plans, lambda p: (fold(p.resolved["group"]), p.resolved["number"]))
        if not any(p.errors for p in plans):
            named = {(fold(p.resolved["group"]), p.resolved["number"]) for p in plans}
            kept = [content for key, content in existing.items() if key not in named]
            if kept:
                self.notices.append(
                    _("Contents already recorded and not in the file are kept: %(numbers)s.")
                    % {"numbers": ", ".join(f"{c.group} {c.number}".strip() for c in kept)}
                )

    def resolve_lead(self, plan, keys, parties, party_names):
        """(agency, "") for a party, ("", text) for a lead that is not an agency."""
        text = plan.values.get("lead", "")
        if not text:
            return None, ""
        agency = keys.get(fold(text))
        if agency is not None and agency in parties:
            return agency, ""
        if agency is not None:
            plan.error("lead", self.LEAD, self.not_a_party(agency, parties))
            return None, ""
        close = suggest(text, party_names, cutoff=self.LEAD_CUTOFF)
        if close:
            plan.error(
                "lead",
                self.LEAD,
                with_suggestions(_("no agency “%(value)s”.") % {"value": text}, close),
            )
            return None, ""
        self.notices.append(
            _("Row %(row)s: the lead “%(value)s” is not an agency; it is kept as written.")
            % {"row": plan.number, "value": text}
        )
        return None, text

    def resolve_participants(self, plan, keys, parties, party_names):
        found, unknown = split_agencies(plan.values.get("participants", ""), keys)
        for piece in unknown:
            plan.error(
                "participants",
                self.PARTICIPANTS,
                with_suggestions(
                    _("no agency “%(value)s”.") % {"value": piece}, suggest(piece, party_names)
                ),
            )
        for agency in dict.fromkeys(found):
            if agency not in parties:
                plan.error("participants", self.PARTICIPANTS, self.not_a_party(agency, parties))
        return list(dict.fromkeys(found))

    @staticmethod
    def not_a_party(agency, parties):
        return _("%(agency)s is not a party of this agreement (its parties: %(parties)s).") % {
            "agency": agency.name,
            "parties": "; ".join(a.name for a in parties),
        }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        plan = self.plan_of(row)
        if (
            not plan.errors
            and not plan.duplicate_of
            and original is not None
            and original.pk
            and {a.pk for a in plan.participants} != {a.pk for a in original.participants.all()}
        ):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        instance._change_reason = _("Imported from a list")

    def save_m2m(self, instance, row, **kwargs):
        # The participants resolved in plan(), not the widget's reading of the cell.
        plan = self.plan_of(row)
        if not plan.errors and instance.pk:
            instance.participants.set(plan.participants)


def _content_number(plan, column, text):
    """A content's number as the table writes it: "3" or "3."."""
    digits = text.strip().rstrip(".)")
    if not digits.isdigit() or not 0 < int(digits) < 32768:
        plan.error(column.key, column, _("“%(value)s” is not a whole number.") % {"value": text})
        return None
    return int(digits)


# --- The register of exemplary models -----------------------------------------------------------


def _choice_of(plan, column, text, choices, usual, default=None):
    """The code of a choice written as its label (Vietnamese or English), its code or a
    usual short form (``usual``: folded text → code); ``default`` for an empty cell."""
    if not text:
        return default
    code = usual.get(fold(text)) or _choice(choices, text)
    if code is None:
        plan.error(
            column.key,
            column,
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": text, "allowed": ", ".join(str(label) for _code, label in choices)},
        )
    return code


def _year(plan, column, text):
    year = _number(plan, column, text)
    if year is not None and not 1990 <= year <= 2100:
        plan.error(column.key, column, _("the year must be between 1990 and 2100."))
        return None
    return year


class ModelRegisterResource(ListResource):
    """One row = one exemplary model in one year: the model (name, field, owner, place, since
    when, what it is) and what became of it that year (registered, judged effective,
    commended at a level, replicated). A model is found by its name and owner, compared
    folded; its year is added or updated. Cells left empty keep what is recorded."""

    NAME = _column("name", "Tên mô hình", "Mô hình", "Tên mô hình điển hình", required=True)
    FIELD = _column("field", "Lĩnh vực", "Lĩnh vực mô hình", required=True)
    OWNER = _column("owner", "Chủ thể", "Loại chủ thể")
    OWNER_NAME = _column(
        "owner_name",
        "Tên chủ thể",
        "Chủ thể thực hiện",
        "Đơn vị, cá nhân thực hiện",
        "Tập thể, cá nhân",
        "Đơn vị thực hiện",
        required=True,
    )
    AGENCY = _column("agency", "Cơ quan đăng ký", "Cơ quan, đơn vị đăng ký", "Đơn vị đăng ký")
    VILLAGE = _column("village", "Thôn, làng", *VILLAGE_NAME_SYNONYMS)
    COMMUNE = _column("commune", "Xã, phường", "Xã, phường, thị trấn", "Xã", "Địa bàn")
    START = _column("start_year", "Từ năm", "Năm bắt đầu", "Năm xây dựng")
    DESCRIPTION = _column("description", "Mô tả", "Nội dung, cách làm", "Nội dung mô hình")
    YEAR = _column("year", "Năm", "Năm đánh giá", required=True)
    STATUS = _column("status", "Kết quả", "Kết quả trong năm", "Tình trạng")
    LEVEL = _column("level", "Cấp khen thưởng", "Cấp khen")
    COMMENDATION = _column(
        "commendation", "Hình thức khen thưởng", "Khen thưởng", "Hình thức khen, văn bản"
    )
    REPLICATED = _column("replicated_to", "Nhân rộng đến", "Nhân rộng", "Nơi nhân rộng")
    ASSIGNMENT = _column("assignment", "Kết nghĩa", "Thuộc kết nghĩa")
    AGREEMENT = _column(
        "agreement", "Chương trình, giao ước", "Chương trình phối hợp", "Giao ước kết nghĩa"
    )
    COLUMNS = (
        STT,
        NAME,
        FIELD,
        OWNER,
        OWNER_NAME,
        AGENCY,
        VILLAGE,
        COMMUNE,
        START,
        DESCRIPTION,
        YEAR,
        STATUS,
        LEVEL,
        COMMENDATION,
        REPLICATED,
        ASSIGNMENT,
        AGREEMENT,
    )
    COMPARED = ("status", "level", "commendation", "replicated_to")
    # The model's own fields, with the column each comes from.
    MODEL_COLUMNS = {
        "field": FIELD,
        "agency": AGENCY,
        "commune": COMMUNE,
        "village": VILLAGE,
        "start_year": START,
        "description": DESCRIPTION,
        "assignment": ASSIGNMENT,
        "agreement": AGREEMENT,
    }
    # Usual ways of writing the choices, folded, besides their labels.
    FIELDS = {
        "kinh te": ExemplaryModel.Field.ECONOMY,
        "van hoa xa hoi": ExemplaryModel.Field.CULTURE_SOCIETY,
        "van hoa": ExemplaryModel.Field.CULTURE_SOCIETY,
        "quoc phong an ninh": ExemplaryModel.Field.DEFENCE_SECURITY,
        "an ninh quoc phong": ExemplaryModel.Field.DEFENCE_SECURITY,
        "xay dung dang va he thong chinh tri": ExemplaryModel.Field.POLITICAL_SYSTEM,
        "xay dung dang he thong chinh tri": ExemplaryModel.Field.POLITICAL_SYSTEM,
        "he thong chinh tri": ExemplaryModel.Field.POLITICAL_SYSTEM,
    }
    OWNERS = {
        "co quan": ExemplaryModel.Owner.AGENCY,
        "don vi": ExemplaryModel.Owner.AGENCY,
        "co quan don vi": ExemplaryModel.Owner.AGENCY,
        "xa": ExemplaryModel.Owner.COMMUNE,
        "phuong": ExemplaryModel.Owner.COMMUNE,
        "xa phuong": ExemplaryModel.Owner.COMMUNE,
        "thon": ExemplaryModel.Owner.VILLAGE,
        "lang": ExemplaryModel.Owner.VILLAGE,
        "thon lang": ExemplaryModel.Owner.VILLAGE,
        "ca nhan": ExemplaryModel.Owner.PERSON,
    }
    STATUSES = {
        "dang ky": ModelYear.Status.REGISTERED,
        "da dang ky": ModelYear.Status.REGISTERED,
        "hieu qua": ModelYear.Status.EFFECTIVE,
        "cong nhan hieu qua": ModelYear.Status.EFFECTIVE,
        "duoc cong nhan hieu qua": ModelYear.Status.EFFECTIVE,
        "khen thuong": ModelYear.Status.COMMENDED,
        "duoc khen thuong": ModelYear.Status.COMMENDED,
        "da khen thuong": ModelYear.Status.COMMENDED,
    }
    LEVELS = {
        "trung uong": ModelYear.Level.CENTRAL,
        "cap trung uong": ModelYear.Level.CENTRAL,
        "tinh": ModelYear.Level.PROVINCE,
        "cap tinh": ModelYear.Level.PROVINCE,
        "huyen": ModelYear.Level.DISTRICT,
        "cap huyen": ModelYear.Level.DISTRICT,
        "xa": ModelYear.Level.COMMUNE,
        "cap xa": ModelYear.Level.COMMUNE,
    }

    name = fields.Field("model__name", NAME.label, TextWidget())
    field = fields.Field("model__get_field_display", FIELD.label, TextWidget())
    owner = fields.Field("model__get_owner_display", OWNER.label, TextWidget())
    owner_name = fields.Field("model__owner_name", OWNER_NAME.label, TextWidget())
    agency = fields.Field("model__agency__name", AGENCY.label, TextWidget())
    village = fields.Field("model__village", VILLAGE.label, TextWidget())
    commune = fields.Field(None, COMMUNE.label, TextWidget())
    start_year = fields.Field(
        "model__start_year", START.label, widgets.IntegerWidget(coerce_to_string=False)
    )
    description = fields.Field("model__description", DESCRIPTION.label, TextWidget())
    year = fields.Field("year", YEAR.label, widgets.IntegerWidget(coerce_to_string=False))
    status = fields.Field("get_status_display", STATUS.label, TextWidget())
    level = fields.Field("get_level_display", LEVEL.label, TextWidget())
    commendation = fields.Field("commendation", COMMENDATION.label, TextWidget())
    replicated_to = fields.Field("replicated_to", REPLICATED.label, TextWidget())
    assignment = fields.Field("model__assignment", ASSIGNMENT.label, TextWidget())
    agreement = fields.Field("model__agreement", AGREEMENT.label, TextWidget())

    class Meta:
        model = ModelYear
        fields = (
            "name",
            "field",
            "owner",
            "owner_name",
            "agency",
            "village",
            "commune",
            "start_year",
            "description",
            "year",
            "status",
            "level",
            "commendation",
            "replicated_to",
            "assignment",
            "agreement",
        )
        instance_loader_class = PlannedInstanceLoader
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.drafts = {}  # model key → (row that named it first, the model's fields)
        self.models = {}  # model key → the model recorded, or None
        self.row_models = {}  # row number → model key
        self.written = {}  # model key → the model once saved by this import

    @staticmethod
    def rows(models, year=None):
        """The register's rows (models' years) of ``models``, of ``year`` if given, with
        what the export reads, in a fixed number of queries."""
        rows = ModelYear.objects.filter(model__in=models)
        if year is not None:
            rows = rows.filter(year=year)
        return rows.select_related(
            "model__agency",
            "model__commune",
            "model__village__commune",
            "model__assignment__agency",
            "model__assignment__village",
            "model__assignment__commune",
            "model__agreement",
        ).order_by("model__sort_key", "model__pk", "year")

    def get_import_fields(self):
        return [self.fields[n] for n in ("name", "owner_name", "year", "status", "level")]

    def dehydrate_commune(self, entry):
        model = entry.model
        if model.commune_id:
            return str(model.commune)
        return str(model.village.commune) if model.village_id else ""

    def plan(self, plans):
        keys = agency_keys()
        agency_names = sorted({a.name for a in keys.values() if a.valid_to is None})
        units = UnitIndex()
        villages = PlacedVillages()
        assignments = {}
        for a in Assignment.objects.select_related("agency", "village", "commune").order_by("pk"):
            assignments.setdefault(fold(str(a)), a)
        agreements = {}
        for a in Agreement.objects.order_by("pk"):
            for text in (str(a), a.name, a.number):
                if text:
                    agreements.setdefault(fold(text), a)
        for model in ExemplaryModel.objects.order_by("pk"):
            self.models.setdefault(self.model_key(model), model)
        recorded = {(y.model_id, y.year): y for y in ModelYear.objects.order_by()}
        lookups = {
            "keys": keys,
            "agency_names": agency_names,
            "units": units,
            "villages": villages,
            "assignments": assignments,
            "agreements": agreements,
        }
        for plan in plans:
            self.plan_row(plan, lookups, recorded)
        by_number = {plan.number: plan for plan in plans}
        for key, (first, draft) in self.drafts.items():
            if self.models.get(key) is None and not draft["description"]:
                by_number[first].error(
                    "description", self.DESCRIPTION, _("a new model needs its description.")
                )
        self.mark_duplicates(plans, lambda p: (self.row_models[p.number], p.resolved["year"]))

    @staticmethod
    def model_key(model):
        owner = {
            ExemplaryModel.Owner.AGENCY: model.agency_id,
            ExemplaryModel.Owner.COMMUNE: model.commune_id,
            ExemplaryModel.Owner.VILLAGE: model.village_id,
            ExemplaryModel.Owner.PERSON: fold(model.person),
        }.get(model.owner)
        return (fold(model.name), model.owner, owner)

    def plan_row(self, plan, lookups, recorded):
        values = plan.values
        for column in (self.FIELD, self.OWNER_NAME, self.YEAR):
            if not values.get(column.key):
                plan.error(column.key, column, _("the cell is empty."))
        Owner = ExemplaryModel.Owner
        field = _choice_of(
            plan, self.FIELD, values["field"], ExemplaryModel.Field.choices, self.FIELDS
        )
        owner = _choice_of(
            plan, self.OWNER, values.get("owner", ""), Owner.choices, self.OWNERS, Owner.AGENCY
        )
        year = _year(plan, self.YEAR, values["year"])
        start = _year(plan, self.START, values.get("start_year", ""))
        status = _choice_of(
            plan,
            self.STATUS,
            values.get("status", ""),
            ModelYear.Status.choices,
            self.STATUSES,
            ModelYear.Status.REGISTERED,
        )
        level = _choice_of(
            plan, self.LEVEL, values.get("level", ""), ModelYear.Level.choices, self.LEVELS, ""
        )
        model = {
            "name": clean_text(values["name"]),
            "field": field,
            "owner": owner,
            "start_year": start,
            "description": values.get("description", ""),
            "person": "",
            **self.resolve_owner(plan, owner, lookups),
            "assignment": self.resolve_reference(
                plan, self.ASSIGNMENT, lookups["assignments"], _("no twinning “%(value)s”.")
            ),
            "agreement": self.resolve_reference(
                plan,
                self.AGREEMENT,
                lookups["agreements"],
                _("no programme or covenant “%(value)s”."),
            ),
        }
        key = self.model_key(ExemplaryModel(**model))
        if not key[0] or key[2] in (None, ""):
            return  # the owner is not known: the row's error says why
        self.row_models[plan.number] = key
        current = self.models.get(key)
        if key in self.drafts:
            first, draft = self.drafts[key]
            for name, value in model.items():
                if value in (None, "") or name not in self.MODEL_COLUMNS:
                    continue
                if draft.get(name) in (None, ""):
                    draft[name] = value
                elif draft[name] != value:
                    plan.error(
                        name,
                        self.MODEL_COLUMNS[name],
                        _("differs from row %(row)s, which names the same model.") % {"row": first},
                    )
        else:
            draft = dict(model)
            if current is not None:
                # Found by its folded name and owner: its spelling stays; empty cells keep.
                draft = {
                    n: v
                    for n, v in model.items()
                    if v not in (None, "") and n not in ("name", "owner", "person")
                }
            elif draft["start_year"] is None:
                draft["start_year"] = year
            self.drafts[key] = (plan.number, draft)
        if plan.errors:
            return
        existing = recorded.get((current.pk, year)) if current else None
        level = level or getattr(existing, "level", "")
        if status == ModelYear.Status.COMMENDED and not level:
            plan.error("level", self.LEVEL, _("A commendation needs its level."))
        if plan.errors:
            return
        plan.resolved = {
            "existing": existing,
            "year": year,
            "status": status,
            "level": level,
            "commendation": values.get("commendation") or getattr(existing, "commendation", ""),
            "replicated_to": values.get("replicated_to") or getattr(existing, "replicated_to", ""),
        }

    def resolve_owner(self, plan, owner, lookups):
        """The model's agency, commune, village and person from the owner and place columns."""
        Owner = ExemplaryModel.Owner
        values = plan.values
        text = values["owner_name"]
        found = {}
        commune = None
        if values.get("commune"):
            commune = self.resolve_commune(plan, self.COMMUNE, values["commune"], lookups)
        if owner == Owner.COMMUNE and text:
            commune = self.resolve_commune(plan, self.OWNER_NAME, text, lookups)
        if commune is not None:
            found["commune"] = commune
        village_text = text if owner == Owner.VILLAGE else values.get("village", "")
        column = self.OWNER_NAME if owner == Owner.VILLAGE else self.VILLAGE
        if village_text and commune is None and not values.get("commune"):
            plan.error(
                column.key,
                column,
                _("give the village's commune in the column “%(column)s”.")
                % {"column": self.COMMUNE.label},
            )
        elif village_text and commune is not None:
            village = lookups["villages"].get(commune.pk, village_text)
            if village is None:
                plan.error(
                    column.key,
                    column,
                    _("no village “%(value)s” in %(commune)s.")
                    % {"value": village_text, "commune": str(commune)},
                )
            found["village"] = village
        if owner == Owner.PERSON:
            found["person"] = clean_text(text)
        agency = None
        if owner == Owner.AGENCY and text:
            agency = self.resolve_agency(plan, self.OWNER_NAME, text, lookups)
        if values.get("agency"):
            registrar = self.resolve_agency(plan, self.AGENCY, values["agency"], lookups)
            if agency is not None and registrar is not None and registrar != agency:
                plan.error(
                    "agency",
                    self.AGENCY,
                    _("the model belongs to %(agency)s, which registers it.")
                    % {"agency": agency.name},
                )
            agency = agency or registrar
        if agency is not None:
            found["agency"] = agency
        return found

    def resolve_agency(self, plan, column, text, lookups):
        agency = lookups["keys"].get(fold(text))
        if agency is None:
            plan.error(
                column.key,
                column,
                with_suggestions(
                    _("no agency “%(value)s”.") % {"value": text},
                    suggest(text, lookups["agency_names"]),
                ),
            )
        return agency

    def resolve_commune(self, plan, column, text, lookups):
        units = lookups["units"]
        communes = units.communes_named(text)
        if len(communes) == 1:
            return communes[0]
        if communes:
            message = _("several communes are named “%(value)s”: give the district.") % {
                "value": text
            }
        else:
            message = with_suggestions(
                _("no commune “%(value)s”.") % {"value": text},
                suggest(text, units.all_commune_names()),
            )
        plan.error(column.key, column, message)
        return None

    def resolve_reference(self, plan, column, known, message):
        text = plan.values.get(column.key, "")
        if not text:
            return None
        found = known.get(fold(text))
        if found is None:
            plan.error(
                column.key,
                column,
                with_suggestions(message % {"value": text}, suggest(text, list(known))),
            )
        return found

    def needs_writing(self, key):
        """Whether the row's model is new or changed, and not yet written by this import."""
        if key in self.written:
            return False
        model = self.models.get(key)
        _first, draft = self.drafts[key]
        return model is None or any(getattr(model, n) != v for n, v in draft.items())

    def skip_row(self, instance, original, row, import_validation_errors=None):
        plan = self.plan_of(row)
        if (
            not plan.errors
            and not plan.duplicate_of
            and self.needs_writing(self.row_models[plan.number])
        ):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance, row, **kwargs):
        key = self.row_models[self.plan_of(row).number]
        if key not in self.written:
            model = self.models.get(key) or ExemplaryModel()
            for name, value in self.drafts[key][1].items():
                setattr(model, name, value)
            model.full_clean(exclude=ExemplaryModel.KEY_FIELDS)
            model._history_user = self.user
            model._change_reason = _("Imported from a list")
            model.save()
            self.written[key] = model
        instance.model = self.written[key]
        instance._history_user = self.user
        instance._change_reason = _("Imported from a list")
