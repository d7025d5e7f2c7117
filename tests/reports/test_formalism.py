"""The formalism signal: the similarity measure, each flag's rule, where the flags show, and
setting one aside."""

import datetime as dt
import random
import unicodedata

import pytest
from django.urls import reverse

from assignments.models import AgencyMembership, Assignment, ReportingDeadline, User
from reports import documents, formalism
from reports.models import FlagDismissal
from tests.reports.conftest import agency_of, make_submitted_report, record_activity

D = dt.date
TODAY = D(2026, 11, 23)

# Two reports' texts of about forty words; the second is the first with three words changed.
TEXT = (
    "Trong năm, cơ quan đã phối hợp với cấp ủy, chính quyền xã khảo sát, nắm tình hình "
    "đời sống của Nhân dân; tổ chức thăm hỏi, tặng quà các hộ nghèo, gia đình chính sách "
    "nhân dịp Tết Nguyên đán; hỗ trợ giống cây trồng, hướng dẫn kỹ thuật sản xuất cho "
    "bà con trong làng."
)
TEXT_EDITED = TEXT.replace("Tết Nguyên đán", "Quốc khánh 2-9").replace("giống", "phân bón")
OTHER_TEXT = (
    "Đơn vị đã xây dựng kế hoạch riêng, cử cán bộ bám địa bàn, vận động doanh nghiệp tài "
    "trợ làm hai cây số đường bê tông và sửa chữa nhà văn hóa; mở lớp tập huấn chăn nuôi bò "
    "sinh sản cho ba mươi hộ; kết quả được xã ghi nhận trong báo cáo sơ kết."
)


# --- The measure --------------------------------------------------------------------------------


def test_identical_texts_are_100_percent_alike():
    assert formalism.similarity(TEXT, TEXT) == 100


def test_texts_with_no_word_in_common_are_0_percent_alike():
    assert formalism.similarity("một hai ba bốn", "năm sáu bảy tám") == 0
    assert formalism.similarity("", "") == 0


def test_a_known_partial_overlap():
    # Five words of ten shared on each side: 2 * 5 / 20.
    assert formalism.similarity("a b c d e f g h i j", "a b c d e v w x y z") == 50
    # Three changed words in forty-odd: still well over the threshold.
    assert 85 <= formalism.similarity(TEXT, TEXT_EDITED) < 100
    assert formalism.similarity(TEXT, OTHER_TEXT) < 30


def test_word_order_counts():
    assert formalism.similarity("một hai ba bốn", "bốn ba hai một") == 25


def test_case_spacing_punctuation_and_unicode_form_do_not_count():
    nfd = unicodedata.normalize("NFD", TEXT)
    messy = "  " + TEXT.upper().replace(" ", "  \n").replace(",", " ;") + " !"
    assert formalism.similarity(TEXT, nfd) == 100
    assert formalism.similarity(TEXT, messy) == 100


def test_vietnamese_diacritics_make_different_words():
    assert formalism.similarity("nhà", "nha") == 0
    assert formalism.similarity("Đường", "duong") == 0
    assert formalism.words("Nhà VĂN hóa") == ["nhà", "văn", "hóa"]


def test_shared_passages_are_highlighted_and_everything_else_escaped():
    ours = formalism.Text.of(
        "<b>Tặng quà</b> cho các hộ nghèo trong làng nhân dịp Tết", "Dòng 1\nx"
    )
    theirs = formalism.Text.of("Tặng quà cho các hộ nghèo trong làng vào mùa mưa")
    _percent, blocks = formalism.compare(ours.words, theirs.words)
    html = formalism.highlighted(ours, blocks)
    assert html[0] == (
        "&lt;b&gt;Tặng quà&lt;/b&gt; <mark>cho các hộ nghèo trong làng</mark> nhân dịp Tết"
    )
    assert html[1] == "Dòng 1<br>x"  # no passage of five words: nothing marked


