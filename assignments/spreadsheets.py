"""Reading lists as people make them: .xlsx, .xls or .csv files with title rows above the
header, merged header cells, an STT column, blank rows, column-number rows, section rows,
hidden rows, a totals row and a signature block, the list on any sheet.

``read_sheets`` turns a file into sheets of rows of cleaned text, each row with its number
in the file; ``find_table`` finds the header row by its content and returns the data rows
keyed by column; ``find_list`` does both, choosing the sheet. They raise
``ImportFileError`` with a message for the user and read nothing else: they touch no
database.
"""

import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .legacy_text import (
    CP1258,
    MOJIBAKE,
    TCVN3,
    VNI,
    CellRepair,
    decode_code_page,
    is_garbled,
    lost_letter,
)
from .text import clean_text, fold

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls files
ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".csv")
HEADER_SEARCH_ROWS = 30
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
# "Tổng cộng: 20", "Tổng số", "Cộng" — but not "Tổng Công ty ..." or "Cộng đồng ...".
_FOOTER = re.compile(r"^(tong (cong|so)( |$)(?!ty\b)|cong( \d.*)?$)")
# A section row: "I", "II. HUYỆN ĐAK ĐOA", "A - KHỐI ĐẢNG" (folded).
_SECTION_NUMBER = re.compile(r"^([ivxlc]+|[a-z])( |$)")
# The signature block under a table: "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nơi nhận:",
# "(Đã ký)", "Gia Lai, ngày 27 tháng 2 năm 2024" (folded).
_SIGNATURE = re.compile(
    r"^((kt|tm|tl|ktl|q) (pho )?(truong|chu tich|giam doc|bi thu)"
    r"|(pho )?(truong ban|truong phong|chu tich|giam doc|bi thu|pho bi thu)$"
    r"|noi nhan|da ky$|nguoi lap( bieu)?$|.{0,40}ngay .{1,3} thang .{1,3} nam \d{4}$)"
)


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
    header_row: int = 0  # the file row number of the (top) header row
    notices: list = field(default_factory=list)  # what reading left out or chose, for the user


@dataclass
class Sheet:
    name: str
    rows: list  # (file row number, [cell text]), hidden rows left out unless asked
    hidden: list = field(default_factory=list)  # numbers of non-empty hidden rows left out
    repair: CellRepair = field(default_factory=CellRepair)  # cells read from old encodings
    notices: list = field(default_factory=list)  # how the file was read, for the user


def check_upload(name, size):
    """Refuse a file by its name or size before reading it."""
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise ImportFileError(
            _(
                "“%(name)s” is not an .xlsx, .xls or .csv file. Save the list as Excel (.xlsx) "
                "or CSV UTF-8 and try again."
            )
            % {"name": name}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s MB, over the limit of %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )


