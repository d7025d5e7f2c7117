"""Files as people make them, written by the tests with openpyxl."""

import csv
import io
import unicodedata

from openpyxl import Workbook


def xlsx(rows, merges=(), password_protected=False):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def csv_bytes(rows, bom=False, delimiter=","):
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter).writerows(rows)
    return ("\ufeff" if bom else "").encode() + stream.getvalue().encode("utf-8")


def nfd(text):
    return unicodedata.normalize("NFD", text)


TITLE_ROWS = [
    ["UBND TỈNH GIA LAI"],
    ["DANH SÁCH PHÂN CÔNG CÁC SỞ, BAN, NGÀNH KẾT NGHĨA VỚI THÔN, LÀNG"],
    ["(Kèm theo Công văn số 345/UBND-NC ngày 27/02/2024 của UBND tỉnh)"],
    [],
]
MERGED_HEADER = [
    ["STT", "Tên cơ quan, đơn vị", "Địa bàn kết nghĩa", None, None, "Vai trò", "Ghi chú"],
    [None, None, "Thôn, làng", "Xã, phường, thị trấn", "Huyện, thị xã, thành phố", None, None],
]
MERGED_CELLS = ["C5:E5", "A5:A6", "B5:B6", "F5:F6", "G5:G6"]


def assignment_list(data_rows, footer=True, extra_column=None):
    """A list laid out like the official appendix: title rows, a two-row merged header, a
    row of column numbers, the data, a blank row and a totals row. ``extra_column`` is
    (heading, [one value per data row]), added as column 8."""
    header = [list(row) for row in MERGED_HEADER]
    numbers = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"]
    merges = list(MERGED_CELLS)
    values = [[] for _ in data_rows]
    if extra_column:
        heading, values = extra_column[0], [[v] for v in extra_column[1]]
        header[0].append(heading)
        header[1].append(None)
        numbers.append("(8)")
        merges.append("H5:H6")
    rows = [*TITLE_ROWS, *header, numbers]
    rows += [
        [i, *row, *extra]
        for i, (row, extra) in enumerate(zip(data_rows, values, strict=True), start=1)
    ]
    if footer:
        rows += [[], [f"Tổng cộng: {len(data_rows)} cơ quan, đơn vị"]]
    return xlsx(rows, merges=merges)
