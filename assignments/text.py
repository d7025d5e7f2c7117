"""Vietnamese text: cleaning, diacritics-insensitive folding and alphabetical sorting.

Pure functions, no Django. Names arrive in NFC and NFD, with non-breaking and zero-width
spaces, doubled spaces and any capitalisation; they are stored cleaned (NFC, trimmed) and
searched through a folded key (no diacritics, đ → d, lower case).
"""

import functools
import re
import unicodedata

# Characters that look like nothing or like a space in names pasted from Word, Excel or the web.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t\r\n\v\f"), " ")
_MULTISPACE = re.compile(r" {2,}")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def clean_text(value):
    """Return ``value`` NFC-normalised, without invisible characters, single-spaced, trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = text.translate(_INVISIBLE).translate(_SPACES)
    return _MULTISPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=100_000)
def fold(value):
    """Return the search key of ``value``: no diacritics, đ → d, lower case, words only.

    Python's NFD leaves đ/Đ whole (it is a letter of its own, not d with a mark), so it is
    mapped by hand. Punctuation becomes a space, so "Văn hóa-Thể thao" and "Văn hóa, Thể thao"
    fold alike.
    """
    text = clean_text(value).replace("đ", "d").replace("Đ", "D")
    text = _COMBINING.sub("", unicodedata.normalize("NFD", text)).lower()
    return _NON_WORD.sub(" ", text).strip()


_UNITS = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
_ROMAN = {"X" * (n // 10) + _UNITS[n % 10]: n for n in range(1, 21)}  # I … XX
# Words after which a Roman numeral is a number ("Thôn II", "Tổ XV"), folded.
NUMBERED_WORDS = frozenset(
    {"thon", "lang", "buon", "bon", "to", "khu", "xom", "ap", "plei", "doi", "phuong", "xa"}
)
_WORDS = re.compile(r"[0-9A-Za-z]+")


@functools.lru_cache(maxsize=100_000)
def name_key(value):
    """``fold(value)`` with numbers compared by value: "thôn 05" and "Thôn V" key as "thon 5".

    Only whole words count: a number written in digits loses its leading zeros; a Roman
    numeral I to XX, written in capitals, counts when it follows a village or unit word
    (thôn, làng, buôn, tổ, khu, xóm, ...) or ends the name. "Ia", "Vi" or "Mix" stay words.
    """
    text = clean_text(value).replace("đ", "d").replace("Đ", "D")
    words = _WORDS.findall(_COMBINING.sub("", unicodedata.normalize("NFD", text)))
    keyed = []
    for index, word in enumerate(words):
        if word.isdigit():
            keyed.append(str(int(word)))
        elif word in _ROMAN and (
            index == len(words) - 1 or (index and words[index - 1].lower() in NUMBERED_WORDS)
        ):
            keyed.append(str(_ROMAN[word]))
        else:
            keyed.append(word.lower())
    return " ".join(keyed)


def search_terms(query):
    """Split a user's search query into folded words (each must match)."""
    return fold(query).split()


def strip_prefix(name, prefixes):
    """Remove one leading prefix word ("làng", "xã", ...) from ``name``, case-insensitively.

    ``prefixes`` are compared after folding, longest first, so "thị trấn Phú Hòa" loses
    "thị trấn" and not "thị". A name that is only a prefix is returned unchanged.
    """
    cleaned = clean_text(name)
    folded_words = fold(cleaned).split()
    for prefix in sorted(prefixes, key=lambda p: len(p.split()), reverse=True):
        prefix_words = fold(prefix).split()
        n = len(prefix_words)
        if folded_words[:n] == prefix_words and len(folded_words) > n:
            return " ".join(cleaned.split(" ")[n:]).strip()
    return cleaned


# --- Vietnamese alphabetical order -------------------------------------------------------
#
# The Vietnamese alphabet orders letters a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u
# ư v x y, with the tone marks as a secondary difference (no mark < huyền < hỏi < ngã <
# sắc < nặng), and case as a tertiary one. This matches ICU's "vi" collation, which
# PostgreSQL offers as "vi-x-icu"; SQLite gets the same order through this function.
# Python's sorted() and pyuca put đ after z and ignore the letters with breve, circumflex
# and horn.

_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve ă, circumflex â ê ô, horn ơ ư
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


NUMBER_WEIGHT = 2  # numbers: after spaces and punctuation, before letters


def _primary_weight(base, letter_mark):
    if base == "đ":
        return (ord("d") << 2) | 1
    if base.isalpha() and base.isascii():
        return (ord(base) << 2) | letter_mark
    if base.isdigit():
        return ord(base)  # digits outside ASCII; ASCII numbers are weighed whole
    if base == " ":
        return 0
    return 1  # other punctuation: after spaces, before digits


def vietnamese_sort_key(value):
    """A sort key that orders strings in the Vietnamese alphabet (see the note above)."""
    text = unicodedata.normalize("NFD", clean_text(value))
    primary, secondary, tertiary = [], [], []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isdigit() and char.isascii():
            # A number sorts by its value (thôn 5 before thôn 10): its length, then its digits.
            end = i
            while end < len(text) and text[end].isdigit() and text[end].isascii():
                end += 1
            digits = text[i:end].lstrip("0") or "0"
            weights = [NUMBER_WEIGHT, len(digits), *(ord(d) for d in digits)]
            primary += weights
            secondary += [0] * len(weights)
            tertiary += [0] * len(weights)
            i = end
            continue
        i += 1
        letter_mark = tone = 0
        while i < len(text) and unicodedata.combining(text[i]):
            mark = text[i]
            letter_mark = _LETTER_MARKS.get(mark, letter_mark)
            tone = _TONE_MARKS.get(mark, tone)
            i += 1
        lower = char.lower()
        primary.append(_primary_weight(lower, letter_mark))
        secondary.append(tone)
        tertiary.append(0 if char == lower else 1)
    return (tuple(primary), tuple(secondary), tuple(tertiary))


def vietnamese_collate(left, right):
    """A comparison function (-1, 0, 1) for SQLite's create_collation()."""
    a, b = vietnamese_sort_key(left), vietnamese_sort_key(right)
    return (a > b) - (a < b)


# The same order as a plain string of digits, so that the database sorts it natively (no
# Python callback per comparison on SQLite) and both databases give the same order: each
# primary weight as three digits, then the tones and the case, each level after a separator
# lower than any weight. Digits compare alike in every collation. Names are long: the first
# SORT_CHARACTERS characters decide (ties are broken by the primary key where it matters).
SORT_CHARACTERS = 80
SORT_KEY_LENGTH = SORT_CHARACTERS * 5 + 4


def vietnamese_sort_text(value):
    """``vietnamese_sort_key(value)`` as a string of digits that sorts the same way."""
    primary, secondary, tertiary = vietnamese_sort_key(value)
    return (
        "".join(f"{weight + 1:03d}" for weight in primary[:SORT_CHARACTERS])
        + "000"
        + "".join(str(tone + 1) for tone in secondary[:SORT_CHARACTERS])
        + "0"
        + "".join(str(case + 1) for case in tertiary[:SORT_CHARACTERS])
    )