def test_across_a_deadline_each_report_gets_its_closest_match_only():
    rng = random.Random(5)  # noqa: S311 (test data)
    vocabulary = [f"từ{n}" for n in range(3000)]
    texts = {pk: [rng.choice(vocabulary) for _ in range(120)] for pk in range(1, 201)}
    texts[201] = list(texts[7])
    texts[201][50] = "khác"  # a near copy of 7
    texts[202] = list(texts[7])  # an exact copy of 7
    texts[203] = ["ngắn"] * 5  # too short to compare
    texts[204] = ["ngắn"] * 5
    best = formalism.best_matches(texts, order=lambda pk: (pk, pk))
    assert best[202] == (7, 100) and best[7] == (202, 100)
    assert best[201] == (7, 99)
    assert set(best) == {7, 201, 202}


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert formalism.months_after(D(2025, 1, 15), 6) == D(2025, 7, 15)
    assert formalism.months_after(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert formalism.months_after(D(2025, 3, 1), -6) == D(2024, 9, 1)


# --- The flags ----------------------------------------------------------------------------------


@pytest.fixture
def november_deadline(demo):
    return ReportingDeadline.objects.get(due_date=D(2024, 11, 10), rule__reporter="agencies")


def keys(flags):
    return {flag.key for flag in flags}


@pytest.mark.django_db
def test_a_report_repeating_the_agencys_previous_one_is_flagged(
    reporter, march_deadline, november_deadline
):
    before = make_submitted_report(reporter, march_deadline, results=TEXT)
    after = make_submitted_report(reporter, november_deadline, results=TEXT_EDITED)
    (flag,) = formalism.similar_reports(year=2024)
    assert flag.key == f"report:{after.pk}:prev:{before.pk}"
    assert flag.kind == "similar_report" and flag.year == 2024 and 85 <= flag.percent < 100
    assert "Sở Văn hóa, Thể thao và Du lịch" in flag.text and "25/03/2024" in flag.text


@pytest.mark.django_db
def test_a_report_much_like_another_agencys_for_the_same_deadline_is_flagged_once(
    reporter, other_reporter, march_deadline
):
    first = make_submitted_report(other_reporter, march_deadline, results=TEXT)
    second = make_submitted_report(reporter, march_deadline, results=TEXT)
    # The later submission is the one flagged, against the earlier.
    assert keys(formalism.similar_reports(year=2024)) == {f"report:{second.pk}:other:{first.pk}"}


@pytest.mark.django_db
def test_the_lists_matching_is_remembered_until_a_version_is_submitted(
    reporter, other_reporter, march_deadline, django_assert_num_queries
):
    first = make_submitted_report(other_reporter, march_deadline, results=TEXT)
    assert formalism.similar_reports(year=2024) == []
    # Remembered: the same state of the versions reads no text again (the deadlines, the
    # reports and the versions' state: three queries).
    with django_assert_num_queries(3):
        assert formalism.similar_reports(year=2024) == []
    # A new submission changes the state: the copy is found at once.
    second = make_submitted_report(reporter, march_deadline, results=TEXT)
    assert keys(formalism.similar_reports(year=2024)) == {f"report:{second.pk}:other:{first.pk}"}


@pytest.mark.django_db
def test_different_or_short_reports_are_not_flagged(
    reporter, other_reporter, march_deadline, november_deadline
):
    make_submitted_report(other_reporter, march_deadline, results=OTHER_TEXT)
    make_submitted_report(reporter, march_deadline, results=TEXT)
    make_submitted_report(reporter, november_deadline, results="Đã tổ chức lễ kết nghĩa.")
    make_submitted_report(other_reporter, november_deadline, results="Đã tổ chức lễ kết nghĩa.")
    assert formalism.similar_reports() == []


@pytest.mark.django_db
def test_a_year_of_visits_and_gifts_only_is_flagged_until_production_support(reporter):
    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    record_activity(reporter, date=D(2024, 3, 10), kind="gifts")
    record_activity(reporter, date=D(2024, 6, 1), kind="visit", in_kind_vnd=0)
    record_activity(reporter, date=D(2025, 2, 1), kind="production")
    key = f"assignment:{assignment.pk}:year:2024"
    (flag,) = [f for f in formalism.visits_only(today=TODAY) if f.key == key]
    assert flag.year == 2024 and "2024" in flag.text and "(2 lượt)" in flag.text
    assert f"assignment:{assignment.pk}:year:2025" not in keys(formalism.visits_only(today=TODAY))
    record_activity(reporter, date=D(2024, 9, 1), kind="construction", in_kind_vnd=0)
    assert key not in keys(formalism.visits_only(today=TODAY))


@pytest.fixture
def ceremony(reporter):
    """The reporter's twinning, its ceremony held on 15/01/2025."""
    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    Assignment.objects.filter(pk=assignment.pk).update(ceremony_date=D(2025, 1, 15))
    return assignment


@pytest.mark.django_db
def test_a_ceremony_with_nothing_in_the_six_months_after_is_flagged(reporter, ceremony):
    key = f"assignment:{ceremony.pk}:ceremony"
    # Too early to tell on 14/07/2025; flagged from 15/07/2025.
    assert key not in keys(formalism.ceremony_only(today=D(2025, 7, 14)))
    (flag,) = [f for f in formalism.ceremony_only(today=D(2025, 7, 15)) if f.key == key]
    assert flag.year == 2025 and "15/01/2025" in flag.text
    # An activity after the six months does not clear it; the text says when it came.
    record_activity(reporter, date=D(2025, 9, 1), kind="visit")
    (flag,) = [f for f in formalism.ceremony_only(today=TODAY) if f.key == key]
    assert "15/07/2025" in flag.text and "01/09/2025" in flag.text
    # One within the six months does.
    record_activity(reporter, date=D(2025, 5, 1), kind="gifts")
    assert key not in keys(formalism.ceremony_only(today=TODAY))


@pytest.mark.django_db
def test_a_ceremony_recorded_only_as_an_activity_counts(reporter):
    assignment = Assignment.objects.filter(agency=agency_of(reporter)).first()
    Assignment.objects.filter(pk=assignment.pk).update(ceremony_date=None, status="assigned")
    record_activity(reporter, date=D(2024, 4, 2), kind="ceremony", in_kind_vnd=0)
    Assignment.objects.filter(pk=assignment.pk).update(ceremony_date=None, status="assigned")
    found = {f.key: f for f in formalism.ceremony_only(today=TODAY)}
    assert "02/04/2024" in found[f"assignment:{assignment.pk}:ceremony"].text


# --- Setting a flag aside -----------------------------------------------------------------------


@pytest.fixture
def copied(reporter, other_reporter, march_deadline):
    first = make_submitted_report(other_reporter, march_deadline, results=TEXT)
    second = make_submitted_report(reporter, march_deadline, results=TEXT_EDITED)
    return {"first": first, "second": second, "key": f"report:{second.pk}:other:{first.pk}"}


def dismiss(client, key, note="Hai đơn vị cùng tổ chức một đợt hỗ trợ, báo cáo chung."):
    return client.post(
        reverse("reports:flag_dismiss"),
        {"kind": "similar_report", "key": key, "note": note, "next": reverse("reports:flag_list")},
        follow=True,
    )


@pytest.mark.django_db
def test_the_coordinator_sets_a_flag_aside_with_a_note(client, coordinator_user, copied):
    client.force_login(coordinator_user)
    response = dismiss(client, copied["key"])
    dismissal = FlagDismissal.objects.get()
    assert (dismissal.key, dismissal.dismissed_by) == (copied["key"], coordinator_user)
    assert copied["key"] not in keys(formalism.flags(year=2024))
    assert copied["key"] not in keys(response.context["page"])
    shown = client.get(reverse("reports:flag_list"), {"dismissed": "on", "kind": "similar_report"})
    body = shown.content.decode()
    assert "Hai đơn vị cùng tổ chức một đợt hỗ trợ" in body
    assert coordinator_user.get_full_name() in body
    # The review page still tells it, with the note.
    page = client.get(reverse("reports:report_detail", args=[copied["second"].pk])).content
    assert "Hai đơn vị cùng tổ chức một đợt hỗ trợ" in page.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key, note",
    [
        ("copied", "   "),  # a note is required
        ("report:999999:other:1", "Ghi chú"),  # no such flag
        ("assignment:1:ceremony'; --", "Ghi chú"),  # not a key
        ("x" * 300, "Ghi chú"),  # too long
    ],
)
def test_a_flag_is_not_set_aside_without_a_note_or_a_real_flag(
    client, coordinator_user, copied, key, note
):
    client.force_login(coordinator_user)
    response = dismiss(client, copied["key"] if key == "copied" else key, note=note)
    assert response.status_code == 200
    assert response.context["messages"] and FlagDismissal.objects.count() == 0


