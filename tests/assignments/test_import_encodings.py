"""Lists typed in the old Vietnamese font encodings (TCVN3, VNI) or garbled by a wrong
encoding (mojibake): read as Unicode when that is certain, never created as names when not.

The legacy cells are made here from the character tables, independently of the code."""

import csv
import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assignments.importing import run_import
from assignments.legacy_text import CellRepair, is_garbled
from assignments.models import Agency, Assignment, Village
from assignments.resources import AssignmentResource
from tests.assignments.conftest import DIP
from tests.spreadsheets import TITLE_ROWS, assignment_list, csv_bytes, xlsx

pytestmark = pytest.mark.django_db

# TCVN3 (ABC): each Vietnamese letter below is the Latin-1 character at the same place.
_TCVN3_LETTERS = "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
_TCVN3_CODES = "¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÐÑÒÓÔÕÖ×ØÜÝÞßáâãäåæçèéêëìíîïñòóôõö÷øùúûüýþ"
TO_TCVN3 = dict(zip(_TCVN3_LETTERS, _TCVN3_CODES, strict=True))


def tcvn3(text):
    """``text`` as typed with a .VnTime font (capitals with tone marks typed as small ones,
    as the .VnTimeH fonts do)."""
    return "".join(TO_TCVN3.get(c, TO_TCVN3.get(c.lower(), c)) for c in text)


