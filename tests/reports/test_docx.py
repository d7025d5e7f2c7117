"""The Word twin of every document: the legal layout read back with python-docx, the same
words as the PDF, and, where LibreOffice is installed, the same geometry once converted."""

import datetime as dt
import io
import shutil
import subprocess
import unicodedata

import pytest
from django.conf import settings
from docx import Document
from docx.shared import Mm

from assignments import agreements as agreement_services
from assignments import services
from assignments.models import Assignment, Directive
from reports import documents
from reports.legal import legal_date
from tests.pdfs import MM, layout
from tests.reports.conftest import (
    agency_of,
    item,
    make_submitted_report,
    signed_covenant,
    submitted_plan,
)
from tests.reports.test_agreement_documents import a_programme
from tests.reports.test_documents import check_margins, issue, pdf_bytes

pytestmark = pytest.mark.django_db
ARTEFACTS = settings.BASE_DIR / "test-artefacts" / "docx"


@pytest.fixture
def issued(coordinator_user, reporter, other_reporter, march_deadline, plan_deadline):
    """One document of every kind, issued and rendered."""
    directive = Directive.objects.get(number="345/UBND-NC")
    report = make_submitted_report(reporter, march_deadline)
    plan = submitted_plan(
        reporter, plan_deadline, [item("q1", "gifts", budget=10_000_000), item("m7", "visit")]
    )
    pair = Assignment.objects.filter(agency=agency_of(reporter)).first()
    moved = Assignment.objects.get(agency__name="Sở Tư pháp")
    services.assignment_reassign(
        assignment=moved,
        end_date=dt.date(2024, 6, 30),
        reason="Sáp nhập đơn vị",
        by=coordinator_user,
        agency=agency_of(reporter),
    )
    covenant = signed_covenant(agency_of(reporter), reporter)
    programme = a_programme(coordinator_user, reporter, other_reporter)
    review = agreement_services.review_hold(
        agreement=programme,
        kind="final",
        year=2026,
        held_on=dt.date(2026, 11, 20),
        remarks="Hoàn thành các nội dung.",
        lines=dict.fromkeys(programme.contents.all(), ("done", "")),
        by=coordinator_user,
    )
    return {
        "assignment_list": issue("assignment_list", {"directive": directive.pk}, coordinator_user),
        "consolidated": issue(
            "consolidated", {"deadline": march_deadline.pk}, coordinator_user, number=""
        ),
        "agency_report": issue(
            "agency_report", {"report": report.pk}, coordinator_user, number="07/BC-SVHTTDL"
        ),
        "agency_plan": issue(
            "agency_plan",
            {"report": plan.pk},
            coordinator_user,
            number="08/KH-SVHTTDL",
            addressees="",
        ),
        "reminder_letter": issue(
            "reminder_letter",
            {"deadline": march_deadline.pk, "reply_by": "2024-04-05"},
            coordinator_user,
            number="20/BDT-VP",
            drafting_unit="VP",
        ),
        "invitation": issue(
            "invitation",
            {
                "assignment": pair.pk,
                "ceremony_at": "2024-03-20T08:30",
                "venue": "Nhà văn hóa làng",
                "participants": "Đại diện Ban Dân tộc tỉnh\nĐại diện UBND xã",
            },
            coordinator_user,
            number="",
            signer_title="GIÁM ĐỐC",
        ),
        "reassignment": issue(
            "reassignment",
            {"assignment": moved.pk},
            coordinator_user,
            number="",
            drafting_unit="NV",
        ),
        "review": issue(
            "review",
            {"directive": directive.pk, "first_year": 2024, "last_year": 2025},
            coordinator_user,
            number="",
        ),
        # Signed by every party, side by side.
        "covenant": issue(
            "covenant",
            {
                "agreement": covenant.pk,
                "counterpart_title": "Trưởng thôn",
                "counterpart_name": "Rơ Châm Ngơl",
            },
            coordinator_user,
            number="",
            signer_title="GIÁM ĐỐC",
        ),
        "programme": issue("programme", {"agreement": programme.pk}, coordinator_user, number=""),
        "agreement_review": issue(
            "agreement_review", {"review": review.pk}, coordinator_user, number=""
        ),
    }


def word(document):
    with document.docx.open("rb") as file:
        return Document(io.BytesIO(file.read()))


def words_of(doc):
    """Every paragraph's text, table cells included, in order."""
    found = []

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            elif block.text.strip():
                found.append(unicodedata.normalize("NFC", block.text.strip()))

    walk(doc)
    return found


def pdf_words(document):
    return " ".join(" ".join(page.text for page in layout(pdf_bytes(document))).split())


