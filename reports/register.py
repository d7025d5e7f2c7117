"""The register of outgoing documents (sổ đăng ký văn bản đi) and the numbers it gives.

Each issuing body numbers from 01 each year, one sequence across kinds (Nghị định 30, Điều 15
and Phụ lục I, mục II.3): "05/BC-SDTTG" for a named kind (its abbreviation, then the body's),
"123/SDTTG-VP" for a công văn (the body's, then the drafting unit's). A number is taken under a
lock on the issuing body, so two clerks issuing at once never get the same one; the database's
unique constraint stands behind it.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from assignments.models import Agency
from assignments.text import fold

from .models import OutgoingNumber

# Tên loại and its abbreviation (Phụ lục III, Nghị định 30); a công văn has none.
KIND_ABBREVIATIONS = {
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Kế hoạch": "KH",
    "Giấy mời": "GM",
    "Quyết định": "QĐ",
    "Thông báo": "TB",
    "Chương trình": "CTr",
    "Công văn": "",
}
NUMBER = re.compile(r"^\s*(\d{1,6})\s*/\s*(\S.{0,48}?)\s*$")
# Words an abbreviation leaves out ("Ban Dân tộc tỉnh" → BDT, "Sở Dân tộc và Tôn giáo" → SDTTG).
_SKIPPED = {"va", "tinh", "cua", "thanh", "pho"}


def abbreviation(agency):
    """The body's abbreviation in numbers: its short name, else the initials of its name."""
    if agency.short_name and " " not in agency.short_name.strip():
        return agency.short_name.strip()
    words = [w for w in re.split(r"[\s,\-–]+", agency.name) if w]
    initials = [w[0] for w in words if fold(w) not in _SKIPPED]
    return "".join(initials).upper()


def symbol(legal_kind, issuer, drafting_unit=""):
    """What follows the slash: "BC-SDTTG", or "SDTTG-VP" for a công văn."""
    body = abbreviation(issuer)
    kind = KIND_ABBREVIATIONS.get(legal_kind, "")
    unit = drafting_unit.strip()
    if kind:
        return f"{kind}-{body}"
    return f"{body}-{unit}" if unit else body


def parse(number):
    """(sequence, symbol) of a number typed by hand, or a ValidationError saying the form."""
    match = NUMBER.match(number or "")
    if not match or int(match[1]) < 1:
        raise ValidationError(
            _("A document number reads like 15/BC-SDTTG: the number, a slash, the symbol."),
            code="number_form",
        )
    return int(match[1]), match[2]


@transaction.atomic
def take(*, issuer, issued_on, legal_kind, subject, by, document=None, typed="", drafting_unit=""):
    """Enter a document in ``issuer``'s register for the year of ``issued_on``: the next
    number, or the one typed by hand (refused if it was given already). Returns the entry."""
    # One issuing body at a time: the lock orders concurrent issues of the same body.
    Agency.objects.select_for_update().only("pk").get(pk=issuer.pk)
    year = issued_on.year
    entries = OutgoingNumber.objects.filter(issuer=issuer, year=year)
    if typed:
        sequence, text = parse(typed)
        existing = entries.filter(sequence=sequence).first()
        if existing is not None:
            raise ValidationError(
                _(
                    "Number %(number)s of %(year)s has already been given by %(issuer)s "
                    "(%(kind)s of %(date)s: %(subject)s)."
                )
                % {
                    "number": f"{sequence:02d}",
                    "year": year,
                    "issuer": issuer.name,
                    "kind": existing.kind,
                    "date": existing.issued_on.strftime("%d/%m/%Y"),
                    "subject": existing.subject[:80],
                },
                code="number_taken",
            )
    else:
        sequence = (entries.aggregate(last=Max("sequence"))["last"] or 0) + 1
        text = symbol(legal_kind, issuer, drafting_unit)
    try:
        with transaction.atomic():
            return OutgoingNumber.objects.create(
                issuer=issuer,
                year=year,
                sequence=sequence,
                symbol=text,
                issued_on=issued_on,
                kind=legal_kind,
                subject=subject[:500],
                document=document,
                typed=bool(typed),
                recorded_by=by,
            )
    except IntegrityError as error:  # only if the lock was bypassed (a raw insert)
        raise ValidationError(
            _("That number has just been given to another document: issue it again."),
            code="number_taken",
        ) from error