# VNI: the base letter, then one character for its marks; ơ ư đ and the toned i's are
# characters of their own.
_VNI_OWN = {"ơ": "ô", "ư": "ö", "đ": "ñ", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò"}
_VNI_MARKS = {
    ("", "\u0301"): "ù", ("", "\u0300"): "ø", ("", "\u0309"): "û", ("", "\u0303"): "õ",
    ("", "\u0323"): "ï", ("\u0302", ""): "â", ("\u0302", "\u0301"): "á",
    ("\u0302", "\u0300"): "à", ("\u0302", "\u0309"): "å", ("\u0302", "\u0303"): "ã",
    ("\u0302", "\u0323"): "ä", ("\u0306", ""): "ê", ("\u0306", "\u0301"): "é",
    ("\u0306", "\u0300"): "è", ("\u0306", "\u0309"): "ú", ("\u0306", "\u0303"): "ü",
    ("\u0306", "\u0323"): "ë",
}  # fmt: skip


def vni(text):
    out = []
    for char in unicodedata.normalize("NFC", text):
        lower = char.lower()
        up = str.upper if char != lower else str
        if lower in _VNI_OWN:
            out.append(up(_VNI_OWN[lower]))
            continue
        decomposed = unicodedata.normalize("NFD", lower)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((m for m in marks if m in "\u0301\u0300\u0309\u0303\u0323"), "")
        if "\u031b" in marks:  # ơ, ư with a tone
            out.append(up(_VNI_OWN[unicodedata.normalize("NFC", base + "\u031b")]))
            out.append(up(_VNI_MARKS[("", tone)]) if tone else "")
            continue
        if base == "i" and tone:
            out.append(up(_VNI_OWN[unicodedata.normalize("NFC", "i" + tone)]))
            continue
        letter = next((m for m in marks if m in "\u0302\u0306"), "")
        out.append(up(base))
        if letter or tone:
            out.append(up(_VNI_MARKS[(letter, tone)]))
    return "".join(out)


def mojibake(text, lost=False):
    """UTF-8 opened as Windows-1252 and saved again; ``lost``: the five bytes that
    Windows-1252 leaves undefined came out as "?"."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
            out.append("?" if lost else chr(byte))
        else:
            out.append(bytes([byte]).decode("cp1252"))
    return "".join(out)


def run(data, directive, name="list.xlsx", **options):
    return run_import(AssignmentResource, data, name=name, directive=directive, **options)


HEADER = ["STT", "Tên cơ quan, đơn vị", "Thôn, làng", "Xã, phường, thị trấn", "Huyện", "Vai trò"]
ROWS = [
    ["Sở Văn hóa, Thể thao và Du lịch", "làng Dip", "xã Ia Kreng", "huyện Chư Păh", "Chủ trì"],
    ["Sở Nội vụ", "Kép", "Ia Ka", "Chư Păh", "Phối hợp"],
]


def sheet(encode_header, encode_rows, rows=ROWS, title=TITLE_ROWS):
    return [
        *[[encode_header(c) for c in row] for row in title],
        [encode_header(c) for c in HEADER],
        *[[i, *map(encode_rows, row)] for i, row in enumerate(rows, start=1)],
    ]


def imported(directive):
    return {
        (a.agency.name, str(a.village), a.role)
        for a in Assignment.objects.filter(directive=directive).select_related("agency", "village")
    }


EXPECTED = {
    ("Sở Văn hóa, Thể thao và Du lịch", "làng Dip", "lead"),
    ("Sở Nội vụ", "làng Kép", "supporting"),
}


def test_the_tables_give_the_texts_offices_send():
    assert tcvn3("Sở Văn hóa, Thể thao và Du lịch") == "Së V¨n hãa, ThÓ thao vµ Du lÞch"
    assert vni("Sở Văn hóa") == "Sôû Vaên hoùa"
    assert mojibake("Sở") == "Sá»Ÿ" and mojibake("Tên cơ quan") == "TÃªn cÆ¡ quan"


@pytest.mark.parametrize(
    "text",
    [
        "Sở Văn hóa, Thể thao và Du lịch",
        "Trường Cao đẳng Sư phạm Gia Lai",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Ban Thường vụ Tỉnh ủy",
        "Mặt trận Tổ quốc Việt Nam tỉnh",
        "Hội Liên hiệp Phụ nữ tỉnh",
        "làng Đê Kjiêng, xã Ia Kreng, huyện Chư Păh",
        "Thôn 5",
        "Phối hợp",
    ],
)
def test_each_cell_is_read_from_whatever_encoding_it_was_typed_in(text):
    repair = CellRepair()
    assert repair(text) == text
    assert repair(tcvn3(text)) == text
    assert repair(vni(text)) == text
    assert repair(mojibake(text)) == text
    assert repair.counts == {"tcvn3": 1, "vni": 1, "mojibake": 1}


def test_a_cell_vietnamese_either_way_follows_a_sheet_wholly_in_tcvn3():
    repair = CellRepair()
    cells = [repair(tcvn3("Tên cơ quan")), repair(tcvn3("Ghi chú"))]
    assert cells == ["Tên cơ quan", "Ghi chó"]  # "chó" is Vietnamese too
    assert repair.settle([(1, cells)]) == [(1, ["Tên cơ quan", "Ghi chú"])]


def test_names_without_vietnamese_letters_are_left_as_they_are():
    repair = CellRepair()
    for text in ["Ia Kreng", "Dip", "Kon Tum", "H'Bông", "Đăkrông", "Chư Păh"]:
        assert repair(text) == text
    assert not repair.counts


def test_a_whole_sheet_in_tcvn3_finds_its_header_and_imports(directive):
    summary = run(xlsx(sheet(tcvn3, tcvn3)), directive)
    assert summary.errors == []
    assert summary.new == 2
    assert imported(directive) == EXPECTED
    # Every cell with a letter of Vietnamese: 3 title rows, 5 headings, 9 data cells.
    (notice,) = [n for n in summary.notices if "TCVN3" in n]
    assert ": 17 " in notice


def test_unicode_headers_with_tcvn3_rows_match_the_agencies(directive):
    rows = [[tcvn3(c) for c in row] for row in [DIP, ["Sở Nội vụ", "Kép", "Ia Ka", "", "", ""]]]
    summary = run(assignment_list(rows), directive)
    assert summary.errors == []
    assert {a.agency.name for a in Assignment.objects.filter(directive=directive)} == {
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Nội vụ",
    }
    assert not Agency.objects.filter(name__contains="¬").exists()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_tcvn3_vni_and_unicode_cells_mix_in_one_file(directive, kind):
    rows = [
        [vni(ROWS[0][0]), ROWS[0][1], tcvn3(ROWS[0][2]), ROWS[0][3], vni(ROWS[0][4])],
        [tcvn3(ROWS[1][0]), ROWS[1][1], ROWS[1][2], vni(ROWS[1][3]), ROWS[1][4]],
    ]
    cells = sheet(str, str, rows=rows, title=[])
    data = xlsx(cells) if kind == "xlsx" else csv_bytes(cells)
    summary = run(data, directive, name=f"list.{kind}")
    assert summary.errors == []
    assert imported(directive) == EXPECTED
    assert any("TCVN3" in n and ": 2" in n for n in summary.notices)
    assert any("VNI" in n and ": 3" in n for n in summary.notices)


def ansi_csv(cells, code_page):
    """``cells`` as Excel's plain "CSV (Comma delimited)" writes them on Windows: in the
    system's code page. Windows-1258 holds ă â ê ô ơ ư đ whole and the five tones as marks
    after the letter; ``lost`` letters (those it writes only with such a mark) become "?",
    as Excel writes text typed with precomposed letters."""
    stream = io.StringIO()
    csv.writer(stream).writerows(cells)
    text = stream.getvalue()
    if code_page == "cp1258":
        tones = "\u0300\u0301\u0303\u0309\u0323"
        out = []
        for char in unicodedata.normalize("NFC", text):
            marks = unicodedata.normalize("NFD", char)
            letter = unicodedata.normalize("NFC", "".join(m for m in marks if m not in tones))
            out.append(letter + "".join(m for m in marks if m in tones))
        text = "".join(out)
    if code_page == "cp1258-lost":
        return text.encode("cp1258", errors="replace")
    return text.encode(code_page)


def test_a_csv_in_the_vietnamese_windows_code_page_is_read(directive):
    data = ansi_csv(sheet(str, str), "cp1258")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    summary = run(data, directive, name="list.csv")
    assert summary.errors == []
    assert imported(directive) == EXPECTED
    assert any("1258" in n for n in summary.notices)


def test_a_tcvn3_list_saved_as_csv_in_the_western_code_page_is_read(directive):
    # Typed with .VnTime fonts on a Windows set to Western, saved as plain CSV: the bytes
    # are TCVN3's own.
    data = ansi_csv(sheet(tcvn3, tcvn3), "cp1252")
    summary = run(data, directive, name="list.csv")
    assert summary.errors == []
    assert imported(directive) == EXPECTED
    assert any("1252" in n for n in summary.notices)
    assert any("TCVN3" in n for n in summary.notices)


def test_a_csv_that_lost_letters_to_its_code_page_is_refused(directive):
    # Precomposed letters Windows-1258 has no room for ("ở", "ị") are saved as "?".
    data = ansi_csv(sheet(str, str), "cp1258-lost")
    assert b"S? V" in data
    before = Agency.objects.count()
    summary = run(data, directive, name="list.csv", create_missing=True)
    (error,) = summary.errors
    assert "UTF-8" in error and "“?”" in error and "“UBND T?NH GIA LAI”" in error
    assert Agency.objects.count() == before
    assert not Assignment.objects.filter(directive=directive).exists()


def test_a_binary_file_named_csv_is_not_read_as_text(directive):
    summary = run(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", directive, name="list.csv")
    (error,) = summary.errors
    assert "UTF-8" in error


def test_a_garbled_name_is_refused_and_never_created(directive):
    before = (Agency.objects.count(), Village.objects.count())
    garbled_agency = "Ban Qu" + mojibake("ả", lost=True)[:2] + "n lý rừng"
    garbled_village = "làng " + mojibake("Mới", lost=True)
    assert is_garbled(garbled_agency) and is_garbled(garbled_village)
    rows = [
        [garbled_agency, "làng Dip", "xã Ia Kreng", "huyện Chư Păh", "", ""],
        ["Sở Nội vụ", garbled_village, "Ia Kreng", "Chư Păh", "", ""],
    ]
    summary = run(assignment_list(rows), directive, create_missing=True)
    assert len(summary.errors) == 2
    assert summary.errors[0].startswith("Dòng 8")
    assert summary.errors[1].startswith("Dòng 9")
    assert all("Unicode" in e for e in summary.errors)
    assert (Agency.objects.count(), Village.objects.count()) == before
    assert not Assignment.objects.filter(directive=directive).exists()


def test_a_mojibake_header_and_rows_are_repaired(directive):
    summary = run(xlsx(sheet(mojibake, mojibake)), directive)
    assert summary.errors == []
    assert imported(directive) == EXPECTED
    assert any("UTF-8" in n and ": 17 " in n for n in summary.notices)


def test_mojibake_that_cannot_be_repaired_is_named_as_such(directive):
    summary = run(xlsx(sheet(lambda c: mojibake(c, lost=True), str)), directive)
    (error,) = summary.errors
    assert "UTF-8" in error and "Windows-1252" in error
    assert "Xã" not in error  # not "Required columns are missing: Xã"


def test_the_command_refuses_to_create_a_garbled_agency(directive, tmp_path):
    garbled = "Ban Qu" + mojibake("ả", lost=True)[:2] + "n lý rừng"
    path = tmp_path / "ds.xlsx"
    path.write_bytes(assignment_list([[garbled, "làng Dip", "xã Ia Kreng", "", "", ""]]))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_assignments",
            str(path),
            "--directive",
            directive.number,
            "--create-missing",
            stdout=out,
            stderr=err,
        )
    assert "Dòng 8" in err.getvalue() and garbled in err.getvalue()
    assert not Agency.objects.filter(name=garbled).exists()


def test_the_preview_says_how_many_cells_were_converted(admin_client, directive):
    file = io.BytesIO(xlsx(sheet(str, tcvn3)))
    file.name = "ds.xlsx"
    response = admin_client.post(
        reverse("admin:assignments_assignment_import"),
        {"import_file": file, "format": "0", "resource": "0", "directive": directive.pk},
    )
    assert response.status_code == 200
    (notice,) = [n for n in response.context["result"].notices if "TCVN3" in n]
    assert "9" in notice
    assert notice in response.content.decode()
    assert not Assignment.objects.filter(directive=directive).exists()


# These read the Vietnamese of the new messages: they pass once the catalogue holds them.


def test_the_notice_reads_in_vietnamese(directive):
    summary = run(xlsx(sheet(str, vni)), directive)
    assert "Đã chuyển từ mã VNI (phông VNI-Times) sang Unicode: 9 ô." in summary.notices


def test_the_garbled_name_message_reads_in_vietnamese(directive):
    garbled = "Ban Qu" + mojibake("ả", lost=True)[:2] + "n lý rừng"
    summary = run(assignment_list([[garbled, "làng Dip", "xã Ia Kreng", "", "", ""]]), directive)
    assert summary.errors == [
        f"Dòng 8, cột “Cơ quan, đơn vị”: “{garbled}” không phải là chữ tiếng Việt đọc được: "
        "văn bản ở bảng mã cũ hoặc bị lỗi bảng mã, nên không được đối chiếu cũng như tạo mới. "
        "Hãy chuyển tệp sang Unicode rồi thử lại."
    ]
