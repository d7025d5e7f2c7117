"""Official documents as PDF: format, contents, safety, permissions, determinism."""

import datetime as dt
import http.server
import io
import itertools
import statistics
import subprocess
import threading
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from assignments.models import Directive, ReportingDeadline, Village, VillageYearFigures
from reports import documents
from reports.legal import legal_date
from reports.models import IssuedDocument
from reports.pdf import html_to_pdf
from tests.pdfs import MM, layout
from tests.reports.conftest import make_submitted_report, record_activity

pytestmark = pytest.mark.django_db
ARTEFACTS = Path(settings.BASE_DIR) / "test-artefacts" / "pdf"
A4 = (595, 842)


def issue(kind, parameters, user, **overrides):
    fields = documents.default_fields(kind)
    fields.update(
        number="15/BC-BDT",
        issued_on=dt.date(2024, 11, 15),
        signer_name="Nguyễn Văn Bình",
        recipients="UBND tỉnh\nBan Dân vận Tỉnh ủy",
    )
    fields.update(overrides)
    document = documents.document_issue(kind=kind, parameters=parameters, by=user, **fields)
    return documents.render(document)


def pdf_bytes(document):
    with document.pdf.open("rb") as file:
        return file.read()


def flat(pages):
    """The text with line breaks (cell wrapping) folded into spaces."""
    return " ".join("\n".join(pages).split())


def text_of(document):
    reader = PdfReader(io.BytesIO(pdf_bytes(document)))
    return reader, [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


def fonts_of(reader):
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/DescendantFonts", [font])[0].get_object().get("/FontDescriptor")
            if descriptor and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]))
    return names


def snapshot(document, name):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / f"{name}.pdf"
    pdf.write_bytes(pdf_bytes(document))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTEFACTS / name)],
        check=True,
    )


LEFT, RIGHT = 30 * MM, 15 * MM  # the legal margins (Phụ lục I), portrait and landscape alike


