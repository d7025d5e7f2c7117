"""The demo's story: Gia Lai's twinning from 2024 to today, told through the same services
the users call.

The fixture holds the world of early 2024 (the 13-CT/TU regime, the UBND letter and its
list). This module then lives through what followed, each event on its own date: the 2024
ceremonies, activities and reports (on time, late, returned and resubmitted, extended,
missing); the 2025 restructuring (departments merged and split, Ban Dân tộc becoming Sở Dân
tộc và Tôn giáo, the Party's Ban Dân vận and Ban Tuyên giáo merged, districts abolished,
communes merged, two provinces merged); Chỉ thị 03-CT/TU and Kế hoạch 43/KH-UBND replacing
the old regime, with the new parties and targets the press reported; the 2025-2026 activities
and reports; and village figures for 2023-2026.

Facts come from Báo Gia Lai (2024-2026) as DOMAIN.md summarises them; every other name,
date, number and figure is illustrative and says so in its note. Events dated after today are
not played. The story runs once: its mark is the Kế hoạch 43/KH-UBND it creates.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assignments import agreements as agreement_services
from assignments import restructuring
from assignments import services as assignment_services
from assignments.models import (
    AdministrativeUnit,
    Agency,
    AgencyMembership,
    Assignment,
    Directive,
    ExemplaryModel,
    ModelYear,
    ReportingDeadline,
    ReportingRule,
    User,
    Village,
    VillageYearFigures,
    Wish,
)

from . import services
from .models import Extension, Report, ReportVersion, ReviewEvent

D = dt.date
ILLUSTRATIVE = "Dữ liệu minh họa: không nêu trong các văn bản nguồn."
MARK = "43/KH-UBND"
TZ = timezone.get_fixed_timezone(7 * 60)
COORDINATOR = "dieuphoi"


def scan_pdf():
    """A small real PDF standing in for the signed scan of a report."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


@dataclass
class Story:
    today: dt.date
    coordinator: User
    rng: random.Random

    def at(self, date, hour=9, minute=0):
        return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=TZ)

    def happened(self, date):
        return date <= self.today


def agency(name):
    return Agency.objects.get(name=name)


def village(name, commune=None):
    villages = Village.objects.filter(name=name)
    if commune:
        villages = villages.filter(locations__commune__name=commune)
    return villages.distinct().get()


# Names agencies go by in the lists offices send, as an import's preview remembers them.
ALIASES = [
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
]


def remembered_aliases():
    """Two other names remembered for the demo's agencies (illustrative)."""
    from assignments.models import AgencyAlias
    from assignments.text import fold

    for alias, name in ALIASES:
        found = Agency.objects.filter(name=name).first()
        if found and not AgencyAlias.objects.filter(key=fold(alias)).exists():
            AgencyAlias.objects.create(agency=found, alias=alias)