@pytest.mark.django_db
def test_a_flag_is_set_aside_once(client, coordinator_user, copied):
    client.force_login(coordinator_user)
    dismiss(client, copied["key"])
    dismiss(client, copied["key"], note="Lần hai")
    assert FlagDismissal.objects.get().note != "Lần hai"


@pytest.mark.django_db
def test_viewers_read_the_flags_but_set_none_aside(client, viewer, copied):
    client.force_login(viewer)
    body = client.get(reverse("reports:flag_list")).content.decode()
    assert "Sở Văn hóa, Thể thao và Du lịch" in body and "flag_dismiss" not in body
    assert reverse("reports:flag_dismiss") not in body
    assert dismiss(client, copied["key"]).status_code == 403
    assert FlagDismissal.objects.count() == 0


@pytest.mark.django_db
def test_reporters_see_no_flag(client, reporter, copied):
    client.force_login(reporter)
    assert client.get(reverse("reports:flag_list")).status_code == 403
    assert dismiss(client, copied["key"]).status_code == 403
    page = client.get(reverse("reports:report_detail", args=[copied["second"].pk]))
    assert page.status_code == 200 and "<mark>" not in page.content.decode()
    assert page.context["flags"] == []


@pytest.mark.django_db
def test_the_review_page_shows_the_percentage_the_other_report_and_the_shared_passages(
    client, coordinator_user, reporter, other_reporter, march_deadline
):
    first = make_submitted_report(other_reporter, march_deadline, results=TEXT)
    second = make_submitted_report(reporter, march_deadline, results="<script>x</script> " + TEXT)
    client.force_login(coordinator_user)
    body = client.get(reverse("reports:report_detail", args=[second.pk])).content.decode()
    (flag,) = formalism.report_flags(second)
    assert f"{flag.percent}%" in body
    assert reverse("reports:report_detail", args=[first.pk]) in body
    assert "<mark>Trong năm, cơ quan đã phối hợp" in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x" not in body
    # The earlier report's page shows the same pair, from its side.
    other = client.get(reverse("reports:report_detail", args=[first.pk])).content.decode()
    assert reverse("reports:report_detail", args=[second.pk]) in other and "<mark>" in other