def check_format(
    document, landscape=False, number="15/BC-BDT", recipients=("UBND tỉnh;", "Ban Dân vận Tỉnh ủy;")
):
    """The rules of Nghị định 30 every document with a heading and a signature follows,
    measured on the PDF; returns the pages' text."""
    reader, pages = text_of(document)
    assert any("KN-Serif" in name for name in fonts_of(reader))  # embedded, by file
    laid = layout(pdf_bytes(document))
    first = laid[0]
    assert (round(first.width), round(first.height)) == ((842, 595) if landscape else A4)
    check_margins(laid)

    national = first.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert national.bold and national.size == 13
    motto = first.find("Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and motto.size == 14
    # The rule under the motto is as long as the motto; under the issuing body, a third to
    # a half of its name, centred under it.
    x0, x1, _top = first.rule_below(motto)
    assert abs((x1 - x0) - (motto.x1 - motto.x0)) < 2
    # The issuing body's name, on one line or more, bold, left of the national title.
    issuer = [run for run in first.runs if run.bold and run.x1 < national.x0 and run.top < 40 * MM]
    assert " ".join(run.text for run in issuer) == document.issuer.upper()
    widest = max(run.x1 - run.x0 for run in issuer)
    x0, x1, _top = first.rule_below(issuer[-1])
    assert widest / 3 <= x1 - x0 <= widest / 2
    assert abs((x0 + x1) / 2 - issuer[-1].centre) < 1
    assert first.find(f"Số: {number}")
    date = first.find(f"Gia Lai, {legal_date(document.issued_on)}")
    assert date.italic

    whole = "\n".join(pages)
    signature = [document.signing_authority, document.signer_title, document.signer_name]
    for line in ["Nơi nhận:", *recipients, *filter(None, signature)]:
        assert line in whole, line
    assert whole.count("- Lưu: VT") == 1
    check_signature_not_alone(laid)
    check_page_numbers(main_part(laid))
    return pages


def check_margins(laid):
    for page in laid:
        assert page.text_left >= LEFT - 0.5, (page.number, page.text_left / MM)
        # (WeasyPrint's justification spaces a line by widths that kerning then changes, so
        # a justified line may end a little past the margin (Kozea/WeasyPrint#2687, #2928):
        # ink measured at most 1.25 pt, 0.44 mm, past it; 2 pt of advance allowed.)
        widest = max(page.runs, key=lambda run: run.x1)
        assert widest.x1 <= page.width - RIGHT + 2, (page.number, widest)


def main_part(laid):
    """The pages before the first appendix (which counts its own pages)."""
    for index, page in enumerate(laid):
        if any(run.text.startswith("Phụ lục") for run in page.runs[:3]):
            return laid[:index]
    return laid


def page_number_of(page):
    """The page number printed in the top margin, or None."""
    top = [run for run in page.runs if run.bottom < 20 * MM]
    return int(top[0].text) if top else None


def check_page_numbers(pages):
    """No number on the first page; 2, 3 … on the next, centred in the top margin."""
    for index, page in enumerate(pages, start=1):
        assert page_number_of(page) == (index if index > 1 else None), page.number


def check_signature_not_alone(laid):
    """The recipients and the signature share their page with the text's last lines."""
    (page,) = [p for p in laid if any(run.text == "Nơi nhận:" for run in p.runs)]
    label = page.find("Nơi nhận:")
    above = [
        run for run in page.runs if run.bottom <= label.top and run.top > 20 * MM
    ]  # the page number stands in the margin
    assert above, "the signature stands alone on its page"


def check_report_heading(document):
    """A named kind: its name (BÁO CÁO) bold and centred, the subject bold under it, and a
    rule under the subject a third to a half as long as its longest line."""
    first = layout(pdf_bytes(document))[0]
    text_centre = (LEFT + first.width - RIGHT) / 2
    title = first.find(document.figures["title"])
    assert title.bold and title.size == 14 and abs(title.centre - text_centre) < 1.5
    subject = [
        run for run in first.runs if run.top > title.bottom and run.bold and run.top < 80 * MM
    ]
    assert " ".join(run.text for run in subject) == document.figures["subject"]
    widest = max(run.x1 - run.x0 for run in subject)
    x0, x1, _top = first.rule_below(subject[-1])
    assert widest / 3 <= x1 - x0 <= widest / 2 and abs((x0 + x1) / 2 - text_centre) < 1.5


def check_letter(document):
    """A công văn: "V/v …" under the number, upright, not bold, 12-13 pt, centred in the
    left column; no title; "Kính gửi:"; the recipients begin with "Như trên"."""
    first = layout(pdf_bytes(document))[0]
    number = first.find("Số:")
    issuer = first.find(document.issuer.upper())
    subject = first.find("V/v")
    assert not subject.bold and not subject.italic and 12 <= subject.size <= 13
    assert subject.top > number.bottom and subject.x1 < first.find("CỘNG HÒA").x0
    assert abs(subject.centre - issuer.centre) < 3
    assert first.find("Kính gửi:").top > subject.bottom
    lines = [run.text for page in layout(pdf_bytes(document)) for run in page.runs]
    assert lines[lines.index("Nơi nhận:") + 1] == "- Như trên;"


def check_appendix(pages, title, attached_to):
    """ "Phụ lục", its title in bold capitals, the italic "(Kèm theo …)" line centred on the
    text; its pages counted on their own (none on the first), no number or signature."""
    first = pages[0]
    label, heading = first.runs[0], first.runs[1]
    assert label.text.startswith("Phụ lục") and not label.bold
    assert heading.text == title.split("\n")[0] and heading.bold and heading.text.isupper()
    attached = first.find(attached_to[:30])
    assert attached.italic and attached.text.startswith("(Kèm theo")
    text_centre = (LEFT + first.width - RIGHT) / 2
    assert abs(attached.centre - text_centre) < 1.5, (attached.centre - text_centre) / MM
    assert abs(label.centre - text_centre) < 1.5
    check_page_numbers(pages)
    text = "\n".join(page.text for page in pages)
    assert "Số:" not in text and "Nơi nhận" not in text


def test_the_assignment_list_is_an_appendix_of_the_letter(coordinator_user):
    directive = Directive.objects.get(number="345/UBND-NC")
    document = issue("assignment_list", {"directive": directive.pk}, coordinator_user)
    laid = layout(pdf_bytes(document))
    assert len(laid) > 1
    assert all((round(p.width), round(p.height)) == (842, 595) for p in laid)
    check_margins(laid)
    check_appendix(
        laid,
        "DANH SÁCH PHÂN CÔNG CÁC CƠ QUAN, ĐƠN VỊ KẾT NGHĨA VỚI THÔN, LÀNG, XÃ VÙNG ĐỒNG BÀO",
        "(Kèm theo Công văn số 345/UBND-NC ngày 27 tháng 02 năm 2024 của",
    )
    whole = flat([page.text for page in laid])
    assert "Sở Văn hóa, Thể thao và Du lịch" in whole and "làng Dip" in whole
    assert "huyện Chư Păh" in whole
    # Internal notes (the demo's "minh họa" remarks) never print; nor does their column.
    assert "minh họa" not in whole and "Ghi chú" not in whole
    assert "Các phân công còn hiệu lực ngày" in whole
    for page in laid:
        table = [run for run in page.runs if run.top > 19 * MM]
        # The table header repeats on every page ...
        assert any(run.text.startswith("STT") for run in table), page.number
        # ... and a district's heading never ends a page.
        last = max(table, key=lambda run: run.top)
        assert not (last.bold and last.text.startswith("huyện")), page.number
    snapshot(document, "danh-sach-phan-cong")


def test_the_consolidated_report(coordinator_user, reporter, other_reporter, march_deadline):
    record_activity(reporter, cash_vnd=15_000_000, in_kind_vnd=5_000_000)
    make_submitted_report(reporter, march_deadline)
    dip = Village.objects.get(name="Dip")
    for year, poor in [(2024, 30), (2023, 41)]:
        VillageYearFigures.objects.update_or_create(
            village=dip, year=year, defaults={"households": 120, "poor_households": poor}
        )
    document = issue(
        "consolidated",
        {
            "deadline": march_deadline.pk,
            "shortcomings": "Một số đơn vị chậm báo cáo.",
            "proposals": "Nhân rộng mô hình.",
        },
        coordinator_user,
    )
    whole = flat(check_format(document))
    check_report_heading(document)
    laid = layout(pdf_bytes(document))
    appendix = laid[len(main_part(laid)) :]
    check_appendix(
        appendix,
        "KẾT QUẢ CÔNG TÁC KẾT NGHĨA CỦA TỪNG CƠ QUAN, ĐƠN VỊ",
        "(Kèm theo Báo cáo số 15/BC-BDT ngày 15 tháng 11 năm 2024 của Ban Dân tộc tỉnh)",
    )
    assert "15.000.000" in whole and "5.000.000" in whole
    assert "Sở Nội vụ" in whole  # among those who did not report
    # Years print as years, never with a thousands separator.
    assert "Số liệu năm 2024" in whole and "(năm 2023: 41)" in whole and "2.024" not in whole
    assert "Một số đơn vị chậm báo cáo." in whole and "Nhân rộng mô hình." in whole
    # The sections typed on the form, numbered on; the empty ones left out.
    headings = [line for page in text_of(document)[1] for line in page.splitlines()]
    assert [h for h in headings if h[:3] in ("I. ", "II.", "III", "IV.", "V. ")] == [
        "I. TÌNH HÌNH CHUNG",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
    ]
    # Agencies that neither reported nor recorded an activity in 12 months: their pairs are
    # proposed for reassignment, in a table under the proposals.
    proposed = document.figures["proposed_reassignments"]
    assert proposed and all(
        reason == "Không gửi báo cáo, không có hoạt động trong 12 tháng"
        for _agency, _target, reason in proposed
    )
    assert "Sở Nội vụ" in {agency for agency, _target, _reason in proposed}
    assert "Sở Văn hóa, Thể thao và Du lịch" not in {a for a, _t, _r in proposed}  # reported
    assert "Đề xuất xem xét điều chỉnh phân công kết nghĩa" in whole
    assert document.figures["situation"]["villages"] == 17 + 0  # the letter's 17 villages
    snapshot(document, "bao-cao-tong-hop")


def test_the_agency_report_escapes_what_users_typed(coordinator_user, reporter, march_deadline):
    report = make_submitted_report(
        reporter,
        march_deadline,
        results='Đã thăm làng <img src="file:///etc/passwd"> & tặng quà',
    )
    document = issue("agency_report", {"report": report.pk}, coordinator_user)
    whole = flat(check_format(document))
    assert '<img src="file:///etc/passwd">' in whole  # shown as text, never fetched
    assert b"root:x:0:0" not in pdf_bytes(document)
    snapshot(document, "bao-cao-don-vi")


def test_no_signature_or_heading_is_left_alone_whatever_the_length(
    coordinator_user, reporter, march_deadline
):
    """Texts of every length around a page break: the signature keeps the text's last lines
    with it, a heading is never the last line of a page, and paragraphs and headings stand
    at least 6 pt apart."""
    from reports.pdf import render_pdf

    report = make_submitted_report(reporter, march_deadline)
    document = issue("agency_report", {"report": report.pk}, coordinator_user)
    context = documents.context_of(document)
    sentence = "Phối hợp tổ chức các hoạt động hỗ trợ sản xuất, tặng quà và thăm hỏi bà con."
    footer_moved = 0
    for lines in range(14, 40, 2):
        context["f"]["sections"] = [
            ["Kết quả đạt được", "\n".join([sentence] * lines)],
            ["Tồn tại, hạn chế", sentence],
            ["Phương hướng", sentence],
            ["Kiến nghị, đề xuất", sentence],
        ]
        laid = layout(render_pdf(documents.TEMPLATES[document.kind], context))
        check_signature_not_alone(laid)
        footer_moved += any(run.text == "Nơi nhận:" for page in laid[1:] for run in page.runs)
        for page in laid:
            body = [run for run in page.runs if run.top > 19 * MM]
            # The gap between two lines of one paragraph; paragraphs add at least 6 pt.
            gaps = [
                b.top - a.bottom
                for a, b in itertools.pairwise(body)
                if a.size == b.size == 14 and not a.bold and not b.bold and b.top > a.top
            ]
            line_gap = statistics.median(gaps) if gaps else 18.2 - 14  # line-height 1.3
            for before, heading, after in zip(body, body[1:], body[2:], strict=False):
                if heading.bold and heading.text[:2] in {"1.", "2.", "3.", "4."}:
                    assert after.top - heading.bottom >= line_gap + 6 - 0.5, (lines, heading)
                    assert heading.top - before.bottom >= line_gap + 6 - 0.5, (lines, heading)
            last = max(body, key=lambda run: run.bottom)
            assert not (last.bold and last.text[:2] in {"1.", "2.", "3.", "4."}), lines
    assert footer_moved  # the lengths tried do push the signature to a second page


def test_the_reminder_letter(coordinator_user, march_deadline):
    document = issue(
        "reminder_letter",
        {"deadline": march_deadline.pk, "reply_by": "2024-04-05"},
        coordinator_user,
        number="20/BDT",
    )
    whole = flat(check_format(document, number="20/BDT"))
    check_letter(document)
    assert "V/v đôn đốc" in whole and "Sở Nội vụ" in whole
    # Dates in the text are written as the heading's: a leading zero below 10 for days, for
    # months only in January and February.
    assert "trước ngày 05 tháng 4 năm 2024" in whole and "05/04/2024" not in whole
    assert "Số: 20/BDT" in whole
    snapshot(document, "cong-van-don-doc")


def test_the_multi_year_review(coordinator_user, reporter):
    record_activity(reporter, date=dt.date(2024, 5, 1), kind="production", cash_vnd=30_000_000)
    directive = Directive.objects.get(number="345/UBND-NC")
    document = issue(
        "review",
        {"directive": directive.pk, "first_year": 2024, "last_year": 2025},
        coordinator_user,
    )
    whole = flat(check_format(document))
    assert "Tổng kết 2 năm" in whole and "30.000.000" in whole
    assert "MÔ HÌNH ĐIỂN HÌNH" in whole
    snapshot(document, "bao-cao-tong-ket")


def test_the_consolidated_report_has_every_section_a_real_one_has(coordinator_user, march_deadline):
    typed = {
        "leadership": "Ban hành kế hoạch, tổ chức hội nghị triển khai.",
        "shortcomings": "Một số đơn vị chậm báo cáo, do thay đổi đầu mối.",
        "lessons": "Phân công cán bộ đầu mối ổn định.",
        "directions": "Tiếp tục hỗ trợ sản xuất.",
        "proposals": "Điều chỉnh phân công theo địa bàn mới.",
        "commendations": "Khen thưởng 3 tập thể.",
    }
    document = issue("consolidated", {"deadline": march_deadline.pk, **typed}, coordinator_user)
    lines = [line for page in text_of(document)[1] for line in page.splitlines()]
    numbered = [line for line in lines if line.split(". ")[0] in documents.ROMAN[:8]]
    assert numbered == [
        "I. TÌNH HÌNH CHUNG",
        "II. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO",
        "III. KẾT QUẢ THỰC HIỆN",
        "IV. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "V. BÀI HỌC KINH NGHIỆM",
        "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
        "VII. KIẾN NGHỊ, ĐỀ XUẤT",
        "VIII. ĐỀ NGHỊ KHEN THƯỞNG",
    ]
    whole = flat(text_of(document)[1])
    assert all(text in whole for text in typed.values())


def test_the_date_and_the_metadata_are_those_of_the_document(coordinator_user, march_deadline):
    document = issue(
        "reminder_letter",
        {"deadline": march_deadline.pk, "reply_by": "2024-02-09"},
        coordinator_user,
        number="21/BDT",
        issued_on=dt.date(2024, 3, 5),
    )
    reader, pages = text_of(document)
    assert "Gia Lai, ngày 05 tháng 3 năm 2024" in pages[0]
    assert "trước ngày 09 tháng 02 năm 2024" in flat(pages)
    # The PDF's title is the subject, its author the issuing body, its language Vietnamese.
    assert reader.metadata.title == document.figures["subject"]
    assert reader.metadata.author == document.issuer
    assert reader.trailer["/Root"]["/Lang"] == "vi"


def test_each_document_has_a_spreadsheet_with_the_same_figures(coordinator_user):
    from openpyxl import load_workbook

    directive = Directive.objects.get(number="345/UBND-NC")
    document = issue("assignment_list", {"directive": directive.pk}, coordinator_user)
    with document.xlsx.open("rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "làng Dip" in values
    assert document.figures["total"] == sum(
        1 for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)
    )
    # The header row frozen, bold and wrapped; numbers with thousands separators; columns
    # as wide as their content within bounds.
    header = next(row for row in sheet.iter_rows() if row[0].value == "STT")
    assert sheet.freeze_panes == f"A{header[0].row + 1}"
    assert all(cell.font.bold and cell.alignment.wrap_text for cell in header if cell.value)
    numbers = [row[0] for row in sheet.iter_rows() if isinstance(row[0].value, int)]
    assert numbers and all(cell.number_format == "#,##0" for cell in numbers)
    names = [row[1] for row in sheet.iter_rows(min_row=header[0].row + 1) if row[1].value]
    assert all(cell.alignment.wrap_text for cell in names)
    longest = max(len(cell.value) for cell in names)
    assert sheet.column_dimensions["B"].width == min(longest + 2, 50)


def test_rendering_is_deterministic_and_issued_documents_are_frozen(
    coordinator_user, reporter, march_deadline
):
    document = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    first_text = text_of(document)[1]
    make_submitted_report(reporter, march_deadline)  # the data change after issue...
    document.refresh_from_db()
    again = documents.render(document)  # ...but the frozen document renders the same
    assert text_of(again)[1] == first_text
    reissued = issue(
        "consolidated",
        {"deadline": march_deadline.pk},
        coordinator_user,
        supersedes=document,
        number="16/BC-BDT",
    )
    assert reissued.supersedes == document
    assert reissued.figures["on_time"] != document.figures["on_time"] or (
        reissued.figures["late"] != document.figures["late"]
    )


def test_the_fetcher_fetches_nothing_outside_the_project(tmp_path):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"SECRET-FROM-NETWORK")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    html = f"""<html><head>
      <link rel="stylesheet" href="{url}/style.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>body {{ background: url("{url}/bg.png"); }}
             p {{ background: url("file:///etc/passwd"); }}</style></head><body>
      <img src="file:///etc/passwd"><img src="{url}/img.png">
      <object data="file:///etc/passwd"></object><embed src="{url}/embed">
      <a rel="attachment" href="file:///etc/passwd">x</a>
      <a rel="attachment" href="{url}/attachment">y</a><p>Nội dung</p></body></html>"""
    try:
        pdf = html_to_pdf(html)
    finally:
        server.shutdown()
    assert hits == []
    assert b"root:x:0:0" not in pdf and b"SECRET-FROM-NETWORK" not in pdf
    assert b"/EmbeddedFile" not in pdf
    assert "Nội dung" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


