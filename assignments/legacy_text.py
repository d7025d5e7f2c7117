"""Vietnamese typed in the old font encodings, and UTF-8 garbled by a wrong reading.

Before Unicode, Vietnamese was typed with fonts that drew Vietnamese letters in place of
Latin-1 characters: TCVN3 (ABC, the ".VnTime" fonts) puts each letter in one byte, VNI
(the "VNI-Times" fonts) writes the base letter followed by a byte for its marks. Opened
without the font, such a cell reads "Së V¨n hãa" (TCVN3) or "Sôû Vaên hoùa" (VNI) for
"Sở Văn hóa". Mojibake is UTF-8 read as Windows-1252 and saved again: "Sá»Ÿ".

Files mix them, so each cell is judged alone: it is converted only when it does not read
as Vietnamese and exactly one reading makes it do so. Pure functions, no Django.
"""

import functools
import re
import unicodedata
from collections import Counter

from .text import clean_text

TCVN3, VNI, MOJIBAKE = "tcvn3", "vni", "mojibake"

# TCVN3 (TCVN 5712:1993, VN3): one byte per letter, read here as the Latin-1 character of
# that byte. The fonts have no capital toned letters: capitals are typed in the ".VnTimeH"
# fonts with the same bytes, which is why a word in capitals is put back in capitals.
_TCVN3_CODES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
TCVN3_TABLE = {chr(code): letter for code, letter in _TCVN3_CODES.items()}

# VNI: the marks written after the base letter, as combining marks (acute, grave, hook,
# tilde, dot below; circumflex, breve), and the letters of one byte of their own (ơ, ư,
# đ and the i's).
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT, "î": _DOT,
    "â": _CIRCUMFLEX, "á": _CIRCUMFLEX + _ACUTE, "à": _CIRCUMFLEX + _GRAVE,
    "å": _CIRCUMFLEX + _HOOK, "ã": _CIRCUMFLEX + _TILDE, "ä": _CIRCUMFLEX + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE,
    "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}  # fmt: skip
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}
VNI_TABLE = {
    **_VNI_MARKS,
    **{mark.upper(): combining for mark, combining in _VNI_MARKS.items()},
    **_VNI_LETTERS,
    **{code.upper(): letter.upper() for code, letter in _VNI_LETTERS.items()},
}
_VNI_BASES = frozenset("aeiouyAEIOUY")

# Letters of Vietnamese and of the highland languages written with its alphabet (Jrai, Bahnar
# and Ê Đê names carry ă, ĕ, ĭ, ŏ, ŭ).
_VOWELS = "aăâeêioôơuưyĕĭŏŭ"
_LETTER_MARKS = {_CIRCUMFLEX: "aeo", _BREVE: "aeiou", _HORN: "ou"}
_TONES = frozenset((_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT))
# Vowel groups of a syllable (tone marks removed); highland names add a few.
_NUCLEI_TEXT = (
    "a ă â e ê i o ô ơ u ư y ĕ ĭ ŏ ŭ ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua "
    "uâ uê ui uô uơ ưa ưi ưu ươ uy yê iêu yêu oai oay oeo uây uôi ươi ươu uya uyê uyu"
)
_NUCLEI = frozenset(_NUCLEI_TEXT.split())
_SYLLABLE = re.compile(r"^(?:qu|gi|[bcdđfghjklmnpqrstvwxz]*)([^bcdđfghjklmnpqrstvwxz]+)[^\W]*$")
_CONSONANTS_ONLY = re.compile(r"^[bcdđfghjklmnpqrstvwxz]*$")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Typographic punctuation found in real names and notes: dashes, quotes, ellipsis, bullets.
_PUNCTUATION = frozenset("\u00a0°–—‘’“”…•№")


@functools.lru_cache(maxsize=4096)
def _is_letter(char):
    base = unicodedata.normalize("NFD", char)
    if base[0].lower() == "đ" or (base[0].isascii() and base[0].isalpha()):
        marks = base[1:]
        tones = [m for m in marks if m in _TONES]
        others = [m for m in marks if m not in _TONES]
        return len(tones) <= 1 and all(base[0].lower() in _LETTER_MARKS.get(m, "") for m in others)
    return False


# Where in a vowel group the tone mark may not go.
_GLIDE_LAST = "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu ia ua ưa"
_GLIDES_ROUND = "iêu yêu oai oay oeo uây uôi ươi ươu uyu"
_UNTONED = {
    **dict.fromkeys(_GLIDE_LAST.split(), (1,)),
    **dict.fromkeys(_GLIDES_ROUND.split(), (0, 2)),
}


