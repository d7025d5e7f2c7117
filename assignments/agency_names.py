"""Agencies as lists write them: abbreviations ("Sở VHTT&DL", "BCH Quân sự tỉnh") matched by
the initials of the significant words, and other names remembered as aliases.

An abbreviation is only ever a suggestion, shown in the preview; an alias a user confirmed
there (or a coordinator typed in the administration) resolves the agency directly.
"""

import difflib
import re
import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from .models import AgencyAlias
from .text import clean_text, fold

# Common abbreviations of administrative Vietnamese, folded, with what they stand for.
EXPANSIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "bch": "bo chi huy",
    "mttq": "mat tran to quoc",
    "ub": "uy ban",
    "bql": "ban quan ly",
    "qs": "quan su",
    "bp": "bien phong",
    "ca": "cong an",
    "gl": "gia lai",
    "gd": "giao duc",
    "gddt": "giao duc dao tao",
    "vhttdl": "van hoa the thao du lich",
    "ldtbxh": "lao dong thuong binh xa hoi",
    "tnmt": "tai nguyen moi truong",
    "nnptnt": "nong nghiep phat trien nong thon",
    "khcn": "khoa hoc cong nghe",
    "tttt": "thong tin truyen thong",
    "gtvt": "giao thong van tai",
    "khdt": "ke hoach dau tu",
    "tp": "thanh pho",
    "tx": "thi xa",
    "tt": "thi tran",
}
# Words that no abbreviation keeps.
IGNORED = frozenset({"va"})
_VOWELS = re.compile(r"[aeiouy]")
_RAW_WORDS = re.compile(r"\w+")


def _is_abbreviation(word, folded, all_capitals):
    """A word written as letters to read one by one: "VHTT", "LĐ", "GL" (not "SỞ" in a
    heading all in capitals), or a cluster with no vowel."""
    if len(folded) < 2:
        return False
    if not _VOWELS.search(folded):
        return True
    return word.isupper() and not all_capitals


def _words(text):
    """(as written, folded) for each word of ``text``."""
    cleaned = unicodedata.normalize("NFC", clean_text(text)).replace("&", " ")
    return [(w, fold(w)) for w in _RAW_WORDS.findall(cleaned) if fold(w)]


def initials(name):
    """The initials of the significant words of ``name``: "Sở Văn hóa, Thể thao và Du lịch"
    → "svhttdl"; an abbreviation counts letter by letter ("Sở VHTT&DL" → "svhttdl")."""
    words = _words(name)
    all_capitals = all(w.isupper() for w, _f in words)
    letters = []
    for word, folded in words:
        for part in folded.split():
            if part in IGNORED:
                continue
            if part in EXPANSIONS and _is_abbreviation(word, part, all_capitals):
                letters.append("".join(w[0] for w in EXPANSIONS[part].split()))
            elif _is_abbreviation(word, part, all_capitals):
                letters.append(part)
            else:
                letters.append(part[0])
    return "".join(letters)


def has_abbreviation(name):
    words = _words(name)
    all_capitals = all(w.isupper() for w, _f in words)
    return any(_is_abbreviation(w, f, all_capitals) for w, f in words)


def expand(name):
    """``name`` folded, with its known abbreviations written out ("công an tỉnh gia lai")."""
    return " ".join(EXPANSIONS.get(f, f) for _w, f in _words(name))


class AgencyNames:
    """Suggestions for an agency name that is not found, and the aliases remembered."""

    def __init__(self, agencies, aliases):
        """``agencies``: the agencies in force; ``aliases``: {folded alias: agency}."""
        self.agencies = list(agencies)
        self.aliases = aliases
        self.by_initials = {}
        for agency in self.agencies:
            for name in filter(None, (agency.name, agency.short_name)):
                self.by_initials.setdefault(initials(name), []).append(agency)
        self.used = {}  # written alias → agency, for one notice each

    def alias(self, text):
        agency = self.aliases.get(fold(text))
        if agency is not None:
            self.used.setdefault(clean_text(text), agency)
        return agency

    def notices(self):
        return [
            _("“%(alias)s” read as %(name)s (a remembered other name).")
            % {"alias": alias, "name": agency.name}
            for alias, agency in self.used.items()
        ]

    def abbreviated(self, text):
        """The agencies whose initials ``text``, written with abbreviations, spells."""
        return self.by_initials.get(initials(text), []) if has_abbreviation(text) else []

    def suggestions(self, text, limit=3):
        """Up to ``limit`` agencies that ``text`` may mean, best first."""
        found = list(self.abbreviated(text))
        by_name = {}
        for agency in self.agencies:
            by_name.setdefault(expand(agency.name), agency)
        for key in difflib.get_close_matches(expand(text), list(by_name), n=limit, cutoff=0.6):
            found.append(by_name[key])
        unique = []
        for agency in found:
            if agency not in unique:
                unique.append(agency)
        return unique[:limit]


def agency_alias_remember(*, agency, alias, by):
    """Remember ``alias`` as another name of ``agency``; return the alias, or None when the
    name is empty, is the agency's own name, or is already remembered (for any agency: a
    coordinator changes an alias in the administration, never an import)."""
    alias = clean_text(alias)[:300]
    key = fold(alias)
    if not key or key in (agency.name_key, fold(agency.short_name or "")):
        return None
    with transaction.atomic():
        if AgencyAlias.objects.filter(key=key).exists():
            return None
        remembered = AgencyAlias(agency=agency, alias=alias, created_by=by)
        remembered._history_user = by
        remembered.save()
    return remembered
