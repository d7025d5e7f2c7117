"""Reading lists as people make them: .xlsx or .csv files with title rows above the header,
merged header cells, an STT column, blank rows, column-number rows and a totals row.

``read_cells`` turns a file into rows of cleaned text, each with its row number in the
file; ``find_table`` finds the header row by its content and returns the data rows keyed
by column. Both raise ``ImportFileError`` with a message for the user and read nothing
else: they touch no database.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .text import clean_text, fold

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls files
ALLOWED_EXTENSIONS = (".xlsx", ".csv")
HEADER_SEARCH_ROWS = 30
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
# "Tổng cộng: 20", "Tổng số", "Cộng" — but not "Tổng Công ty ..." or "Cộng đồng ...".
_FOOTER = re.compile(r"^(tong (cong|so)( |$)(?!ty\b)|cong( \d.*)?$)")


class ImportFileError(Exception):
    """A file that cannot be read as a list; the message is for the user."""


@dataclass
class Column:
    key: str
    label: str
    synonyms: tuple = ()
    required: bool = False

    def __post_init__(self):
        self.folded = frozenset({fold(self.label), *map(fold, self.synonyms)})

    def matches(self, folded):
        return folded in self.folded


@dataclass
class Table:
    columns: list  # the Column objects found, in file order
    rows: list = field(default_factory=list)  # (file row number, {key: text})


def check_upload(name, size):
    """Refuse a file by its name or size before reading it."""
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise ImportFileError(
            _(
                "“%(name)s” is not an .xlsx or .csv file. Save the list as Excel (.xlsx) or "
                "CSV UTF-8 and try again."
            )
            % {"name": name}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s MB, over the limit of %(limit)s MB.")
            % {
                "size": f"{size / 1_048_576:.1f}".replace(".", ","),
                "limit": f"{limit / 1_048_576:g}".replace(".", ","),
            }
        )


def read_cells(data):
    """Return the rows of an .xlsx or .csv file as (row number, [cell text]), judged by
    content, not by name."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        check_upload("file.xlsx", len(data))
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _(
                "The file is password-protected or in the old Excel format (.xls). Remove the "
                "password or save it as .xlsx and try again."
            )
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    return _read_csv(data)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1 as 1.0
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
        return (
            value.strftime("%d/%m/%Y %H:%M")
            if isinstance(value, dt.datetime)
            else (value.strftime("%d/%m/%Y"))
        )
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError(
            _("The file cannot be read as Excel (.xlsx): it is damaged or not an Excel file.")
        ) from error
    sheet = workbook.worksheets[0]
    # Merged cells hold their value in the top-left cell only; copy it to the whole range
    # so that a header such as "Địa bàn kết nghĩa" over three columns is seen in each.
    merged = {}
    for cell_range in sheet.merged_cells.ranges:
        value = sheet.cell(cell_range.min_row, cell_range.min_col).value
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for col in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, col)] = value
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [
            _cell_text(merged.get((number, col), value))
            for col, value in enumerate(values, start=1)
        ]
        rows.append((number, cells))
    workbook.close()
    return rows


def _read_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The file is neither an Excel file nor CSV in UTF-8. In Excel choose “Save as” "
                "→ “Excel Workbook (.xlsx)” or “CSV UTF-8”."
            )
        ) from error
    if "\x00" in text:
        raise ImportFileError(_("The file is neither an Excel file nor CSV in UTF-8."))
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        return [
            (number, [clean_text(c) for c in cells]) for number, cells in enumerate(reader, start=1)
        ]
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed: %(error)s") % {"error": error}
        ) from error


def _delimiter(text):
    """The delimiter that splits the first lines into the most columns (Excel writes ";"
    where the decimal separator is a comma, as on Vietnamese Windows)."""
    sample = [line for line in text.splitlines()[:20] if line.strip()]

    def width(delimiter):
        try:
            counts = sorted(len(row) for row in csv.reader(sample, delimiter=delimiter))
        except csv.Error:
            return 0
        return counts[len(counts) // 2] if counts else 0

    return max([",", ";", "\t"], key=width)


def _match_row(cells, columns):
    found = {}
    for index, text in enumerate(cells):
        folded = fold(text)
        if not folded:
            continue
        for column in columns:
            if column.key not in found.values() and column.matches(folded):
                found[index] = column.key
                break
    return found


def _is_footer(cells):
    first = next((fold(c) for c in cells if c), "")
    return bool(_FOOTER.match(first))


def find_table(rows, columns):
    """Find the header among the first rows and return the data below it.

    A header may span two rows (merged cells over sub-headers): the lower row's labels are
    taken where they name a column, the upper row's elsewhere. Blank rows, rows of column
    numbers ("(1)", "(2)", ...), repeated headers and totals rows are left out.
    """
    required = [c for c in columns if c.required]
    by_key = {c.key: c for c in columns}
    best = None  # the row that came closest, for the error message
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _match_row(cells, columns)
        header_rows = 1
        if position + 1 < len(rows):
            below = _match_row(rows[position + 1][1], columns)
            combined = {**found, **below} if below else found
            # Keep one cell per column: a lower label wins over the merged one above.
            seen, merged = set(), {}
            for index in sorted(combined):
                key = below.get(index) or found.get(index)
                if key not in seen:
                    merged[index] = key
                    seen.add(key)
            if below and len(set(merged.values())) > len(set(found.values())):
                found, header_rows = merged, 2
        keys = set(found.values())
        if best is None or len(keys) > len(best):
            best = keys
        if all(c.key in keys for c in required):
            data_start = position + header_rows
            return _table(rows[data_start:], found, by_key)
    if best and len(best) >= 2:
        missing = [c.label for c in required if c.key not in best]
        raise ImportFileError(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    raise ImportFileError(
        _("No header row found. The list needs a row with the column names, such as: %(columns)s.")
        % {"columns": ", ".join(c.label for c in required)}
    )


def _table(data_rows, found, by_key):
    table = Table(columns=[by_key[key] for _index, key in sorted(found.items())])
    header_keys = set(found.values())
    for number, cells in data_rows:
        values = {key: (cells[index] if index < len(cells) else "") for index, key in found.items()}
        non_empty = [v for v in values.values() if v]
        if not non_empty:
            continue
        if all(_COLUMN_NUMBER.match(v) for v in non_empty):
            continue
        if _is_footer(cells):
            continue
        if set(_match_row(cells, [by_key[k] for k in header_keys]).values()) == header_keys:
            continue  # the header repeated (lists printed over several pages)
        table.rows.append((number, values))
    if not table.rows:
        raise ImportFileError(_("The list has a header but no rows of data."))
    if len(table.rows) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _(
                "The list has %(count)s rows, over the limit of %(limit)s rows. Split it into "
                "several files."
            )
            % {"count": len(table.rows), "limit": settings.IMPORT_MAX_ROWS}
        )
    return table
