"""The documents of an agreement: the covenant as the record signed at the ceremony, the
programme as itself, its yearly plan and the report of its review, each numbered in the
issuing party's register, as PDF, .docx and .xlsx; and the exemplary models that the
consolidated report and the multi-year review take from the register."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from assignments import agreements
from assignments.models import (
    Agency,
    Directive,
    ExemplaryModel,
    ModelYear,
    Standing,
)
from reports import documents
from reports.models import IssuedDocument
from tests.pdfs import layout
from tests.reports.conftest import agency_of, signed_covenant
from tests.reports.test_documents import (
    check_format,
    check_margins,
    check_page_numbers,
    check_report_heading,
    flat,
    issue,
    pdf_bytes,
    snapshot,
    text_of,
)

pytestmark = pytest.mark.django_db


def docx_text(document):
    with document.docx.open("rb") as file:
        word = Document(io.BytesIO(file.read()))
    cells = [
        paragraph.text
        for table in word.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
    ]
    return [p.text for p in word.paragraphs] + cells, word


def signature_columns(document):
    """The "ĐẠI DIỆN …" headings of the last page, left to right."""
    page = layout(pdf_bytes(document))[-1]
    return sorted(
        (run for run in page.runs if run.text.startswith("ĐẠI DIỆN")), key=lambda run: run.x0
    )


def a_programme(coordinator_user, reporter, other_reporter, **fields):
    ours, theirs = agency_of(reporter), agency_of(other_reporter)
    coordinating = Agency.objects.get(is_coordinating_body=True)
    contents = [
        {"group": "Nội dung chung", "number": 1, "title": "Tuyên truyền chủ trương", "lead": ours},
        {"group": "Nội dung chung", "number": 2, "title": "Nắm tình hình Nhân dân", "lead": theirs},
        {
            "group": "Nội dung cụ thể",
            "number": 1,
            "title": "Hỗ trợ sinh kế",
            "lead_other": "Các bên",
        },
    ]
    programme = agreements.agreement_record(
        by=coordinator_user,
        parties=[ours, theirs, coordinating],
        signers={theirs: "Lê Thị Hoa"},
        contents=contents,
        **{
            "kind": "programme",
            "name": "Chương trình phối hợp thực hiện công tác dân vận giai đoạn 2024-2026",
            "signed_on": dt.date(2024, 4, 2),
            "place": "Pleiku",
            "first_year": 2024,
            "last_year": 2026,
            "meeting_months": 6,
            "commitments": "Phát huy vai trò của mỗi bên trong công tác dân vận.",
            **fields,
        },
    )
    first = programme.contents.get(group="Nội dung chung", number=1)
    first.participants.set([theirs, coordinating])
    return programme


def test_the_covenant_prints_as_the_record_signed_at_the_ceremony(client, reporter, other_reporter):
    agency = agency_of(reporter)
    covenant = signed_covenant(agency, reporter)
    agreements.contents_write(
        agreement=covenant,
        contents=[{"number": 2, "title": "Giữ gìn văn hóa cồng chiêng", "lead_other": "Làng"}],
        by=reporter,
    )
    url = reverse("reports:document_create", args=["covenant"])
    # Another agency's officer cannot print it: the covenant is not among its choices.
    client.force_login(other_reporter)
    form = client.get(url, {"agreement": covenant.pk}).context["form"]
    assert covenant not in form.fields["agreement"].queryset

    client.force_login(reporter)
    form = client.get(url, {"agreement": covenant.pk}).context["form"]
    assert form["agreement"].value() == covenant.pk
    assert form["issued_on"].value() == covenant.signed_on  # the day it was signed
    response = client.post(
        url,
        {
            "agreement": covenant.pk,
            "issued_on": "20/03/2024",
            "place": "Gia Lai",
            "signer_title": "GIÁM ĐỐC",
            "signer_name": "Trần Văn An",
            "counterpart_title": "Trưởng thôn",
            "counterpart_name": "Rơ Châm Ngơl",
        },
    )
    document = IssuedDocument.objects.get()
    assert response.url == reverse("reports:document_detail", args=[document.pk])
    assert document.issuing_agency == agency and document.agency == agency
    assert document.number == "01/BB-SVHTTDL"

    _reader, pages = text_of(document)
    whole = flat(pages)
    target = covenant.assignment.target
    assert "BIÊN BẢN" in whole and f"Giao ước kết nghĩa giữa {agency}" in whole
    assert "Hôm nay, ngày 20 tháng 3 năm 2024" in whole
    assert f"Bên 1: {agency} Bên 2: {covenant.assignment.target_place(covenant.signed_on)}" in whole
    assert "Đại diện: Trưởng thôn Rơ Châm Ngơl." in whole
    assert "1 Phát triển sản xuất" in whole and "2 Giữ gìn văn hóa cồng chiêng Làng" in whole
    assert "Định kỳ 6 tháng một lần" in whole
    assert "Biên bản được lập thành 02 bản" in whole
    assert "Nơi nhận" not in whole  # the parties keep it; sent to no one
    check_report_heading(document)
    laid = layout(pdf_bytes(document))
    check_margins(laid)
    check_page_numbers(laid)
    # The target signs on the left, the issuing party on the right, each over its signer.
    left, right = signature_columns(document)
    assert f"ĐẠI DIỆN {str(target).upper()}".startswith(left.text)
    assert f"ĐẠI DIỆN {agency.name.upper()}".startswith(right.text)
    last = laid[-1]
    (target_signer,) = [run for run in last.runs if run.text == "Rơ Châm Ngơl"]
    own_signer = last.find("Trần Văn An")
    assert target_signer.x1 < own_signer.x0 and target_signer.x1 < right.x0
    assert abs(target_signer.top - own_signer.top) < 1  # on one line
    # Their last lines share the page with the signatures.
    assert any(run.text.startswith("Biên bản được lập") for run in last.runs)

    words, word = docx_text(document)
    assert "Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản." in words
    signatures = word.tables[-1]
    assert len(signatures.columns) == 2
    assert signatures.rows[0].cells[1].paragraphs[0].text.startswith("ĐẠI DIỆN")
    # The names in a row of their own, so that they stand on one line.
    assert [p.text for p in signatures.rows[1].cells[0].paragraphs if p.text] == ["Rơ Châm Ngơl"]
    assert [p.text for p in signatures.rows[1].cells[1].paragraphs if p.text] == ["Trần Văn An"]
    snapshot(document, "bien-ban-ket-nghia")


def test_a_programme_its_yearly_plan_and_the_report_of_its_review(
    client, coordinator_user, reporter, other_reporter
):
    programme = a_programme(coordinator_user, reporter, other_reporter)
    ours, theirs = agency_of(reporter), agency_of(other_reporter)
    document = issue("programme", {"agreement": programme.pk}, coordinator_user, number="")
    # Issued by the first party, in its register.
    assert document.issuing_agency == ours and document.number == "01/CTr-SVHTTDL"
    whole = flat(check_format(document, number="01/CTr-SVHTTDL"))
    assert "CHƯƠNG TRÌNH" in whole
    assert "Phối hợp thực hiện công tác dân vận giai đoạn 2024-2026" in whole
    assert "I. MỤC ĐÍCH, YÊU CẦU" in whole and "II. NỘI DUNG PHỐI HỢP" in whole
    assert "III. TỔ CHỨC THỰC HIỆN" in whole
    assert "Nội dung chung" in whole and "Nội dung cụ thể" in whole
    assert "Tuyên truyền chủ trương" in whole and "Hỗ trợ sinh kế Các bên" in whole
    # Every party signs: the others from the left, the issuing party on the right.
    columns = signature_columns(document)
    assert len(columns) == 3
    assert f"ĐẠI DIỆN {ours.name.upper()}".startswith(columns[-1].text)
    assert "Lê Thị Hoa" in whole
    snapshot(document, "chuong-trinh-phoi-hop")

    content = programme.contents.get(group="Nội dung chung", number=1)
    agreements.task_plan(
        content=content,
        year=2025,
        period="q2",
        description="Hội nghị tuyên truyền",
        by=coordinator_user,
    )
    client.force_login(coordinator_user)
    url = reverse("reports:document_create", args=["agreement_plan"])
    data = {
        "agreement": programme.pk,
        "issued_on": "05/01/2025",
        "place": "Gia Lai",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Trần Văn An",
    }
    refused = client.post(url, {**data, "year": 2030})
    assert "2030" in str(refused.context["form"].errors["year"])
    assert not IssuedDocument.objects.filter(kind="agreement_plan").exists()
    initial = client.get(url, {"agreement": programme.pk, "year": 2025}).context["form"]
    assert theirs.name in initial["recipients"].value()  # the other parties receive it
    client.post(url, {**data, "year": 2025, "recipients": initial["recipients"].value()})
    plan = IssuedDocument.objects.get(kind="agreement_plan")
    documents.render(plan)
    assert plan.number == "01/KH-SVHTTDL"  # numbers start again each year
    whole = flat(check_format(plan, number="01/KH-SVHTTDL", recipients=(f"{theirs.name};",)))
    assert "Thực hiện chương trình năm 2025" in whole
    assert "Hội nghị tuyên truyền Quý II" in whole
    assert "Chưa đề ra nhiệm vụ" in whole  # the contents without a task of the year
    assert "ngày 02 tháng 4 năm 2025 và ngày 02 tháng 10 năm 2025" in whole  # its meetings

    lines = dict.fromkeys(programme.contents.all(), (Standing.DONE, ""))
    lines[content] = (Standing.IN_PROGRESS, "Còn 2 xã chưa tổ chức")
    review = agreements.review_hold(
        agreement=programme,
        kind="interim",
        year=2025,
        held_on=dt.date(2025, 12, 20),
        remarks="Các bên phối hợp chặt chẽ.",
        lines=lines,
        by=coordinator_user,
    )
    model = ExemplaryModel.objects.create(
        name="Dân vận khéo trong phát triển cà phê",
        field="economy",
        owner="agency",
        agency=theirs,
        start_year=2024,
        description="…",
        agreement=programme,
    )
    ModelYear.objects.create(model=model, year=2025, status="effective")
    report = issue(
        "agreement_review",
        {"review": review.pk, "directions": "Nhân rộng mô hình."},
        coordinator_user,
        number="",
        issued_on=dt.date(2025, 12, 26),
    )
    whole = flat(check_format(report, number="02/BC-SVHTTDL"))  # one sequence across kinds
    assert "Sơ kết thực hiện chương trình giai đoạn 2024 – 2025" in whole
    assert "Trong 3 nội dung: đã hoàn thành 2; đang thực hiện 1; chưa triển khai 0." in whole
    assert "Còn 2 xã chưa tổ chức" in whole
    assert "Các bên đã họp 0/3 kỳ họp định kỳ đến hạn" in whole
    # Sections numbered as present: no typed limitations, so the models come third.
    assert "II. ĐÁNH GIÁ CỦA CÁC BÊN" in whole and "III. MÔ HÌNH ĐIỂN HÌNH" in whole
    assert "Dân vận khéo trong phát triển cà phê" in whole and "IV. PHƯƠNG HƯỚNG" in whole
    assert "TỒN TẠI" not in whole
    snapshot(report, "bao-cao-so-ket-chuong-trinh")


def test_a_party_officer_issues_under_their_own_agencys_number(
    client, coordinator_user, reporter, other_reporter
):
    programme = a_programme(coordinator_user, reporter, other_reporter)
    client.force_login(other_reporter)
    url = reverse("reports:document_create", args=["programme"])
    initial = client.get(url, {"agreement": programme.pk}).context["form"]
    assert initial.initial["issuer"] == agency_of(other_reporter).name
    client.post(
        url,
        {
            "agreement": programme.pk,
            "issued_on": "02/04/2024",
            "place": "Gia Lai",
            "signer_title": "GIÁM ĐỐC",
            "signer_name": "Lê Thị Hoa",
        },
    )
    document = IssuedDocument.objects.get()
    assert document.issuing_agency == agency_of(other_reporter)
    assert document.number.startswith("01/CTr-")
    # Its officers see it; the other parties' see their own agency's documents only.
    assert client.get(reverse("reports:document_detail", args=[document.pk])).status_code == 200
    client.force_login(reporter)
    assert client.get(reverse("reports:document_detail", args=[document.pk])).status_code == 404


def test_the_documents_figures_take_the_same_queries_whatever_the_agreements_size(
    coordinator_user, reporter, other_reporter, django_assert_max_num_queries
):
    small = a_programme(coordinator_user, reporter, other_reporter)
    large = a_programme(coordinator_user, reporter, other_reporter, name="Chương trình lớn")
    agreements.contents_write(
        agreement=large,
        contents=[
            {
                "group": "Nội dung cụ thể",
                "number": n,
                "title": f"Nội dung {n}",
                "lead": agency_of(reporter),
            }
            for n in range(2, 30)
        ],
        by=coordinator_user,
    )
    party = agency_of(reporter).pk
    for kind, extra in (("programme", {}), ("agreement_plan", {"year": 2025})):
        with django_assert_max_num_queries(30) as few:
            documents.compute_figures(kind, {"agreement": small.pk, "party": party, **extra})
        with django_assert_max_num_queries(len(few.captured_queries)):
            documents.compute_figures(kind, {"agreement": large.pk, "party": party, **extra})


def add_models():
    """A commended model, an effective one and one only registered, in 2024."""
    agency = Agency.objects.exclude(is_coordinating_body=True).first()
    made = {}
    for name, status, level in (
        ("Mô hình chỉ đăng ký", "registered", ""),
        ("Mô hình hiệu quả", "effective", ""),
        ("Mô hình được khen", "commended", "province"),
    ):
        model = ExemplaryModel.objects.create(
            name=name,
            field="economy",
            owner="agency",
            agency=agency,
            start_year=2023,
            description="…",
        )
        ModelYear.objects.create(
            model=model,
            year=2024,
            status=status,
            level=level,
            commendation="Bằng khen của Chủ tịch UBND tỉnh" if level else "",
        )
        made[status] = model
    return made


def test_the_consolidated_report_and_the_review_name_the_models_of_the_register(
    coordinator_user, march_deadline
):
    add_models()
    document = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    whole = flat(text_of(document)[1])
    assert (
        "Phong trào thi đua “Dân vận khéo”: 3 lượt mô hình đăng ký, 2 lượt được công nhận "
        "hiệu quả; khen thưởng 1 tập thể, 0 cá nhân." in whole
    )
    # Commended first, then effective; one only registered is not an exemplary model.
    assert whole.index("Mô hình được khen") < whole.index("Mô hình hiệu quả")
    assert "Mô hình chỉ đăng ký" not in whole
    assert "Bằng khen của Chủ tịch UBND tỉnh" in whole

    directive = Directive.objects.get(number="345/UBND-NC")
    review = issue(
        "review",
        {"directive": directive.pk, "first_year": 2024, "last_year": 2025},
        coordinator_user,
        number="16/BC-BDT",
    )
    whole = flat(text_of(review)[1])
    assert "Mô hình được khen" in whole and "Mô hình chỉ đăng ký" not in whole
    with review.xlsx.open("rb") as file:
        from openpyxl import load_workbook

        values = [
            c
            for row in load_workbook(io.BytesIO(file.read())).active.iter_rows(values_only=True)
            for c in row
            if c
        ]
    assert "Mô hình được khen" in values and "Được khen thưởng" in values


def test_a_document_frozen_before_the_register_still_renders_its_models(
    coordinator_user, march_deadline
):
    document = issue("consolidated", {"deadline": march_deadline.pk}, coordinator_user)
    figures = dict(document.figures)
    figures.pop("register_models")
    figures["models"] = [
        {"agency": "Sở Y tế", "village": "làng Dip", "total": 5_000_000, "count": 2}
    ]
    IssuedDocument.objects.filter(pk=document.pk).update(figures=figures)
    document.refresh_from_db()
    whole = flat(text_of(documents.render(document))[1])
    assert "Mô hình điển hình: Sở Y tế – làng Dip (2 hoạt động" in whole


def test_the_dashboard_counts_the_years_models(client, coordinator_user):
    add_models()
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:dashboard"), {"year": 2024})
    totals = page.context["models"]["total"]
    assert (totals["registered"], totals["effective"], totals["collectives"]) == (3, 2, 1)
    text = " ".join(page.content.decode().split())
    assert "Mô hình điển hình năm 2024" in text and "?year=2024" in text
    other_year = client.get(reverse("reports:dashboard"), {"year": 2025}).context["models"]
    assert other_year["total"]["registered"] == 0


def test_the_audit_log_shows_who_changed_agreements_and_models(client, coordinator_user, reporter):
    covenant = signed_covenant(agency_of(reporter), reporter)
    meeting = covenant.meetings.order_by("due_date").first()
    agreements.meeting_held(
        meeting=meeting, held_on=dt.date(2024, 9, 25), minutes="Đã họp", by=coordinator_user
    )
    add_models()
    client.force_login(coordinator_user)
    page = client.get(reverse("reports:audit_log"))
    entries = [(e.kind, e.record.history_user) for e in page.context["page"]]
    assert ("Giao ước kết nghĩa hoặc chương trình phối hợp", reporter) in [
        (str(label), user) for label, user in entries
    ]
    assert ("Cuộc họp", coordinator_user) in [(str(label), user) for label, user in entries]
    assert "Năm của mô hình" in [str(label) for label, _user in entries]


def test_the_agreements_pages_offer_its_documents_to_those_who_may_issue_them(
    client, reporter, viewer, superuser
):
    covenant = signed_covenant(agency_of(reporter), reporter)
    link = f"{reverse('reports:document_create', args=['covenant'])}?agreement={covenant.pk}"
    page = reverse("agreement_detail", args=[covenant.pk])
    client.force_login(reporter)
    assert link in client.get(page).content.decode()
    plan = client.get(reverse("agreement_plan", args=[covenant.pk]), {"year": 2025})
    assert (
        f"{reverse('reports:document_create', args=['agreement_plan'])}"
        f"?agreement={covenant.pk}&amp;year=2025" in plan.content.decode()
    )
    client.force_login(viewer)
    assert link not in client.get(page).content.decode()  # viewers read
    # An administrator imports its contents from Excel, the agreement chosen.
    client.force_login(superuser)
    form = client.get(
        reverse("admin:assignments_agreementcontent_import"), {"agreement": covenant.pk}
    ).context["form"]
    assert form["agreement"].value() == covenant.pk