def _megabytes(size):
    """A size in MB as Vietnamese write it: one decimal at most, a decimal comma."""
    return f"{size / 1_048_576:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def read_sheets(data, *, include_hidden=False):
    """Return the sheets of an .xlsx, .xls or .csv file (a .csv is one sheet); hidden rows
    are left out unless ``include_hidden``."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        check_upload("file.xlsx", len(data))
    if data.startswith(OLE_MAGIC):
        # An old .xls, or an .xlsx encrypted with a password (also an OLE container).
        sheets = _read_xls(data, include_hidden)
    elif data.startswith(ZIP_MAGIC):
        sheets = _read_xlsx(data, include_hidden)
    else:
        repair, notices = CellRepair(), []
        rows = _read_csv(data, repair, notices)
        sheets = [Sheet(name="", rows=rows, repair=repair, notices=notices)]
    for sheet in sheets:
        sheet.rows = sheet.repair.settle(sheet.rows)
    return sheets


def find_list(data, columns, *, sheet=None, include_hidden=False, sections=True):
    """Read ``data`` and return the Table of the sheet holding the list: the one named
    ``sheet``, else the only sheet with the header row."""
    sheets = read_sheets(data, include_hidden=include_hidden)
    names = ", ".join(f"“{s.name}”" for s in sheets)
    if sheet:
        chosen = [s for s in sheets if fold(s.name) == fold(sheet)]
        if not chosen:
            raise ImportFileError(
                _("No sheet is named “%(sheet)s”. The sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": names}
            )
        found = [(chosen[0], find_table(chosen[0].rows, columns, sections))]
    else:
        found, first_error = [], None
        for candidate in sheets:
            try:
                found.append((candidate, find_table(candidate.rows, columns, sections)))
            except ImportFileError as error:
                first_error = first_error or error
        if not found:
            raise encoding_error(sheets) or first_error
        if len(found) > 1:
            raise ImportFileError(
                _("Several sheets hold a list: %(sheets)s. Choose the sheet to import.")
                % {"sheets": ", ".join(f"“{s.name}”" for s, _table in found)}
            )
    chosen, table = found[0]
    table.notices.extend(chosen.notices)
    if len(sheets) > 1:
        table.notices.append(_("The list is on sheet “%(sheet)s”.") % {"sheet": chosen.name})
    hidden = [number for number in chosen.hidden if number > table.header_row]
    if hidden:
        table.notices.append(
            ngettext(
                "Skipped %(count)s hidden row: %(rows)s.",
                "Skipped %(count)s hidden rows: %(rows)s.",
                len(hidden),
            )
            % {"count": len(hidden), "rows": ", ".join(map(str, hidden))}
        )
    table.notices.extend(conversion_notices(chosen.repair))
    return table


def conversion_notices(repair):
    """What reading converted, for the preview: "Converted from TCVN3: 14 cells."."""
    messages = {
        TCVN3: lambda n: ngettext(
            "Converted from TCVN3 (ABC, .VnTime fonts) to Unicode: %(count)s cell.",
            "Converted from TCVN3 (ABC, .VnTime fonts) to Unicode: %(count)s cells.",
            n,
        ),
        VNI: lambda n: ngettext(
            "Converted from VNI (VNI-Times fonts) to Unicode: %(count)s cell.",
            "Converted from VNI (VNI-Times fonts) to Unicode: %(count)s cells.",
            n,
        ),
        MOJIBAKE: lambda n: ngettext(
            "Repaired text garbled by a wrong encoding (UTF-8 read as Windows-1252): "
            "%(count)s cell.",
            "Repaired text garbled by a wrong encoding (UTF-8 read as Windows-1252): "
            "%(count)s cells.",
            n,
        ),
    }
    return [
        message(repair.counts[encoding]) % {"count": repair.counts[encoding]}
        for encoding, message in messages.items()
        if repair.counts[encoding]
    ]


def encoding_error(sheets):
    """When no sheet has a header: an ImportFileError naming the encoding, if the text
    where the header is looked for is unreadable, else None."""
    for sheet in sheets:
        if sheet.repair.unrepaired:
            return ImportFileError(
                _(
                    "The file's text is garbled by a wrong encoding (UTF-8 opened as "
                    "Windows-1252 and saved again), e.g. “%(example)s”, and cannot be repaired "
                    "with certainty. Take the original file, or open it in Excel as UTF-8 "
                    "and save it as .xlsx."
                )
                % {"example": sheet.repair.unrepaired[0]}
            )
        for _number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
            garbled = next((c for c in cells if is_garbled(c)), None)
            if garbled:
                return ImportFileError(
                    _(
                        "The file's text is in an encoding that cannot be read, e.g. "
                        "“%(example)s”: neither Unicode Vietnamese nor TCVN3 or VNI. Convert "
                        "it to Unicode (e.g. with Unikey's converter) and try again."
                    )
                    % {"example": garbled}
                )
    return None


def unreadable_name(value):
    """The message for a name left unreadable by its encoding (never created)."""
    return _(
        "“%(value)s” is not readable Vietnamese: the text is in an old font encoding or "
        "garbled by a wrong encoding, so it is neither matched nor created. Convert the file "
        "to Unicode and try again."
    ) % {"value": value}


class _CellReader:
    """Turns a sheet's cell values into cleaned text, reading legacy encodings with
    ``repair``. Lists repeat their communes, districts and roles on every row, so the text
    of a value that needed no conversion is remembered: the cleaning is done once per
    distinct value (a conversion is counted per cell, so converted values are not)."""

    def __init__(self, repair=None):
        self.repair = repair
        self.known = {}

    def __call__(self, value):
        if isinstance(value, str):
            text = self.known.get(value)
            if text is None:
                # Legacy encodings are read before cleaning, which drops U+00AD (TCVN3's "ư").
                repaired = self.repair(value) if self.repair else value
                text = clean_text(repaired)
                if repaired is value:
                    self.known[value] = text
            return text
        if value is None:
            return ""
        if isinstance(value, bool):
            return "x" if value else ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # Excel stores 1 as 1.0
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():
                return value.strftime("%d/%m/%Y %H:%M")
            value = value.date()
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return clean_text(value)


def _read_xlsx(data, include_hidden=False):
    from openpyxl import load_workbook

    try:
        # Read-only mode streams the values without making a cell object of each (0.4 s
        # instead of 0.7 s for 10,000 rows) but sees neither hidden rows nor merged ranges:
        # _sheet_layouts reads those from the sheets' XML.
        layouts = _sheet_layouts(data)
        workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
        try:
            sheets = []
            for sheet in workbook.worksheets:
                # A sheet's recorded size may be stale (some programs write "A1"): read all.
                sheet.reset_dimensions()
                hidden_rows, merged_ranges = layouts.get(sheet.title, (frozenset(), ()))
                sheets.append(
                    _xlsx_sheet(
                        sheet.title,
                        sheet.iter_rows(values_only=True),
                        hidden_rows,
                        merged_ranges,
                        include_hidden,
                    )
                )
        finally:
            workbook.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError) as error:
        # SyntaxError covers ElementTree's ParseError.
        raise ImportFileError(
            _("The file cannot be read as Excel (.xlsx): it is damaged or not an Excel file.")
        ) from error
    return sheets


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PACKAGE_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ROW_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*\bref="([A-Z]+\d+:[A-Z]+\d+)"')


def _sheet_layouts(data):
    """Return {sheet name: (numbers of hidden rows, merged ranges as (first column, first row,
    last column, last row))} of an .xlsx, read from the sheets' XML by the attributes of
    their <row> tags and their <mergeCell> tags, without parsing their cells."""
    from openpyxl.utils.cell import range_boundaries

    # Two small parts are parsed with ElementTree, as openpyxl parses the whole file:
    # expat >= 2.4.1 bounds entity expansion and ElementTree fetches no external entity.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:

        def relationships(part):
            folder, name = posixpath.split(part)
            rels = ElementTree.fromstring(  # noqa: S314 (see above)
                archive.read(posixpath.join(folder, "_rels", f"{name}.rels"))
            )
            return {
                rel.get("Id"): (rel.get("Type"), _part_path(folder, rel.get("Target", "")))
                for rel in rels.iter(f"{_PACKAGE_RELS_NS}Relationship")
            }

        workbook_part = next(
            (path for kind, path in relationships("").values() if kind == _OFFICE_DOCUMENT),
            None,
        )
        if workbook_part is None:
            raise KeyError("no workbook in the package")
        targets = relationships(workbook_part)
        workbook = ElementTree.fromstring(archive.read(workbook_part))  # noqa: S314
        layouts = {}
        # A sheet unpacks to some 20 times its packed size; a "zip bomb" far more. Read no
        # more than that, whatever the package declares.
        limit = 20 * settings.IMPORT_MAX_BYTES
        for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
            target = targets.get(sheet.get(_REL_ID))
            if target is None or target[1] not in archive.NameToInfo:
                continue
            with archive.open(target[1]) as part:
                xml = part.read(limit + 1)
            if len(xml) > limit:
                raise ImportFileError(
                    _("The file unpacks to more than %(limit)s MB: it is not a list to import.")
                    % {"limit": _megabytes(limit)}
                )
            hidden, number = set(), 0
            for attributes in _ROW_TAG.findall(xml):
                found = _ROW_NUMBER.search(attributes)
                number = int(found.group(1)) if found else number + 1
                if _ROW_HIDDEN.search(attributes):
                    hidden.add(number)
            merged = [range_boundaries(ref.decode()) for ref in _MERGE_CELL.findall(xml)]
            layouts[sheet.get("name")] = (frozenset(hidden), merged)
    return layouts


def _part_path(folder, target):
    """The path in the package of a relationship's target, relative to ``folder`` unless
    absolute."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _xlsx_sheet(title, values, hidden_rows, merged_ranges, include_hidden):
    repair = CellRepair()
    cell_text = _CellReader(repair)
    # Merged cells hold their value in the top-left cell only; copy it to the whole range
    # so that a header such as "Địa bàn kết nghĩa" over three columns is seen in each.
    rows = [list(row) for row in values]
    width = max(map(len, rows), default=0)  # a range merged over A:XFD is read as wide as that
    for min_col, min_row, max_col, max_row in merged_ranges:
        max_col = min(max_col, width)
        if min_row > len(rows) or min_col > max_col:
            continue
        top_left = rows[min_row - 1]
        value = top_left[min_col - 1] if min_col <= len(top_left) else None
        for row in rows[min_row - 1 : max_row]:
            row.extend([None] * (max_col - len(row)))
            row[min_col - 1 : max_col] = [value] * (max_col - min_col + 1)
    sheet_rows, hidden = [], []
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(value) for value in row]
        if number in hidden_rows and not include_hidden:
            if any(cells):
                hidden.append(number)
            continue
        sheet_rows.append((number, cells))
    return Sheet(name=title, rows=sheet_rows, hidden=hidden, repair=repair)