# --- Dashboard and consolidated report ----------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_counts_the_years_flags_and_links_to_the_list(
    client, coordinator_user, copied
):
    client.force_login(coordinator_user)
    response = client.get(reverse("reports:dashboard"), {"year": 2024})
    panel = response.context["formalism"]
    assert ("similar_report", 1) in [(kind, count) for kind, _label, count in panel["counts"]]
    assert reverse("reports:flag_list") + "?year=2024" in response.content.decode()


@pytest.mark.django_db
def test_the_list_filters_by_kind_and_year(client, coordinator_user, copied, reporter):
    record_activity(reporter, date=D(2024, 3, 10), kind="gifts")
    client.force_login(coordinator_user)

    def listed(**query):
        return {f.kind for f in client.get(reverse("reports:flag_list"), query).context["page"]}

    assert {"similar_report", "visits_only"} <= listed(year=2024)
    assert listed(year=2024, kind="visits_only") == {"visits_only"}
    assert listed(year=2023) == set()
    # A filter in error is left out (and said), never a server error.
    response = client.get(reverse("reports:flag_list"), {"year": "hai nghìn", "kind": "x"})
    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.django_db
def test_the_consolidated_report_lists_the_flags_not_set_aside(
    coordinator_user, copied, march_deadline
):
    figures = documents.consolidated_figures(march_deadline)
    assert figures["formalism"]["similar"] == 1
    assert "shortcomings" in [name for _numeral, name, _title in figures["sections"]]
    FlagDismissal.objects.create(
        kind="similar_report", key=copied["key"], note="Đã làm rõ", dismissed_by=coordinator_user
    )
    figures = documents.consolidated_figures(march_deadline)
    assert not figures["formalism"].get("similar")