def _has_tone(char):
    return any(mark in _TONES for mark in unicodedata.normalize("NFD", char))


@functools.lru_cache(maxsize=100_000)
def _syllable_ok(word):
    """A word reads as a Vietnamese syllable: one tone mark at most, one group of vowels."""
    decomposed = unicodedata.normalize("NFD", word)
    if sum(mark in _TONES for mark in decomposed) > 1:
        return False
    letters = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
    if any(c.isupper() and not c.isascii() for c in letters[1:]) and not letters.isupper():
        return False  # "ThÓ": a capital inside a word in small letters
    lower = letters.lower()
    if word.isascii() or _CONSONANTS_ONLY.match(lower):
        return True
    match = _SYLLABLE.match(lower)
    if not match:
        return False
    nucleus, rest = match.group(1), lower[match.end(1) :]
    if nucleus not in _NUCLEI or _CONSONANTS_ONLY.match(rest) is None:
        return False
    # The tone never sits on a closing glide ("xào", not "xaò": VNI's "xaõ" is "xã").
    toned = [i for i, c in enumerate(unicodedata.normalize("NFC", word)) if _has_tone(c)]
    return not toned or toned[0] - match.start(1) not in _UNTONED.get(nucleus, ())


def _letters_ok(text):
    return all(
        char.isascii()
        or char in _PUNCTUATION
        or (not unicodedata.combining(char) and _is_letter(char))
        for char in text
    )


def reads_as_vietnamese(text):
    """No character foreign to Vietnamese, and every word shaped as a syllable."""
    return _letters_ok(text) and all(_syllable_ok(word) for word in _WORD.findall(text))


def is_garbled(text):
    """Text that holds characters no Vietnamese name has (legacy bytes or mojibake left
    unconverted): never to be created as a name. Syllable shapes are not asked of it, as
    highland names ("Đăkrông") need not have them."""
    return not text.isascii() and not _letters_ok(unicodedata.normalize("NFC", text))


def from_tcvn3(text):
    converted = "".join(TCVN3_TABLE.get(char, char) for char in text)
    # Text typed in capitals (".VnTimeH") has its Vietnamese letters in small code points.
    ascii_letters = [c for c in text if c.isascii() and c.isalpha()]
    if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters):
        return converted.upper()
    return converted


def from_vni(text):
    out, base = [], ""
    for char in text:
        code = VNI_TABLE.get(char, char)
        if unicodedata.combining(code[0]):
            if base not in _VNI_BASES:
                return None  # a mark with no vowel before it: not VNI
        else:
            base = unicodedata.normalize("NFD", code)[0]
        out.append(code)
    return unicodedata.normalize("NFC", "".join(out))


# Windows-1252 has five bytes undefined; a text garbled and saved again holds them as the
# Latin-1 control characters of those bytes.
_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_CP1252 = {(chr(b) if b in _UNDEFINED else bytes([b]).decode("cp1252")): b for b in range(256)}


def from_mojibake(text):
    try:
        raw = bytes(_CP1252[char] for char in text)
    except KeyError:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _looks_like_mojibake(text):
    # The lead bytes of Vietnamese letters in UTF-8, read as Windows-1252.
    return bool(re.search("[ÃÄÆáº»Å][\u0080-\u00bf\u0152-\u0192\u02c6-\u2122]", text))


_BEYOND_CP1252 = re.compile("[^" + re.escape("".join(_CP1252)) + "]")


@functools.lru_cache(maxsize=20_000)
def _readings(text):
    """None when ``text`` reads as Vietnamese as it is, else its readings that do, by
    encoding."""
    # UTF-8 bytes hardly ever form by chance in Latin-1 text: a repair that reads as
    # Vietnamese is taken even when the garbled text looked like Vietnamese ("lÃ ng").
    repaired = from_mojibake(text)
    if repaired and repaired != text and reads_as_vietnamese(repaired):
        return {MOJIBAKE: unicodedata.normalize("NFC", repaired)}
    if reads_as_vietnamese(unicodedata.normalize("NFC", text)):
        return None
    readings = {}
    for encoding, convert in ((TCVN3, from_tcvn3), (VNI, from_vni)):
        converted = convert(text)
        if converted and reads_as_vietnamese(unicodedata.normalize("NFC", converted)):
            readings[encoding] = unicodedata.normalize("NFC", converted)
    return readings