def test_every_kind_is_a_word_file_in_the_legal_layout(issued):
    for kind, document in issued.items():
        doc = word(document)
        properties = doc.core_properties
        assert properties.title == document.figures["subject"], kind
        assert properties.author == document.issuer, kind
        for section in doc.sections:
            landscape = section.page_width > section.page_height
            size = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
            # (Word stores lengths in twentieths of a point: equal to within 0.1 mm.)
            for measured, expected in [
                (section.page_width, size[0]),
                (section.page_height, size[1]),
                (section.left_margin, Mm(30)),
                (section.right_margin, Mm(15)),
                (section.top_margin, Mm(20)),
                (section.bottom_margin, Mm(20)),
            ]:
                assert abs(measured - expected) < Mm(0.1), kind
            # Page numbers from page 2: a PAGE field in the header, none on the first page.
            assert section.different_first_page_header_footer
            instructions = section.header._element.xpath(".//w:instrText/text()")
            assert [i.strip() for i in instructions] == ["PAGE"], kind
            assert not section.first_page_header._element.xpath(".//w:instrText")
        assert doc.styles["Normal"].font.name == "Times New Roman"
        # Data tables repeat their header row on every page.
        for table in doc.tables:
            if len(table.rows) > 2:
                first_row = table.rows[0]._tr
                assert first_row.xpath("./w:trPr/w:tblHeader"), kind


def test_the_word_file_says_what_the_pdf_says(issued):
    for kind, document in issued.items():
        text = words_of(word(document))
        joined = " ".join(" ".join(text).split())
        printed = pdf_words(document)
        for line in text:
            for piece in line.split("\n"):
                assert " ".join(piece.split()) in printed, (kind, piece)
        if kind != "assignment_list":
            assert f"Số: {document.number}" in joined
            assert f"Gia Lai, {legal_date(document.issued_on)}" in joined
            assert "Nơi nhận:" in joined and joined.count("- Lưu: VT") == 1
            assert document.signer_name in joined
        else:
            assert "Phụ lục" in text[0] and "Số:" not in joined and "Nơi nhận" not in joined


def test_the_letter_in_word(issued):
    doc = word(issued["reminder_letter"])
    left, _right = doc.tables[0].rows[0].cells
    paragraphs = [p for p in left.paragraphs if p.text.strip()]
    subject = next(p for p in paragraphs if p.text.startswith("V/v"))
    assert all(not run.bold for run in subject.runs)
    assert subject.runs[0].font.size.pt == 12
    assert paragraphs.index(subject) == len(paragraphs) - 1  # under the number
    text = words_of(doc)
    assert text[text.index("Nơi nhận:") + 1] == "- Như trên;"
    assert "- Lưu: VT, VP." in text
    # The rule under the issuing body: a bottom border on an empty paragraph.
    assert any(p._p.xpath("./w:pPr/w:pBdr/w:bottom") for p in left.paragraphs)
    # The signature and recipients cannot be split from each other, and keep the last
    # paragraph of the text with them.
    blocks = list(doc.iter_inner_content())
    footer = next(
        b for b in blocks if hasattr(b, "rows") and "Nơi nhận:" in b.rows[0].cells[0].text
    )
    assert footer.rows[0]._tr.xpath("./w:trPr/w:cantSplit")
    before = blocks[blocks.index(footer) - 1]
    assert before.text.startswith("Đến nay") and before.paragraph_format.keep_with_next


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_the_word_file_converted_keeps_the_geometry(issued, tmp_path):
    """Converted by LibreOffice: margins, the rules' lengths; page 1 kept as PNG."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for kind, document in issued.items():
        source = tmp_path / f"{kind}.docx"
        with document.docx.open("rb") as file:
            source.write_bytes(file.read())
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        pdf = (tmp_path / f"{kind}.pdf").read_bytes()
        laid = layout(pdf, stroked=True)
        check_margins(laid)
        first = laid[0]
        if kind != "assignment_list":
            motto = first.find("Độc lập - Tự do - Hạnh phúc")
            x0, x1, _top = first.rule_below(motto)
            assert abs((x1 - x0) - (motto.x1 - motto.x0)) < 3, kind
            national = first.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")  # on one line
            issuer = [r for r in first.runs if r.bold and r.x1 < national.x0 and r.top < 45 * MM]
            widest = max(r.x1 - r.x0 for r in issuer)
            x0, x1, _top = first.rule_below(issuer[-1])
            assert widest / 3 - 1 <= x1 - x0 <= widest / 2 + 1, kind
        (ARTEFACTS / f"{kind}.pdf").write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(ARTEFACTS / f"{kind}.pdf"),
                str(ARTEFACTS / kind),
            ],
            check=True,
        )


def test_numbers_given_and_typed_and_the_appendix_line(issued):
    assert [
        issued[k].number for k in ("consolidated", "reminder_letter", "reassignment", "review")
    ] == ["01/BC-BDT", "20/BDT-VP", "21/BDT-NV", "22/BC-BDT"]
    assert documents.context_of(issued["consolidated"])["doc"]["attached_to"] == (
        "(Kèm theo Báo cáo số 01/BC-BDT ngày 15 tháng 11 năm 2024 của Ban Dân tộc tỉnh)"
    )