def focal_officer(party):
    """The party's reporter: a demo account where README lists one, else a named officer who
    cannot log in (the author of its reports)."""
    member = (
        AgencyMembership.objects.filter(agency=party, user__role=User.Role.REPORTER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if member:
        return member.user
    username = f"daumoi-{party.pk}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": User.Role.REPORTER,
            "first_name": "Cán bộ đầu mối",
            "last_name": party.short_name or party.name[:40],
            "email": f"{username}@example.invalid",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    AgencyMembership.objects.get_or_create(user=user, agency=party)
    return user


# --- Activities --------------------------------------------------------------------------------


def activity(story, assignment, date, kind, description, **support):
    """Record an activity with its structured support, on its date."""
    if not story.happened(date) or not assignment.is_in_force(date):
        return None
    return services.activity_record(
        assignment=assignment,
        by=focal_officer(assignment.agency),
        date=date,
        kind=kind,
        description=description,
        **support,
    )


def gifts(parcels, value_each, item="phần quà (gạo, nhu yếu phẩm)", kg_each=10):
    return [
        {
            "item": item,
            "quantity": Decimal(parcels),
            "unit": "phần",
            "weight_kg": Decimal(parcels * kg_each) if kg_each else None,
            "value_vnd": parcels * value_each,
        }
    ]


def works(kind, quantity, unit, value, description=""):
    return [
        {
            "kind": kind,
            "quantity": Decimal(str(quantity)),
            "unit": unit,
            "value_vnd": value,
            "description": description,
        }
    ]


def running(party, target):
    return (
        Assignment.objects.filter(agency=party)
        .filter(village=target)
        .order_by("-start_date")
        .first()
    )


# --- Reports -----------------------------------------------------------------------------------


def _date_submission(report, when):
    version = report.versions.order_by("-number").first()
    ReportVersion.objects.filter(pk=version.pk).update(submitted_at=when)
    ReviewEvent.objects.filter(version=version, action="submit").update(at=when)
    if report.versions.count() == 1:
        Report.objects.filter(pk=report.pk).update(first_submitted_at=when)


def submit(story, party, deadline, when, results=None, planned=None, **texts):
    """The party's focal officer writes, attaches the scan and submits on ``when`` (a
    report's results, or a plan's texts and ``planned`` activities)."""
    if not story.happened(when.date()):
        return None
    user = focal_officer(party)
    report = services.report_for(deadline=deadline, agency=party)
    fields = {"results": results, **texts} if results is not None else texts
    scan = ContentFile(scan_pdf(), name=f"bao-cao-{party.pk}-{deadline.pk}.pdf")
    services.report_save(report=report, by=user, fields=fields, scan=scan, planned=planned)
    report = services.report_submit(report=report, by=user)
    _date_submission(report, when)
    return report


PLAN_TEXTS = {
    "objectives": "Duy trì, nâng cao hiệu quả hoạt động kết nghĩa; hỗ trợ Nhân dân phát triển sản "
    "xuất, giảm nghèo bền vững; nắm tình hình, tâm tư, nguyện vọng của người dân (minh họa).",
    "resources": "Kinh phí từ ngân sách của cơ quan và vận động cán bộ, công chức, doanh nghiệp "
    "hỗ trợ (minh họa).",
    "organisation": "Văn phòng cơ quan chủ trì, phối hợp với cấp ủy, chính quyền xã tổ chức "
    "thực hiện; báo cáo kết quả trước ngày 10-11 (minh họa).",
}


def planned_activities(held):
    """A year's plan of a party (illustrative): gifts at Tết, production support at its first
    twinning, a visit, a work; some of them the demo's activities carry out."""
    first = held[0] if held else None
    return [
        {
            "period": "q1",
            "assignment": None,
            "kind": "gifts",
            "description": "Thăm, chúc Tết, tặng quà hộ nghèo, gia đình chính sách",
            "budget_vnd": 10_000_000,
        },
        {
            "period": "q2",
            "assignment": first,
            "kind": "production",
            "description": "Hỗ trợ giống cây trồng, vật nuôi cho hộ nghèo",
            "budget_vnd": 30_000_000,
        },
        {
            "period": "m7",
            "assignment": first,
            "kind": "visit",
            "description": "Gặp gỡ, nắm tình hình đời sống, tâm tư, nguyện vọng của người dân",
            "budget_vnd": 0,
        },
        {
            "period": "q4",
            "assignment": first,
            "kind": "construction",
            "description": "Hỗ trợ xây dựng công trình nước sạch",
            "budget_vnd": 100_000_000,
        },
    ]


def plan_round(story, directive, due, parties, *, missing=(), returned=()):
    """The parties' plans for the year after ``due`` (illustrative)."""
    deadline = ReportingDeadline.objects.get(
        rule__directive=directive, rule__kind="plan", due_date=due
    )
    expected = set(deadline.expected_agencies().values_list("pk", flat=True))
    for index, party in enumerate(parties):
        if party.pk not in expected or party.name in missing:
            continue
        held = list(
            Assignment.objects.filter(directive=directive, agency=party)
            .in_force_on(due)
            .order_by("pk")
        )
        when = story.at(due - dt.timedelta(days=2 + index % 8), 9)
        planned = planned_activities(held)
        report = submit(story, party, deadline, when, planned=planned, **PLAN_TEXTS)
        if report is None:
            continue
        if party.name in returned:
            review(
                story,
                report,
                when + dt.timedelta(days=3),
                accept=False,
                reason="Đề nghị ghi rõ kinh phí dự kiến của từng hoạt động (minh họa).",
            )
        else:
            review(story, report, when + dt.timedelta(days=4))


def review(story, report, when, *, accept=True, reason=""):
    if report is None or not story.happened(when.date()):
        return report
    if accept:
        report = services.report_accept(report=report, by=story.coordinator)
    else:
        report = services.report_return(report=report, by=story.coordinator, reason=reason)
    event = ReviewEvent.objects.filter(report=report).order_by("-pk").first()
    ReviewEvent.objects.filter(pk=event.pk).update(at=when)
    return report


def deadline_of(directive, due):
    return ReportingDeadline.objects.get(
        rule__directive=directive, rule__reporter=ReportingRule.Reporter.AGENCIES, due_date=due
    )


RESULTS = [
    "Đã phối hợp với cấp ủy, chính quyền xã khảo sát, nắm tình hình; tổ chức thăm hỏi, tặng "
    "quà các hộ nghèo, gia đình chính sách; hỗ trợ giống, hướng dẫn kỹ thuật sản xuất.",
    "Duy trì sinh hoạt kết nghĩa định kỳ; hỗ trợ sửa chữa nhà văn hóa, tặng sách vở cho học "
    "sinh; tuyên truyền, vận động Nhân dân thực hiện chủ trương của Đảng, chính sách, pháp "
    "luật của Nhà nước.",
    "Phối hợp với chính quyền địa phương hỗ trợ làm đường bê tông nội làng, trao nhà Đại "
    "đoàn kết; nắm bắt tâm tư, nguyện vọng của người dân và phản ánh với cấp có thẩm quyền.",
]
SHORTCOMINGS = "Nguồn lực hỗ trợ còn hạn chế; một số hoạt động chưa thường xuyên."
DIRECTIONS = "Tiếp tục duy trì các hoạt động kết nghĩa, ưu tiên hỗ trợ sinh kế, xóa nghèo bền vững."


def report_round(
    story, directive, due, parties, *, late=(), missing=(), returned=(), extended=(), awaiting=()
):
    """Every expected party reports for the deadline ``due`` (illustrative standings)."""
    deadline = deadline_of(directive, due)
    expected = set(deadline.expected_agencies().values_list("pk", flat=True))
    for index, party in enumerate(parties):
        if party.pk not in expected or party.name in missing:
            continue
        results = RESULTS[index % len(RESULTS)]
        if party.name in extended:
            requester = focal_officer(party)
            asked = due + dt.timedelta(days=20)
            if not story.happened(due - dt.timedelta(days=5)):
                continue
            extension = services.extension_request(
                deadline=deadline,
                agency=party,
                by=requester,
                reason="Chờ tổng hợp số liệu từ các thôn, làng (minh họa).",
                requested_date=asked,
            )
            if story.happened(due - dt.timedelta(days=3)):
                services.extension_grant(
                    extension=extension,
                    by=story.coordinator,
                    granted_date=asked,
                    note="Đồng ý gia hạn (minh họa).",
                )
                Extension.objects.filter(pk=extension.pk).update(
                    decided_at=story.at(due - dt.timedelta(days=3))
                )
            report = submit(
                story, party, deadline, story.at(due + dt.timedelta(days=15), 15), results
            )
            review(story, report, story.at(due + dt.timedelta(days=18)))
            continue
        if party.name in late:
            when = story.at(due + dt.timedelta(days=4 + index % 9), 10)
        else:
            when = story.at(due - dt.timedelta(days=1 + index % 6), 14, 30)
        report = submit(
            story,
            party,
            deadline,
            when,
            results,
            shortcomings=SHORTCOMINGS,
            directions=DIRECTIONS,
        )
        if party.name in awaiting and report is not None:
            review(
                story,
                report,
                when + dt.timedelta(days=2),
                accept=False,
                reason="Đề nghị bổ sung kết quả hỗ trợ sản xuất và số hộ thoát nghèo trong năm.",
            )
            continue
        if party.name in returned and report is not None:
            review(
                story,
                report,
                when + dt.timedelta(days=2),
                accept=False,
                reason="Đề nghị bổ sung số liệu hỗ trợ (tiền mặt, hiện vật) và số hộ được hỗ trợ.",
            )
            resubmitted = when + dt.timedelta(days=5)
            if story.happened(resubmitted.date()):
                services.report_save(
                    report=report,
                    by=focal_officer(party),
                    fields={"results": results + " Bổ sung số liệu theo đề nghị."},
                )
                report = services.report_submit(report=report, by=focal_officer(party))
                _date_submission(report, resubmitted)
                review(story, report, resubmitted + dt.timedelta(days=2))
            continue
        if report is not None and (due.year < story.today.year or index % 3):
            review(story, report, when + dt.timedelta(days=3))


# --- The story -----------------------------------------------------------------------------------


@transaction.atomic
def play(today=None):
    """Play the story once; return False when it has already been played."""
    if Directive.objects.filter(number=MARK).exists():
        return False
    today = today or timezone.localdate()
    story = Story(today, User.objects.get(username=COORDINATOR), random.Random(2024))
    letter = Directive.objects.get(number="345/UBND-NC")
    parties_2024 = list(
        Agency.objects.filter(pk__in=letter.assignments.values("agency")).order_by("name_key")
    )
    year_2024(story, letter, parties_2024)
    restructuring_2025(story)
    plan = regime_2025(story, letter)
    year_2025_2026(story, plan)
    dak_doa = agreements_of_the_seeds(story, plan)
    models_register(story, dak_doa)
    villagers_wishes(story)
    village_figures(story)
    issued_documents(story, letter, plan)
    return True


def year_2024(story, letter, parties):
    # Ceremonies not yet held in the list: most in March 2024, one late in April.
    late_ceremonies = {
        "Sở Tài chính": D(2024, 3, 12),
        "Sở Giao thông vận tải": D(2024, 3, 14),
        "Sở Thông tin và Truyền thông": D(2024, 3, 20),
        "Sở Giáo dục và Đào tạo": D(2024, 4, 16),
    }
    for name, date in late_ceremonies.items():
        assignment = letter.assignments.filter(agency__name=name, role="lead").first()
        if assignment and assignment.status == "assigned":
            activity(
                story,
                assignment,
                date,
                "ceremony",
                f"Lễ kết nghĩa tại nhà văn hóa {assignment.target} (ngày, nơi là minh họa).",
            )
    vhttdl = agency("Sở Văn hóa, Thể thao và Du lịch")
    dip = running(vhttdl, village("Dip"))
    activity(
        story,
        dip,
        D(2024, 4, 20),
        "gifts",
        "Tặng sách, trang phục và bộ cồng chiêng cho đội văn nghệ làng Dip (minh họa).",
        cash_budget_vnd=5_000_000,
        goods=[
            {
                "item": "bộ cồng chiêng",
                "quantity": Decimal(1),
                "unit": "bộ",
                "weight_kg": None,
                "value_vnd": 45_000_000,
            },
            {
                "item": "cuốn sách, truyện thiếu nhi",
                "quantity": Decimal(200),
                "unit": "cuốn",
                "weight_kg": None,
                "value_vnd": 6_000_000,
            },
        ],
        beneficiary_pupils=120,
    )
    activity(
        story,
        dip,
        D(2024, 8, 15),
        "construction",
        "Hỗ trợ sửa chữa nhà rông văn hóa làng Dip (minh họa).",
        cash_staff_vnd=8_000_000,
        works=works("culture_house", 1, "công trình", 80_000_000, "Sửa mái, nền nhà rông"),
    )
    # Typical 2024 support by the other parties (illustrative).
    catalogue = [
        ("visit", "Thăm hỏi, nắm tình hình đời sống, tâm tư của người dân", {}),
        (
            "gifts",
            "Tặng quà hộ nghèo, gia đình chính sách",
            {
                "goods": gifts(30, 400_000),
                "beneficiary_poor_households": 25,
                "beneficiary_policy_families": 5,
                "cash_budget_vnd": 3_000_000,
            },
        ),
        (
            "production",
            "Hỗ trợ giống cà phê, phân bón và hướng dẫn kỹ thuật chăm sóc",
            {"cash_budget_vnd": 20_000_000, "beneficiary_poor_households": 15},
        ),
        (
            "construction",
            "Hỗ trợ làm đường bê tông nội làng",
            {
                "cash_donors_vnd": 50_000_000,
                "works": works("road", "0.8", "km", 400_000_000, "Đường bê tông nội làng"),
            },
        ),
        ("propaganda", "Tuyên truyền chính sách, pháp luật, phòng chống tảo hôn", {}),
    ]
    for index, party in enumerate(parties):
        assignment = letter.assignments.filter(agency=party).order_by("pk").first()
        if assignment is None or party == vhttdl:
            continue
        for step in range(1 + index % 3):
            kind, text, support = catalogue[(index + step) % len(catalogue)]
            date = D(2024, 5 + (index + 2 * step) % 6, 3 + index % 20)
            activity(
                story, assignment, date, kind, f"{text} ({ILLUSTRATIVE.lower()[:-1]}).", **support
            )
    finance = agency("Sở Tài chính")
    activity(
        story,
        running(finance, village("Ia Ptău")) or letter.assignments.filter(agency=finance).first(),
        D(2024, 10, 8),
        "construction",
        "Trao 3 nhà Đại đoàn kết cho hộ nghèo, tổng trị giá 300 triệu đồng (minh họa).",
        cash_staff_vnd=30_000_000,
        works=works("great_unity_house", 3, "căn", 300_000_000),
        beneficiary_poor_households=3,
    )
    report_round(
        story,
        letter,
        D(2024, 3, 25),
        parties,
        late=("Sở Tư pháp", "Sở Ngoại vụ", "Thanh tra tỉnh"),
        missing=("Ban Quản lý Khu kinh tế tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
        returned=("Sở Công Thương",),
        extended=("Sở Lao động - Thương binh và Xã hội",),
    )
    report_round(
        story,
        letter,
        D(2024, 11, 10),
        parties,
        late=("Sở Xây dựng", "Đài Phát thanh - Truyền hình tỉnh"),
        missing=("Ban Quản lý Khu kinh tế tỉnh",),
        returned=("Sở Y tế",),
        extended=("Sở Giáo dục và Đào tạo",),
    )
    # Tết 2025 visits, before the restructuring.
    for index, party in enumerate(parties[:10]):
        assignment = letter.assignments.filter(agency=party).order_by("pk").first()
        if assignment is not None:
            activity(
                story,
                assignment,
                D(2025, 1, 15 + index),
                "gifts",
                f"Thăm, chúc Tết Ất Tỵ 2025, tặng quà hộ nghèo ({ILLUSTRATIVE.lower()[:-1]}).",
                goods=gifts(20 + index, 350_000),
                cash_staff_vnd=2_000_000,
                beneficiary_poor_households=20 + index,
            )


ORDER_2025 = "Quyết định thành lập, sắp xếp các sở, ngành của UBND tỉnh Gia Lai (số, ngày minh họa)"


def restructuring_2025(story):
    by = story.coordinator
    march = D(2025, 3, 1)
    if not story.happened(march):
        return
    new = restructuring.NewAgency
    restructuring.agency_merge(
        agencies=[
            agency("Sở Nông nghiệp và Phát triển nông thôn"),
            agency("Sở Tài nguyên và Môi trường"),
        ],
        successor=new(
            name="Sở Nông nghiệp và Môi trường",
            short_name="SNNMT",
            kind="government",
            level="province",
        ),
        date=march,
        by=by,
        document_reference=ORDER_2025,
        note="Hợp nhất theo sắp xếp bộ máy năm 2025; ngày hiệu lực là minh họa.",
    )
    restructuring.agency_merge(
        agencies=[agency("Sở Giao thông vận tải")],
        successor=agency("Sở Xây dựng"),
        date=march,
        by=by,
        document_reference=ORDER_2025,
    )
    restructuring.agency_merge(
        agencies=[agency("Sở Thông tin và Truyền thông")],
        successor=agency("Sở Khoa học và Công nghệ"),
        date=march,
        by=by,
        document_reference=ORDER_2025,
    )
    restructuring.agency_merge(
        agencies=[agency("Sở Kế hoạch và Đầu tư")],
        successor=agency("Sở Tài chính"),
        date=march,
        by=by,
        document_reference=ORDER_2025,
    )
    labour = agency("Sở Lao động - Thương binh và Xã hội")
    interior, health = agency("Sở Nội vụ"), agency("Sở Y tế")
    held = restructuring._concerned(labour.assignments.all(), march)
    restructuring.agency_split(
        agency=labour,
        successors=[interior, health],
        allocation={a.pk: (0 if a.role == "lead" else 1) for a in held},
        members_to=0,
        date=march,
        by=by,
        document_reference=ORDER_2025,
        note="Phần lớn nhiệm vụ chuyển về Sở Nội vụ; bảo trợ xã hội chuyển về Sở Y tế.",
    )
    restructuring.agency_merge(
        agencies=[agency("Ban Dân tộc tỉnh")],
        successor=new(
            name="Sở Dân tộc và Tôn giáo", short_name="SDTTG", kind="government", level="province"
        ),
        date=march,
        by=by,
        document_reference=ORDER_2025,
        note="Ban Dân tộc tỉnh tiếp nhận thêm chức năng quản lý nhà nước về tôn giáo.",
    )
    restructuring.agency_merge(
        agencies=[agency("Ban Dân vận Tỉnh ủy"), agency("Ban Tuyên giáo Tỉnh ủy")],
        successor=new(
            name="Ban Tuyên giáo và Dân vận Tỉnh ủy",
            short_name="BTGDVTU",
            kind="party",
            level="province",
        ),
        date=march,
        by=by,
        document_reference="Quyết định của Ban Chấp hành Đảng bộ tỉnh (số, ngày minh họa)",
    )
    unit_mergers(story)


NEW_COMMUNES = [
    # (new name, unit type, old communes): Lơ Pang, Ia Dơk and Kông Bơ La are named by the
    # press; the others are illustrative.
    ("Ia Khươl", "xa", ["Ia Kreng", "Hà Tây", "Ia Mơ Nông"]),
    ("Chư Păh", "xa", ["Ia Ka", "Nghĩa Hưng"]),
    ("Đak Đoa", "xa", ["Hà Bầu", "A Dơk", "Glar"]),
    ("Lơ Pang", "xa", ["Kon Thụp", "Lơ Pang", "Đê Ar"]),
    ("Ia O", "xa", ["Ia O", "Ia Chía"]),
    ("Ia Púch", "xa", ["Ia Púch"]),
    ("Kông Chro", "xa", ["Đăk Song"]),
    ("Kông Bơ La", "xa", ["Kông Bơ La", "Krong"]),
    ("Chư Gu", "xa", ["Chư Gu"]),
    ("Ia Dơk", "xa", ["Ia Dom", "Ia Dơk"]),
    ("An Phú", "phuong", ["Chư Á"]),
]
RESOLUTION = "Nghị quyết số 1664/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã của tỉnh Gia Lai"


def unit_mergers(story):
    by, july = story.coordinator, D(2025, 7, 1)
    if not story.happened(july):
        return
    province = AdministrativeUnit.objects.get(code="52", code_list="gso_2025")
    old_gia_lai = AdministrativeUnit.objects.get(code="64", code_list="gso_2004")
    for name, unit_type, old_names in NEW_COMMUNES:
        olds = list(
            AdministrativeUnit.objects.filter(
                level="commune", name__in=old_names, parent__parent=old_gia_lai
            )
        )
        restructuring.unit_merge(
            units=olds,
            successor=restructuring.NewUnit(name=name, unit_type=unit_type, parent=province),
            date=july,
            by=by,
            document_reference=RESOLUTION,
            note=ILLUSTRATIVE if name not in ("Lơ Pang", "Ia Dơk", "Kông Bơ La") else "",
        )
    # District offices ended with their districts (their twinning ended on 30/06/2025).
    for party in Agency.objects.filter(level="district", valid_to__isnull=True):
        if not party.assignments.filter(end_date__isnull=True).exists():
            party.valid_to = D(2025, 6, 30)
            assignment_services.save_checked(party, by, "Cấp huyện kết thúc hoạt động")
    restructuring.unit_merge(
        units=[old_gia_lai, AdministrativeUnit.objects.get(code="52", code_list="gso_2004")],
        successor=province,
        date=july,
        by=by,
        document_reference="Nghị quyết số 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh",
    )


def regime_2025(story, letter):
    """03-CT/TU and 43/KH-UBND replace the 13-CT/TU regime; most pairs continue."""
    directive = Directive.objects.create(
        kind="chi_thi",
        number="03-CT/TU",
        issuing_body="Ban Thường vụ Tỉnh ủy Gia Lai",
        issued_on=D(2025, 8, 7),
        title="Về tăng cường hoạt động kết nghĩa giữa các địa phương, đơn vị với thôn, làng "
        "vùng đồng bào dân tộc thiểu số",
        note="Báo Gia Lai (2025).",
    )
    plan = Directive.objects.create(
        kind="ke_hoach",
        number=MARK,
        issuing_body="UBND tỉnh Gia Lai",
        issued_on=D(2025, 8, 22),
        title="Thực hiện Chỉ thị số 03-CT/TU ngày 07/8/2025 của Ban Thường vụ Tỉnh ủy về tăng "
        "cường hoạt động kết nghĩa giữa các địa phương, đơn vị với thôn, làng vùng đồng bào dân "
        "tộc thiểu số",
        period_from_year=2025,
        period_to_year=2030,
        implements=directive,
        note="Báo Gia Lai (2025). Các hạn báo cáo và giai đoạn là minh họa.",
    )
    recipients = "UBND tỉnh (qua Sở Dân tộc và Tôn giáo)\nBan Tuyên giáo và Dân vận Tỉnh ủy"
    rules = [
        ReportingRule.objects.create(
            directive=plan,
            label="Báo cáo kết quả hoạt động kết nghĩa hằng năm",
            frequency="yearly",
            due_month=11,
            due_day=10,
            first_year=2025,
            last_year=2030,
            recipients=recipients,
        ),
        ReportingRule.objects.create(
            directive=plan,
            label="Kế hoạch kết nghĩa năm sau",
            kind="plan",
            plan_for_next_year=True,
            frequency="yearly",
            due_month=12,
            due_day=15,
            first_year=2025,
            last_year=2029,
            recipients="Sở Dân tộc và Tôn giáo",
        ),
        ReportingRule.objects.create(
            directive=plan,
            label="Báo cáo tổng hợp kết quả hoạt động kết nghĩa hằng năm",
            reporter="coordinator",
            frequency="yearly",
            due_month=11,
            due_day=15,
            first_year=2025,
            last_year=2030,
            recipients="UBND tỉnh\nBan Tuyên giáo và Dân vận Tỉnh ủy",
        ),
    ]
    for rule in rules:
        assignment_services.rule_sync_deadlines(rule=rule, by=story.coordinator)
    start = D(2025, 8, 22)
    if not story.happened(start):
        return plan
    ending = {"Văn phòng UBND tỉnh", "Đài Phát thanh - Truyền hình tỉnh"}
    held = restructuring._concerned(letter.assignments.all(), start)
    restructuring.regime_replace(
        directive=letter,
        new_directive=plan,
        date=start,
        continuing=[a.pk for a in held if a.agency.name not in ending],
        by=story.coordinator,
        note="Tiếp tục các cặp kết nghĩa; hai cặp kết thúc để tránh trùng lặp (minh họa).",
    )
    new_pairs(story, plan)
    return plan


def _locality(name, unit):
    party, _created = Agency.objects.get_or_create(
        name=name,
        defaults={
            "kind": Agency.Kind.LOCALITY,
            "level": AdministrativeUnit.Level.COMMUNE,
            "unit": unit,
            "valid_from": D(2025, 7, 1),
        },
    )
    return party


def _assign(
    story, plan, party, *, village=None, commune=None, start, ceremony, place, role="lead", note=""
):
    assignment = Assignment(
        directive=plan,
        agency=party,
        village=village,
        commune=commune,
        role=role,
        start_date=start,
        note=note,
    )
    assignment_services.save_checked(assignment, story.coordinator, "Phân công theo 43/KH-UBND")
    if ceremony and story.happened(ceremony):
        activity(story, assignment, ceremony, "ceremony", place)
    return assignment


def new_pairs(story, plan):
    """The pairs of the 2025 regime that the press reported, and two illustrative ones."""
    province = AdministrativeUnit.objects.get(code="52", code_list="gso_2025")
    ia_dok = AdministrativeUnit.objects.get(name="Ia Dơk", parent=province)
    an_nhon_bac = AdministrativeUnit.objects.get(name="An Nhơn Bắc", parent=province)
    hoai_nhon_tay = AdministrativeUnit.objects.get(name="Hoài Nhơn Tây", parent=province)
    kong_bo_la = AdministrativeUnit.objects.get(name="Kông Bơ La", parent=province)
    organisation = agency("Ban Tổ chức Tỉnh ủy")
    _assign(
        story,
        plan,
        organisation,
        village=village("Ar Dôch Kơ Tu"),
        start=D(2025, 12, 1),
        ceremony=D(2026, 1, 15),
        place="Lễ kết nghĩa với làng Ar Dôch Kơ Tu, xã Lơ Pang; ký giao ước: gặp gỡ định kỳ "
        "6 tháng, hỗ trợ hạ tầng, tặng quà gia đình chính sách, hộ nghèo dịp Tết, xây dựng "
        "làng văn hóa (Báo Gia Lai, 2026).",
        note="Báo Gia Lai (2026).",
    )
    ward = _locality("Phường An Nhơn Bắc", an_nhon_bac)
    commune = _locality("Xã Ia Dơk", ia_dok)
    _assign(
        story,
        plan,
        ward,
        village=village("Ghè"),
        start=D(2025, 12, 1),
        ceremony=D(2025, 12, 27),
        place="Lễ kết nghĩa giữa phường An Nhơn Bắc và làng Ghè, xã Ia Dơk (Báo Gia Lai, 2025).",
        note="Báo Gia Lai (2025).",
    )
    _assign(
        story,
        plan,
        commune,
        commune=an_nhon_bac,
        start=D(2025, 12, 1),
        ceremony=D(2025, 12, 27),
        place="Ký giao ước kết nghĩa giữa xã Ia Dơk và phường An Nhơn Bắc, 5 nội dung "
        "(Báo Gia Lai, 2025).",
        note="Báo Gia Lai (2025).",
    )
    _assign(
        story,
        plan,
        _locality("Phường Hoài Nhơn Tây", hoai_nhon_tay),
        commune=kong_bo_la,
        start=D(2026, 1, 1),
        ceremony=D(2026, 1, 18),
        place="Lễ kết nghĩa giữa phường Hoài Nhơn Tây và xã Kông Bơ La (Báo Gia Lai, 2026).",
        note="Báo Gia Lai (2026).",
    )
    bank, _created = Agency.objects.get_or_create(
        name="Ngân hàng Chính sách xã hội – Chi nhánh tỉnh Gia Lai",
        defaults={"kind": Agency.Kind.BANK, "short_name": "NHCSXH", "note": ILLUSTRATIVE},
    )
    forestry, _created = Agency.objects.get_or_create(
        name="Công ty TNHH MTV Lâm nghiệp Kông Chro",
        defaults={"kind": Agency.Kind.ENTERPRISE, "note": ILLUSTRATIVE},
    )
    _assign(
        story,
        plan,
        bank,
        village=village("Kép", "Ia Ka"),
        start=D(2025, 10, 1),
        ceremony=D(2025, 10, 20),
        place="Lễ kết nghĩa (minh họa).",
        role="supporting",
        note=ILLUSTRATIVE,
    )
    _assign(
        story,
        plan,
        forestry,
        village=village("Tung Ke"),
        start=D(2025, 10, 1),
        ceremony=D(2025, 11, 5),
        place="Lễ kết nghĩa (minh họa).",
        role="supporting",
        note=ILLUSTRATIVE,
    )


def year_2025_2026(story, plan):
    if plan is None or not story.happened(D(2025, 9, 1)):
        return
    organisation = agency("Ban Tổ chức Tỉnh ủy")
    ar_doch = running(organisation, village("Ar Dôch Kơ Tu"))
    activity(
        story,
        ar_doch,
        D(2026, 2, 5),
        "gifts",
        "Tặng 144 phần quà, mỗi phần 10 kg gạo, cho gia đình chính sách và hộ nghèo dịp Tết "
        "Bính Ngọ 2026 (Báo Gia Lai, 2026; giá trị là minh họa).",
        goods=gifts(144, 250_000, item="phần quà, mỗi phần 10 kg gạo"),
        beneficiary_policy_families=24,
        beneficiary_poor_households=120,
    )
    activity(
        story,
        ar_doch,
        D(2026, 7, 15),
        "visit",
        "Gặp gỡ định kỳ 6 tháng theo giao ước kết nghĩa (minh họa).",
    )
    held = Assignment.objects.filter(directive=plan).select_related("agency").order_by("pk")
    parties = sorted({a.agency for a in held}, key=lambda a: a.name_key)
    for index, assignment in enumerate(held):
        if assignment.agency == organisation:
            continue
        for step, (kind, text, support) in enumerate(
            [
                (
                    "production",
                    "Hỗ trợ bò giống sinh sản cho hộ nghèo",
                    {
                        "cash_budget_vnd": 30_000_000,
                        "cash_donors_vnd": 10_000_000,
                        "beneficiary_poor_households": 4,
                    },
                ),
                (
                    "gifts",
                    "Thăm, chúc Tết Bính Ngọ 2026, tặng quà",
                    {
                        "goods": gifts(25, 400_000),
                        "beneficiary_poor_households": 20,
                        "beneficiary_policy_families": 5,
                    },
                ),
                (
                    "construction",
                    "Hỗ trợ lắp đặt hệ thống nước sạch",
                    {
                        "cash_donors_vnd": 20_000_000,
                        "works": works("water", 1, "công trình", 120_000_000),
                    },
                ),
            ][: 1 + index % 3]
        ):
            date = D(2025, 10, 1) + dt.timedelta(days=37 * step + 11 * index)
            activity(story, assignment, date, kind, f"{text} (minh họa).", **support)
    report_round(
        story,
        plan,
        D(2025, 11, 10),
        parties,
        late=("Sở Tài chính", "Sở Tư pháp"),
        missing=("Ban Quản lý Khu kinh tế tỉnh",),
        returned=("Sở Nông nghiệp và Môi trường",),
    )
    plan_round(
        story,
        plan,
        D(2025, 12, 15),
        parties,
        missing=("Ban Quản lý Khu kinh tế tỉnh", "Thanh tra tỉnh"),
        returned=("Sở Xây dựng",),
    )
    report_round(
        story,
        plan,
        D(2026, 11, 10),
        parties,
        late=("Sở Công Thương",),
        missing=("Ban Quản lý Khu kinh tế tỉnh", "Sở Ngoại vụ", "Thanh tra tỉnh"),
        awaiting=("Sở Xây dựng",),
        extended=("Sở Giáo dục và Đào tạo",),
    )


def _body(name, kind, level="district", valid_to=None):
    body, _created = Agency.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "level": level, "valid_to": valid_to, "note": ILLUSTRATIVE},
    )
    return body


DAK_DOA_CONTENTS = [
    "Quán triệt, triển khai, hướng dẫn, đôn đốc, kiểm tra, giám sát, sơ kết, tổng kết các chỉ "
    "thị, nghị quyết của Đảng, chính sách, pháp luật của Nhà nước về công tác dân vận",
    "Đổi mới nội dung, phương thức công tác dân vận của cơ quan hành chính nhà nước cấp huyện, xã",
    "Thực hiện phương châm “Dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng”",
    "Triển khai Nghị quyết số 46/NQ-HĐND về kế hoạch phát triển kinh tế - xã hội 5 năm 2021-2025",
    "Thực hiện nghiêm quy định về đạo đức công vụ; vai trò gương mẫu của người đứng đầu",
    "Phong trào thi đua “Dân vận khéo” trên các lĩnh vực kinh tế, văn hóa, xã hội, an ninh, "
    "quốc phòng",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh (Kế hoạch số 72-KH/HU)",
    "Nắm tình hình Nhân dân, giải quyết kịp thời kiến nghị chính đáng của người dân (minh họa)",
]
COVENANT_CONTENTS = [
    "Xây dựng Đảng và hệ thống chính trị",
    "Trao đổi kinh nghiệm lãnh đạo, chỉ đạo, điều hành",
    "Phát triển sản xuất, sản phẩm OCOP",
    "Văn hóa, văn nghệ, thể dục thể thao",
    "Quốc phòng, an ninh",
]


def agreements_of_the_seeds(story, plan):
    """The seeds' programmes (Đak Đoa 2022-2026 with its 8 contents, the three forces' 2022
    programme, Kon Tum's plan for 2024) and the 2025-2026 covenants (xã Ia Dơk with phường An
    Nhơn Bắc, 5 contents; Ban Tổ chức Tỉnh ủy with làng Ar Dôch Kơ Tu, meetings every 6
    months). Contents the sources do not list, tasks, progress and reviews are illustrative."""
    by = story.coordinator
    ended = D(2025, 6, 30)  # the districts' bodies ended with the districts
    dan_van = _body("Ban Dân vận Huyện ủy Đak Đoa", Agency.Kind.PARTY, valid_to=ended)
    district = _body("UBND huyện Đak Đoa", Agency.Kind.GOVERNMENT, valid_to=ended)
    military = _body("Ban Chỉ huy Quân sự huyện Đak Đoa", Agency.Kind.ARMED_FORCES, valid_to=ended)
    police = _body("Công an huyện Đak Đoa", Agency.Kind.ARMED_FORCES, valid_to=ended)
    dak_doa = agreement_services.agreement_record(
        by=by,
        parties=[dan_van, district],
        contents=[
            {"number": n, "title": title, "lead": dan_van if n % 2 else district}
            for n, title in enumerate(DAK_DOA_CONTENTS, start=1)
        ],
        kind="programme",
        name="Chương trình phối hợp về công tác dân vận chính quyền giai đoạn 2022-2026",
        signed_on=D(2022, 4, 29),
        place="Đak Đoa",
        first_year=2022,
        last_year=2026,
        meeting_months=12,
        note="Báo Gia Lai (2022): 8 nội dung phối hợp; nội dung 8 và lịch họp là minh họa.",
    )
    forces = agreement_services.agreement_record(
        by=by,
        parties=[dan_van, military, police],
        contents=[
            *(
                {"group": "Nội dung chung", "number": n, "title": f"Nội dung chung {n} (minh họa)"}
                for n in range(1, 8)
            ),
            *(
                {
                    "group": "Nội dung cụ thể",
                    "number": n,
                    "title": f"Nội dung cụ thể {n} (minh họa)",
                    "lead": (military, police)[n % 2],
                }
                for n in range(1, 11)
            ),
        ],
        kind="programme",
        name="Chương trình phối hợp về công tác dân vận của lực lượng vũ trang năm 2022",
        signed_on=D(2022, 4, 29),
        place="Đak Đoa",
        first_year=2022,
        last_year=2022,
        note="Báo Gia Lai (2022): 7 nội dung chung và 10 nội dung cụ thể; tên nội dung là "
        "minh họa.",
    )
    agreement_services.review_hold(
        agreement=forces,
        kind="final",
        year=2022,
        held_on=D(2022, 12, 20),
        remarks="Các lực lượng phối hợp chặt chẽ (minh họa).",
        lines={c: ("done" if c.number % 3 else "in_progress", "") for c in forces.contents.all()},
        by=by,
    )
    kon_tum_dan_van = _body("Ban Dân vận Tỉnh ủy Kon Tum", Agency.Kind.PARTY, "province", ended)
    kon_tum_party = _body("Ban cán sự đảng UBND tỉnh Kon Tum", Agency.Kind.PARTY, "province", ended)
    kon_tum = agreement_services.agreement_record(
        by=by,
        parties=[kon_tum_dan_van, kon_tum_party],
        contents=[
            {
                "number": 1,
                "title": "Tham mưu xây dựng, cụ thể hóa và sơ kết, tổng kết các nghị "
                "quyết, chỉ thị, kết luận của Đảng về công tác dân vận",
                "lead": kon_tum_dan_van,
            },
            {
                "number": 2,
                "title": "Tuyên truyền, giáo dục nâng cao nhận thức về công tác dân vận",
                "lead": kon_tum_party,
            },
            {
                "number": 3,
                "title": "Phong trào thi đua “Dân vận khéo” trên các lĩnh vực kinh tế, "
                "văn hóa - xã hội, quốc phòng - an ninh",
                "lead": kon_tum_party,
            },
        ],
        kind="programme",
        name="Chương trình phối hợp về công tác dân vận của cơ quan hành chính nhà nước, "
        "chính quyền các cấp",
        signed_on=D(2021, 12, 1),
        place="Kon Tum",
        first_year=2022,
        last_year=2025,
        note="Báo Kon Tum (8/5/2024): kế hoạch thực hiện năm 2024 và hội nghị đánh giá; ngày ký "
        "và thời hạn là minh họa.",
    )
    for content in kon_tum.contents.all():
        task = agreement_services.task_plan(
            content=content, year=2024, period="year", description=content.title, by=by
        )
        agreement_services.progress_record(
            content=content,
            task=task,
            date=D(2024, 5, 8),
            standing="in_progress",
            note="Đánh giá tại hội nghị ngày 8/5/2024 (Báo Kon Tum).",
            by=by,
        )
    # The 2025-2026 covenants, signed at their ceremonies.
    for party_name, target, signed_on, months in [
        ("Xã Ia Dơk", {"commune__name": "An Nhơn Bắc"}, D(2025, 12, 27), 6),
        ("Ban Tổ chức Tỉnh ủy", {"village__name": "Ar Dôch Kơ Tu"}, D(2026, 1, 15), 6),
    ]:
        if not story.happened(signed_on):
            continue
        pair = Assignment.objects.get(directive=plan, agency__name=party_name, **target)
        covenant = agreement_services.agreement_record(
            by=by,
            parties=[],
            contents=[
                {"number": n, "title": title, "lead_other": "Hai bên"}
                for n, title in enumerate(COVENANT_CONTENTS, start=1)
            ],
            kind="covenant",
            name=f"Giao ước kết nghĩa giữa {pair.agency} và {pair.target}",
            signed_on=signed_on,
            place=str(pair.target),
            first_year=signed_on.year,
            assignment=pair,
            meeting_months=months,
            commitments="Gặp gỡ định kỳ 6 tháng; hỗ trợ hạ tầng; tặng quà gia đình chính sách, "
            "hộ nghèo dịp Tết; xây dựng làng văn hóa.",
            note="Báo Gia Lai (2025, 2026); lịch họp và nội dung cụ thể là minh họa.",
        )
        first = covenant.meetings.order_by("due_date").first()
        if first is not None and story.happened(first.due_date + dt.timedelta(days=3)):
            agreement_services.meeting_held(
                meeting=first,
                held_on=first.due_date + dt.timedelta(days=3),
                minutes="Đánh giá kết quả 6 tháng, thống nhất nội dung kỳ tới (minh họa).",
                by=by,
            )
    return dak_doa


def models_register(story, programme):
    """A register of "Dân vận khéo" models with a few years of figures (illustrative): the
    seeds ask to replicate the effective models; these show each status and level."""
    dip = Assignment.objects.filter(village__name="Dip").order_by("pk").first()
    entries = [
        (
            "Mô hình nuôi bò sinh sản giúp hộ nghèo làng Dip",
            ExemplaryModel.Field.ECONOMY,
            {"owner": "agency", "agency": dip.agency, "assignment": dip},
            2024,
            [
                (2024, "registered", "", ""),
                (2025, "effective", "", ""),
                (2026, "commended", "province", "Bằng khen của Chủ tịch UBND tỉnh (minh họa)"),
            ],
        ),
        (
            "Đội cồng chiêng làng Dip",
            ExemplaryModel.Field.CULTURE_SOCIETY,
            {"owner": "village", "village": dip.village, "assignment": dip},
            2024,
            [(2024, "registered", "", ""), (2025, "effective", "", "")],
        ),
        (
            "Tổ tự quản an ninh trật tự thôn",
            ExemplaryModel.Field.DEFENCE_SECURITY,
            {"owner": "agency", "agency": agency("Công an tỉnh")},
            2025,
            [(2025, "registered", "", ""), (2026, "effective", "", "")],
        ),
        (
            "“Dân vận khéo” trong vận động hiến đất làm đường",
            ExemplaryModel.Field.POLITICAL_SYSTEM,
            {
                "owner": "person",
                "person": "Già làng Rơ Châm Hyun (minh họa)",
                "agreement": programme,
            },
            2023,
            [(2024, "commended", "district", "Giấy khen của Chủ tịch UBND huyện (minh họa)")],
        ),
    ]
    for name, field, owner, since, years in entries:
        model = ExemplaryModel.objects.create(
            name=name,
            field=field,
            start_year=since,
            description=f"{name} (minh họa).",
            note=ILLUSTRATIVE,
            **owner,
        )
        for year, status, level, commendation in years:
            if year <= story.today.year:
                ModelYear.objects.create(
                    model=model,
                    year=year,
                    status=status,
                    level=level,
                    commendation=commendation,
                    replicated_to="Làng Ghè, xã Ia Dơk (minh họa)" if year == 2026 else "",
                )


def villagers_wishes(story):
    """What villagers raised with their twinning parties, and what came of it (illustrative)."""
    dip = Assignment.objects.filter(village__name="Dip").order_by("pk").first()
    for raised_on, topic, request, passed_to, outcome in [
        (
            D(2024, 3, 20),
            "water",
            "Xin hỗ trợ giếng nước cho 12 hộ ở cuối làng.",
            "UBND xã Ia Kreng",
            ("resolved", "Đã khoan 2 giếng bằng nguồn xã hội hóa.", D(2024, 6, 1)),
        ),
        (
            D(2025, 11, 5),
            "roads",
            "Đường vào khu sản xuất lầy lội mùa mưa.",
            "UBND xã Ia Kreng",
            ("answered", "Đưa vào kế hoạch bê tông hóa năm 2026.", D(2025, 12, 10)),
        ),
        (D(2026, 3, 2), "schooling", "Thiếu phòng học cho điểm trường làng.", "", None),
    ]:
        if not story.happened(raised_on):
            continue
        wish = Wish(
            raised_on=raised_on,
            village=dip.village,
            agency=dip.agency,
            topic=topic,
            request=f"{request} (minh họa)",
            passed_to_other=passed_to,
            passed_on=raised_on + dt.timedelta(days=3) if passed_to else None,
            recorded_by=focal_officer(dip.agency),
        )
        if outcome and story.happened(outcome[2]):
            status, answer, date = outcome
            wish.status, wish.answer, wish.answered_on = status, answer, date
            wish.resolved_on = date if status == "resolved" else None
        wish.full_clean()
        wish.save()


def village_figures(story):
    """2023-2026 figures of the demo villages (illustrative): poverty falls, roads grow."""
    rng = story.rng
    for target in Village.objects.order_by("pk"):
        recorded = {f.year: f for f in target.figures.all()}
        base = recorded.get(2024)
        households = base.households if base and base.households else rng.randint(90, 240)
        poor = (
            base.poor_households if base and base.poor_households is not None else households // 3
        )
        road = Decimal(rng.randint(2, 12)) / 10
        series = {
            2023: (households - 3, poor + 6),
            2024: (households, poor),
            2025: (households + 2, max(0, poor - 5)),
            2026: (households + 4, max(0, poor - 9)),
        }
        previous_poor = None
        for year, (total, poor_then) in series.items():
            if year > story.today.year:
                break
            figures = recorded.get(year) or VillageYearFigures(
                village=target, year=year, note=ILLUSTRATIVE
            )
            figures.households = figures.households or total
            figures.population = figures.population or total * 5
            figures.poor_households = poor_then
            figures.near_poor_households = max(0, total // 10 - (year - 2023))
            figures.left_poverty_households = (
                max(0, previous_poor - poor_then) if previous_poor is not None else None
            )
            figures.hard_road_km = road + Decimal(year - 2023) * Decimal("0.3")
            figures.has_grid_power = True
            figures.has_culture_house = year >= 2025 or target.pk % 3 != 0
            figures.has_school = target.pk % 4 != 0
            figures.has_clean_water = year >= 2026 or target.pk % 2 == 0
            figures._history_user = story.coordinator
            figures.full_clean()
            figures.save()
            previous_poor = poor_then


def issued_documents(story, letter, plan):
    """A few documents issued on their dates (numbers illustrative), rendered by the worker."""
    from . import documents
    from .tasks import render_document

    def issue(kind, date, parameters, number, by=None, agency=None, **fields):
        if not story.happened(date):
            return
        values = {**documents.default_fields(kind, date), "number": number, **fields}
        values["signer_name"] = values["signer_name"] or "Nguyễn Văn Bình (minh họa)"
        document = documents.document_issue(
            kind=kind,
            parameters=parameters,
            by=by or story.coordinator,
            agency=agency,
            **values,
        )
        render_document.enqueue(document.pk)

    march = deadline_of(letter, D(2024, 3, 25))
    issue("consolidated", D(2024, 3, 30), {"deadline": march.pk}, "45/BC-BDT")
    issue(
        "assignment_list",
        D(2026, 1, 20),
        {"directive": plan.pk, "as_of": "2026-01-20"},
        "12/SDTTG-VP",
    )
    latest = deadline_of(plan, D(2026, 11, 10))
    issue(
        "reminder_letter",
        D(2026, 11, 18),
        {"deadline": latest.pk, "reply_by": "2026-11-30"},
        "318/SDTTG-VP",
    )
    culture = agency("Sở Văn hóa, Thể thao và Du lịch")
    own = Report.objects.filter(agency=culture, deadline=deadline_of(plan, D(2025, 11, 10))).first()
    if own is not None and own.versions.exists():
        issue(
            "agency_report",
            D(2025, 11, 8),
            {"report": own.pk},
            "86/BC-SVHTTDL",
            by=focal_officer(culture),
            agency=culture,
            signing_authority="KT. GIÁM ĐỐC",
            signer_title="PHÓ GIÁM ĐỐC",
        )