# --- The page ----------------------------------------------------------------------------------


def test_issuing_through_the_page(client, coordinator_user):
    client.force_login(coordinator_user)
    directive = Directive.objects.get(number="345/UBND-NC")
    form = client.get(reverse("reports:document_create", args=["assignment_list"]))
    assert form.status_code == 200
    # An appendix of the letter: no number, signature or recipients of its own.
    assert set(form.context["form"].fields) == {"issued_on", "place", "directive", "as_of"}
    response = client.post(
        reverse("reports:document_create", args=["assignment_list"]),
        {"issued_on": "15/11/2024", "place": "Gia Lai", "directive": directive.pk},
    )
    document = IssuedDocument.objects.get()
    assert response.url == reverse("reports:document_detail", args=[document.pk])
    assert document.status == "done"  # rendered at once by the immediate task backend
    assert document.number == "" and document.issuing_agency is None
    for name, kind in [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]:
        download = client.get(reverse(f"reports:document_{name}", args=[document.pk]))
        assert download["Content-Type"] == kind
        assert b"".join(download.streaming_content)[:4] in (b"%PDF", b"PK\x03\x04")
    # A report's form takes its defaults from the coordinating body and the settings.
    form = client.get(reverse("reports:document_create", args=["consolidated"]))
    assert "KT. TRƯỞNG BAN" in form.content.decode()
    assert form.context["form"]["number"].value() == ""  # the register gives it