class CellRepair:
    """Converts cell text to Unicode NFC and counts the cells converted, by encoding."""

    def __init__(self):
        self.counts = Counter()
        self.unrepaired = []  # cells that look like mojibake and could not be repaired
        self.unicode_seen = False  # a cell with a character no legacy encoding writes
        self.doubtful = set()  # cells kept as they are that might be legacy all the same

    def __call__(self, text):
        if text.isascii():
            return text
        if _BEYOND_CP1252.search(text):
            # Legacy and garbled text never hold such characters (ơ, ư, đ, ạ …): Unicode.
            self.unicode_seen = True
            return text
        readings = _readings(text)
        if readings is None:  # reads as Vietnamese as it is
            if not self.unicode_seen:
                self.doubtful.add(clean_text(text))
            return text
        if len(readings) > 1:
            # Text of Latin-1 letters only can read both ways; such text is VNI's hallmark
            # (TCVN3 uses symbols too), unless the file has shown itself TCVN3 so far.
            encoding = TCVN3 if self.counts[TCVN3] > self.counts[VNI] else VNI
            readings = {encoding: readings[encoding]}
        if readings:
            encoding, converted = next(iter(readings.items()))
            self.counts[encoding] += 1
            return converted
        if _looks_like_mojibake(text):
            self.unrepaired.append(text)
        return text

    def settle(self, rows):
        """Second look once the whole sheet is read. In a sheet typed wholly in one legacy
        encoding, a cell that reads as Vietnamese both as it is and in that encoding
        ("Ghi chó" is "Ghi chú" in TCVN3) is in that encoding too."""
        legacy = [encoding for encoding in (TCVN3, VNI) if self.counts[encoding]]
        if self.unicode_seen or self.counts[MOJIBAKE] or len(legacy) != 1:
            return rows
        (encoding,) = legacy
        convert = from_tcvn3 if encoding == TCVN3 else from_vni
        settled = []
        for number, cells in rows:
            new_cells = []
            for cell in cells:
                if cell in self.doubtful:
                    converted = convert(cell)
                    if converted and converted != cell and reads_as_vietnamese(converted):
                        self.counts[encoding] += 1
                        cell = unicodedata.normalize("NFC", converted)
                new_cells.append(cell)
            settled.append((number, new_cells))
        return settled


# --- CSV files saved in a Windows code page ----------------------------------------------------
# Excel's "CSV (Comma delimited)" writes the code page of Windows, not UTF-8: Windows-1258 on
# a Vietnamese system (letters with their tone as a separate mark), Windows-1252 elsewhere,
# where text typed in TCVN3 or VNI fonts keeps its own bytes.
CP1258, CP1252 = "cp1258", "cp1252"
_FROM_CP1252 = str.maketrans({chr(b): char for char, b in _CP1252.items() if chr(b) != char})
# A letter replaced by "?" when saving: "K?t ngh?a", "S? N?i v?" (a letter, "?", then a letter
# or another word); a question mark closing a note ("Xong?") is not taken for one.
_LOST_LETTER = re.compile(r"[^\W\d_]\?+(?:[^\W\d_]|[ ,]+[^\W\d_])")


_DECODERS = {
    CP1258: lambda data: data.decode(CP1258),
    # Windows-1252 leaves five bytes undefined: read as Latin-1, as Windows keeps them.
    CP1252: lambda data: data.decode("latin-1").translate(_FROM_CP1252),
}


def decode_code_page(data):
    """Decode bytes that are not UTF-8 in the Windows code page under which more of their
    words read as Vietnamese, as they are or in a legacy encoding (1258 on a tie); return
    (code page, NFC text)."""
    readings = []
    for code_page, decode in _DECODERS.items():
        try:
            text = unicodedata.normalize("NFC", decode(data))
        except UnicodeDecodeError:
            continue  # bytes Windows-1258 leaves undefined
        words = {word for word in _WORD.findall(text) if not word.isascii()}
        readable = sum(1 for word in words if _readings(word) != {})
        readings.append((readable, code_page == CP1258, code_page, text))
    _readable, _tie, code_page, text = max(readings)
    return code_page, text


def lost_letter(text):
    """The first cell of ``text`` (CSV) where letters were saved as "?", or None."""
    for line in text.splitlines():
        found = _LOST_LETTER.search(line)
        if found:
            cells = re.split(r"[,;\t]", line)
            return next((c for c in cells if _LOST_LETTER.search(c)), line).strip(' "')
    return None
