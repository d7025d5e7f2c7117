"""The written forms of Nghị định 30/2020/NĐ-CP (Phụ lục I) that documents print."""

import datetime as dt


def as_date(value):
    """A date from a date, or from the text a frozen document holds ("10/11/2025" or
    "2025-11-10"); None when there is none."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def legal_date(value):
    """ "ngày 05 tháng 3 năm 2024": a leading zero only for days under 10 and for months 1
    and 2 (Phụ lục I, mục II.5), the form of the heading's date and of dates in the text."""
    date = as_date(value)
    if date is None:
        return ""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def reference(kind, number, date, issuer=""):
    """How a text names another document: "Công văn số 345/UBND-NC ngày 27 tháng 02 năm 2024
    của UBND tỉnh" (dates in words, as the heading's)."""
    text = f"{kind} số {number} {legal_date(date)}".rstrip()
    return f"{text} của {issuer}" if issuer else text


def directive_reference(directive):
    return reference(
        directive.get_kind_display(),
        directive.number,
        directive.issued_on,
        directive.issuing_body,
    )