def _read_xls(data, include_hidden=False):
    import xlrd

    try:
        workbook = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as error:  # xlrd raises many kinds on what is not a BIFF workbook
        raise ImportFileError(
            _(
                "The file is password-protected or in the old Excel format (.xls). Remove the "
                "password or save it as .xlsx and try again."
            )
        ) from error
    sheets = []
    for sheet in workbook.sheets():
        repair = CellRepair()
        cell_text = _CellReader(repair)
        merged = {}
        for row_low, row_high, col_low, col_high in sheet.merged_cells:
            value = sheet.cell(row_low, col_low)
            for row in range(row_low, row_high):
                for col in range(col_low, col_high):
                    merged[(row, col)] = value
        rows, hidden = [], []
        for index in range(sheet.nrows):
            cells = [
                cell_text(_xls_value(merged.get((index, col), cell), workbook.datemode))
                for col, cell in enumerate(sheet.row(index))
            ]
            info = sheet.rowinfo_map.get(index)
            if info is not None and info.hidden and not include_hidden:
                if any(cells):
                    hidden.append(index + 1)
                continue
            rows.append((index + 1, cells))
        sheets.append(Sheet(name=sheet.name, rows=rows, hidden=hidden, repair=repair))
    return sheets


def _xls_value(cell, datemode):
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