@pytest.mark.django_db
def test_the_consolidated_template_says_the_flags_and_older_figures_still_render(
    coordinator_user, copied, march_deadline
):
    from django.template.loader import render_to_string

    figures = documents.consolidated_figures(march_deadline)
    document = documents.IssuedDocument(
        kind="consolidated", issuer="Ban Dân tộc tỉnh", issued_on=D(2024, 3, 30), figures=figures
    )
    html = render_to_string("pdf/consolidated.html", documents.context_of(document))
    assert "mang tính hình thức: 1 báo cáo có nội dung trùng lặp" in " ".join(html.split())
    assert "Sở Văn hóa, Thể thao và Du lịch: trùng" in html
    # A document issued before the flags existed has no such key, and prints no such text.
    document.figures = {k: v for k, v in figures.items() if k != "formalism"}
    html = render_to_string("pdf/consolidated.html", documents.context_of(document))
    assert "hình thức" not in html


# --- Queries --------------------------------------------------------------------------------------


def grow(reporter, other_reporter, deadlines, n):
    """``n`` pairs of copied reports and years of visits only."""
    for index, deadline in enumerate(deadlines[:n]):
        make_submitted_report(reporter, deadline, results=TEXT)
        make_submitted_report(other_reporter, deadline, results=TEXT_EDITED)
        record_activity(reporter, date=D(2024, 3, 1 + index), kind="gifts")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["reports:flag_list", "reports:dashboard"])
def test_flag_pages_queries_do_not_grow_with_the_flags(
    client, coordinator_user, reporter, other_reporter, page, django_assert_max_num_queries
):
    deadlines = list(
        ReportingDeadline.objects.filter(rule__reporter="agencies", rule__kind="report").order_by(
            "due_date"
        )
    )
    grow(reporter, other_reporter, deadlines, 1)
    client.force_login(coordinator_user)
    with django_assert_max_num_queries(60) as small:
        assert client.get(reverse(page), {"year": 2024}).status_code == 200
    grow(reporter, other_reporter, deadlines[1:], 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(page), {"year": 2024})
    if page == "reports:flag_list":
        assert response.context["page"].paginator.count >= 4


@pytest.mark.django_db
def test_the_review_page_queries_do_not_grow_with_the_reports_of_the_deadline(
    client,
    coordinator_user,
    reporter,
    other_reporter,
    march_deadline,
    django_assert_max_num_queries,
):
    second = make_submitted_report(reporter, march_deadline, results=TEXT)
    make_submitted_report(other_reporter, march_deadline, results=TEXT_EDITED)
    client.force_login(coordinator_user)
    url = reverse("reports:report_detail", args=[second.pk])
    with django_assert_max_num_queries(60) as small:
        client.get(url)

    for agency in march_deadline.expected_agencies().exclude(reports__isnull=False)[:4]:
        user = User.objects.create_user(username=f"officer{agency.pk}", role="reporter")
        AgencyMembership.objects.create(user=user, agency=agency)
        make_submitted_report(user, march_deadline, results=TEXT_EDITED)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