def test_reporters_see_only_their_agencys_documents(
    client, coordinator_user, reporter, other_reporter, march_deadline
):
    own = issue(
        "agency_report",
        {"report": make_submitted_report(reporter, march_deadline).pk},
        coordinator_user,
        agency=reporter.agencies.get(),
    )
    other = issue(
        "agency_report",
        {"report": make_submitted_report(other_reporter, march_deadline).pk},
        coordinator_user,
        agency=other_reporter.agencies.get(),
    )
    summary = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    client.force_login(reporter)
    assert client.get(reverse("reports:document_pdf", args=[own.pk])).status_code == 200
    assert client.get(reverse("reports:document_pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:document_pdf", args=[summary.pk])).status_code == 404
    assert client.get(reverse("reports:document_create", args=["consolidated"])).status_code == 403


@pytest.mark.parametrize("kind", ["assignment_list", "consolidated", "reminder_letter"])
def test_document_queries_do_not_grow_with_the_data(
    coordinator_user, kind, django_assert_max_num_queries
):
    from reports import synthetic

    def parameters(seed):
        plan = Directive.objects.get(number=f"{seed}/KH-UBND-TH")
        deadline = (
            ReportingDeadline.objects.filter(rule__directive=plan).order_by("-due_date").first()
        )
        return {
            "assignment_list": {"directive": plan.pk},
            "consolidated": {"deadline": deadline.pk},
            "reminder_letter": {"deadline": deadline.pk, "reply_by": "2030-01-01"},
        }[kind]

    synthetic.generate(
        {
            "districts": 2,
            "communes": 4,
            "villages": 20,
            "agencies": 10,
            "assignments": 30,
            "activities": 100,
        },
        seed=21,
    )
    with django_assert_max_num_queries(40) as small:
        documents.compute_figures(kind, parameters(21))
    synthetic.generate(
        {
            "districts": 2,
            "communes": 20,
            "villages": 100,
            "agencies": 50,
            "assignments": 150,
            "activities": 500,
        },
        seed=22,
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        documents.compute_figures(kind, parameters(22))


# --- Re-issues --------------------------------------------------------------------------------


def agency_reports(coordinator_user, reporter, other_reporter, deadline):
    """An issued report of each agency, with numbers that appear nowhere else."""
    own_report = make_submitted_report(reporter, deadline)
    other_report = make_submitted_report(other_reporter, deadline)
    own = issue(
        "agency_report",
        {"report": own_report.pk},
        coordinator_user,
        agency=own_report.agency,
        number="71/BC-VHTTDL",
    )
    return own, other_report


def document_fields(**overrides):
    return {
        "number": "93/BC-SNV",
        "issued_on": "15/11/2024",
        "place": "Gia Lai",
        "parent_body": "UBND tỉnh Gia Lai",
        "issuer": "Ban Dân tộc tỉnh Gia Lai",
        "signing_authority": "KT. TRƯỞNG BAN",
        "signer_title": "PHÓ TRƯỞNG BAN",
        "signer_name": "Nguyễn Văn Bình",
        "recipients": "UBND tỉnh",
        **overrides,
    }


def test_a_reissue_keeps_the_agency_and_kind_of_the_document_it_replaces(
    coordinator_user, reporter, other_reporter, march_deadline
):
    own, other_report = agency_reports(coordinator_user, reporter, other_reporter, march_deadline)
    same = documents.document_issue(
        kind="agency_report",
        parameters={"report": own.parameters["report"]},
        by=coordinator_user,
        agency=own.agency,
        supersedes=own,
        **{
            **documents.default_fields("agency_report"),
            "number": "72/BC-VHTTDL",
            "signer_name": "B",
        },
    )
    assert same.supersedes == own and same.agency == own.agency
    elsewhere = documents.document_issue(
        kind="agency_report",
        parameters={"report": other_report.pk},
        by=coordinator_user,
        agency=other_report.agency,
        supersedes=own,
        **{**documents.default_fields("agency_report"), "number": "93/BC-SNV", "signer_name": "B"},
    )
    assert elsewhere.agency == other_report.agency
    assert elsewhere.supersedes is None  # a new document, not a re-issue
    assert list(own.superseded_by.all()) == [same]


def test_reissuing_as_another_agencys_report_makes_a_new_document_its_reporter_sees_alone(
    client, coordinator_user, reporter, other_reporter, march_deadline
):
    own, other_report = agency_reports(coordinator_user, reporter, other_reporter, march_deadline)
    client.force_login(coordinator_user)
    url = reverse("reports:document_create", args=["agency_report"]) + f"?reissue={own.pk}"
    response = client.post(url, document_fields(report=other_report.pk), follow=True)
    new = IssuedDocument.objects.get(number="93/BC-SNV")
    assert new.agency == other_report.agency and new.supersedes is None
    assert "không phải bản ban hành lại" in response.content.decode()

    client.force_login(other_reporter)
    pages = [
        client.get(reverse("reports:document_list")),
        client.get(reverse("reports:document_detail", args=[new.pk])),
        client.get(reverse("reports:document_detail", args=[new.pk]), HTTP_HX_REQUEST="true"),
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert "71/BC-VHTTDL" not in body
        assert reverse("reports:document_detail", args=[own.pk]) not in body
    for fmt in ("pdf", "xlsx"):
        download = client.get(reverse(f"reports:document_{fmt}", args=[new.pk]))
        assert download.status_code == 200
        assert b"71/BC-VHTTDL" not in b"".join(download.streaming_content)
    assert "71/BC-VHTTDL" not in flat(text_of(new)[1])


def test_a_link_across_agencies_is_shown_only_to_those_who_may_open_the_other_document(
    client, coordinator_user, reporter, other_reporter, march_deadline
):
    own, other_report = agency_reports(coordinator_user, reporter, other_reporter, march_deadline)
    other = issue(
        "agency_report",
        {"report": other_report.pk},
        coordinator_user,
        agency=other_report.agency,
        number="93/BC-SNV",
    )
    # A chain made before re-issues kept their agency.
    IssuedDocument.objects.filter(pk=other.pk).update(supersedes=own)
    own_url = reverse("reports:document_detail", args=[own.pk])
    other_url = reverse("reports:document_detail", args=[other.pk])

    client.force_login(other_reporter)
    body = client.get(other_url).content.decode()
    assert "71/BC-VHTTDL" not in body and own_url not in body and "Thay thế văn bản" not in body

    client.force_login(reporter)
    body = client.get(own_url).content.decode()
    assert "93/BC-SNV" not in body and other_url not in body

    client.force_login(coordinator_user)
    body = client.get(other_url).content.decode()
    assert "Thay thế văn bản" in body and own_url in body and "71/BC-VHTTDL" in body
    body = client.get(own_url).content.decode()
    assert "Đã được thay thế bằng văn bản" in body and other_url in body


def test_an_invitation_to_the_ceremony_issued_by_the_party(client, reporter, other_reporter):
    from assignments.models import Assignment

    agency = reporter.agencies.get()
    pair = Assignment.objects.filter(agency=agency).first()
    Assignment.objects.filter(pk=pair.pk).update(status="assigned")
    other = (
        Assignment.objects.exclude(agency=agency)
        .filter(agency__in=other_reporter.agencies.all())
        .first()
    )
    Assignment.objects.filter(pk=other.pk).update(status="assigned")
    client.force_login(reporter)
    form = client.get(
        reverse("reports:document_create", args=["invitation"]), {"assignment": pair.pk}
    )
    assert form.context["form"]["assignment"].value() == pair.pk
    choices = form.context["form"].fields["assignment"].queryset
    assert pair in choices and other not in choices
    data = {
        "issued_on": "05/01/2026",
        "place": "Gia Lai",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Trần Văn An",
        "ceremony_at": "2026-01-15T08:00",
        "venue": "Nhà văn hóa làng",
        "participants": "Đại diện Ban Dân tộc tỉnh\nĐại diện UBND xã",
    }
    refused = client.post(
        reverse("reports:document_create", args=["invitation"]), {**data, "assignment": other.pk}
    )
    assert refused.status_code == 200 and not IssuedDocument.objects.exists()
    response = client.post(
        reverse("reports:document_create", args=["invitation"]), {**data, "assignment": pair.pk}
    )
    document = IssuedDocument.objects.get()
    assert response.url == reverse("reports:document_detail", args=[document.pk])
    assert document.issuing_agency == agency and document.number == "01/GM-SVHTTDL"
    whole = flat(check_format(document, number="01/GM-SVHTTDL", recipients=()))
    assert "GIẤY MỜI" in whole
    assert "Thời gian: 08 giờ 00, ngày 15 tháng 01 năm 2026." in whole
    assert "Địa điểm: Nhà văn hóa làng." in whole
    assert "- Đại diện Ban Dân tộc tỉnh;" in whole and "- Đại diện UBND xã;" in whole
    assert f"Tới dự Lễ kết nghĩa giữa {agency.name} và {pair.target}" in whole
    snapshot(document, "giay-moi")


def test_the_letter_carrying_a_reassignment_becomes_its_ordering_document(client, coordinator_user):
    from assignments.models import Assignment
    from tests.factories import make_agency

    old = Assignment.objects.get(agency__name="Sở Tư pháp")
    new = make_agency(name="Sở Ngoại vụ mới")
    client.force_login(coordinator_user)
    reassigned = client.post(
        reverse("reassign", args=[old.pk]),
        {
            "agency": new.pk,
            "end_date": "2026-06-30",
            "reason": "Sáp nhập đơn vị",
            "issue_letter": "on",
        },
    )
    letter_form = reverse("reports:document_create", args=["reassignment"])
    assert reassigned.url == f"{letter_form}?assignment={old.pk}"
    form = client.get(reassigned.url)
    assert form.context["form"]["assignment"].value() == old.pk
    response = client.post(
        letter_form,
        {
            "issued_on": "25/06/2026",
            "place": "Gia Lai",
            "signing_authority": "KT. TRƯỞNG BAN",
            "signer_title": "PHÓ TRƯỞNG BAN",
            "signer_name": "Nguyễn Văn Bình",
            "drafting_unit": "NV",
            "assignment": old.pk,
        },
    )
    document = IssuedDocument.objects.get(kind="reassignment")
    assert response.url == reverse("reports:document_detail", args=[document.pk])
    assert document.number == "01/BDT-NV"
    assert document.addressee_list == ["Sở Tư pháp", "Sở Ngoại vụ mới"]
    old.refresh_from_db()
    assert (old.ending_document.number, old.ending_document.issued_on) == (
        "01/BDT-NV",
        dt.date(2026, 6, 25),
    )
    whole = flat(check_format(document, number="01/BDT-NV", recipients=()))
    check_letter(document)
    assert "V/v điều chỉnh phân công kết nghĩa" in whole
    assert f"Sở Tư pháp thôi kết nghĩa với {old.target} kể từ sau ngày 30 tháng 6 năm 2026" in whole
    assert f"Sở Ngoại vụ mới kết nghĩa với {old.target} kể từ ngày 01 tháng 7 năm 2026" in whole
    assert "Lý do điều chỉnh: Sáp nhập đơn vị" in whole and "- Lưu: VT, NV." in whole
    # A reassignment has one letter: it is no longer offered.
    again = client.get(letter_form)
    assert old not in again.context["form"].fields["assignment"].queryset
    snapshot(document, "cong-van-dieu-chinh")