# Bytes no text file holds: a binary file is not read as a CSV in a code page.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read_csv(data, repair=None, notices=None):
    not_csv = _(
        "The file is neither an Excel file nor CSV in UTF-8. In Excel choose “Save as” "
        "→ “Excel Workbook (.xlsx)” or “CSV UTF-8”."
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" is written in the code page of Windows.
        text = None
    if text is None and not _CONTROL.search(data.decode("latin-1")):
        code_page, text = decode_code_page(data)
        lost = lost_letter(text)
        if lost:
            raise ImportFileError(
                _(
                    "The CSV file was saved in a Windows code page instead of UTF-8, and "
                    "letters that code page has no room for were replaced by “?”, e.g. "
                    "“%(example)s”: the names cannot be read. In Excel choose “Save as” → "
                    "“Excel Workbook (.xlsx)” or “CSV UTF-8” and try again."
                )
                % {"example": lost}
            )
        if notices is not None:
            notices.append(
                _(
                    "The CSV file is not in UTF-8: it was read in the Windows code page "
                    "%(code_page)s."
                )
                % {
                    "code_page": (
                        _("1258 (Vietnamese)") if code_page == CP1258 else _("1252 (Western)")
                    )
                }
            )
    if text is None or "\x00" in text:
        raise ImportFileError(not_csv)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    cell_text = _CellReader(repair)
    try:
        return [
            (number, [cell_text(c) for c in cells]) for number, cells in enumerate(reader, start=1)
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


# A unit or a remark after a heading: "Số khẩu (người)", "Số hộ nghèo (theo chuẩn mới)".
_HEADING_REMARK = re.compile(r"\s*\([^()]*\)$")


def _match_row(cells, columns):
    found = {}
    for index, text in enumerate(cells):
        folded = fold(text)
        if not folded:
            continue
        bare = fold(_HEADING_REMARK.sub("", text)) if text.endswith(")") else folded
        for column in columns:
            if column.key not in found.values() and (
                column.matches(folded) or (bare and column.matches(bare))
            ):
                found[index] = column.key
                break
    return found


def _is_footer(cells):
    first = next((fold(c) for c in cells if c), "")
    return bool(_FOOTER.match(first))


def _is_section(values):
    """A row naming a part of the list ("I | HUYỆN CHƯ PĂH", "II. HUYỆN ĐAK ĐOA" alone, or
    one title merged across the table) rather than a row of data."""
    texts = [v for key, v in values.items() if v and key != "stt"]
    number = fold(values.get("stt", ""))
    if number and not number.isdigit() and _SECTION_NUMBER.match(number) and len(texts) <= 1:
        return True  # "I" | "HUYỆN CHƯ PĂH", or "A" alone
    distinct = set(texts)
    if len(distinct) != 1:
        return False
    text = texts[0]
    if len(texts) > 1:
        return True  # one title merged across the table
    # Alone in one column: numbered ("II. HUYỆN ...") or written in capitals.
    return bool(_SECTION_NUMBER.match(fold(text)) and len(fold(text).split()) > 1) or (
        text.isupper() and len(text.split()) > 1
    )


def find_table(rows, columns, sections=True):
    """Find the header among the first rows and return the data below it.

    A header may span two rows (merged cells over sub-headers): the lower row's labels are
    taken where they name a column, the upper row's elsewhere. Blank rows, rows of column
    numbers ("(1)", "(2)", ...), repeated headers, totals rows and, when ``sections``,
    section rows are left out; a signature block ends the table.
    """
    required = [c for c in columns if c.required]
    by_key = {c.key: c for c in columns}
    best = None  # (keys, row number, cells, found) of the row that came closest
    for position, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _match_row(cells, columns)
        if not found:
            continue  # the top row of a header names at least one column
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
        if best is None or len(keys) > len(best[0]):
            best = keys, number, cells, found
        if all(c.key in keys for c in required):
            data_start = position + header_rows
            table = _table(rows[data_start:], found, by_key, sections)
            table.header_row = number
            return table
    if best and len(best[0]) >= 2:
        keys, number, cells, found = best
        missing = [c.label for c in required if c.key not in keys]
        raise ImportFileError(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
            + " "
            + _(
                "The header row found (row %(row)s) reads: %(cells)s; columns recognised: "
                "%(found)s."
            )
            % {
                "row": number,
                "cells": " | ".join(f"“{c}”" for c in cells if c),
                "found": ", ".join(by_key[key].label for _index, key in sorted(found.items())),
            }
        )
    raise ImportFileError(
        _("No header row found. The list needs a row with the column names, such as: %(columns)s.")
        % {"columns": ", ".join(c.label for c in required)}
    )


def _table(data_rows, found, by_key, sections=True):
    table = Table(columns=[by_key[key] for _index, key in sorted(found.items())])
    header_keys = set(found.values())
    header_columns = [by_key[key] for key in header_keys]
    header_labels = frozenset().union(*(column.folded for column in header_columns))
    after_blank = []  # the rows since the last blank row that follows data
    section_rows, signature = [], None  # what was left out, for the notices
    for number, cells in data_rows:
        texts = [c for c in cells if c]
        if len(texts) <= 2 and any(_SIGNATURE.match(fold(c)) for c in texts):
            signature = number, texts
            break  # the signature block: the table is over
        values = {key: (cells[index] if index < len(cells) else "") for index, key in found.items()}
        non_empty = [v for v in values.values() if v]
        if not non_empty:
            if table.rows:
                after_blank = []
            continue
        if all(_COLUMN_NUMBER.match(v) for v in non_empty):
            continue
        if _is_footer(cells):
            continue
        if any(fold(c) in header_labels for c in texts) and (
            set(_match_row(cells, header_columns).values()) == header_keys
        ):
            continue  # the header repeated (lists printed over several pages)
        if sections and _is_section(values):
            section_rows.append((number, list(dict.fromkeys(non_empty))))
            continue
        table.rows.append((number, values))
        after_blank.append(len(table.rows) - 1)
    # A signer's name alone under the table, after a blank row, is not a row of data.
    if after_blank and len(after_blank) < len(table.rows):
        lone = [table.rows[i] for i in after_blank]
        if all(sum(1 for v in values.values() if v) == 1 for _n, values in lone):
            number, values = lone[0]
            signature = number, [v for v in values.values() if v]
            del table.rows[after_blank[0] :]
    table.notices.extend(_left_out_notices(section_rows, signature))
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


def _quoted(texts):
    return " – ".join(f"“{text}”" for text in texts)


def _left_out_notices(section_rows, signature, shown=10):
    """What reading took for headings and for the signature block, for the preview."""
    notices = []
    if section_rows:
        listed = ", ".join(f"{number} ({_quoted(texts)})" for number, texts in section_rows[:shown])
        if len(section_rows) > shown:
            listed += ", …"
        notices.append(
            ngettext(
                "Read %(count)s row as a section heading, not as data: %(rows)s.",
                "Read %(count)s rows as section headings, not as data: %(rows)s.",
                len(section_rows),
            )
            % {"count": len(section_rows), "rows": listed}
        )
    if signature:
        number, texts = signature
        notices.append(
            _("The table ends at row %(row)s, where the signature block begins (%(text)s).")
            % {"row": number, "text": _quoted(texts)}
        )
    return notices
