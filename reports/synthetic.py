"""Synthetic volume for benchmarks and trials: a province's worth of villages, agencies,
assignments, ten years of deadlines, reports and activities, with Vietnamese names.
Reproducible: the same seed gives the same data."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assignments import services
from assignments.models import (
    AdministrativeUnit,
    Agency,
    Assignment,
    Directive,
    EthnicGroup,
    ReportingRule,
    User,
    Village,
    VillageYearFigures,
)
from assignments.text import fold

from . import support
from .models import Activity, ActivityGoods, ActivityWork, Report, ReportVersion, ReviewEvent

SCALES = {
    "province": {
        "districts": 17,
        "communes": 200,
        "villages": 2_000,
        "agencies": 500,
        "assignments": 3_000,
        "activities": 100_000,
    },
    "national": {
        "districts": 170,
        "communes": 2_000,
        "villages": 20_000,
        "agencies": 5_000,
        "assignments": 30_000,
        "activities": 1_000_000,
    },
}
YEARS = 10
NUMBER = "{n}/KH-UBND-TH"  # the synthetic plan's number; its presence means "already loaded"

SYLLABLES = [
    "Ia",
    "Kơ",
    "Đăk",
    "Bông",
    "Groi",
    "Ktu",
    "Mơ",
    "Rơng",
    "Pơ",
    "Hra",
    "Tơ",
    "Kon",
    "Blang",
    "Chư",
    "Dơ",
    "Ơi",
    "Jut",
    "Hling",
    "Lang",
    "Kte",
    "Rök",
    "Nang",
    "Bia",
    "Yơ",
    "Pang",
    "Krông",
    "Kla",
    "Hdơk",
    "Brông",
    "Tung",
    "Jơ",
    "Mrông",
    "Kép",
    "Drơng",
    "Sơr",
    "Ngol",
    "Tao",
    "Bui",
    "Ô",
    "Ơp",
]
FIELDS = [
    "Nông nghiệp và Môi trường",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Văn hóa, Thể thao và Du lịch",
    "Tài chính",
    "Xây dựng",
    "Công Thương",
    "Khoa học và Công nghệ",
    "Nội vụ",
    "Tư pháp",
    "Dân tộc và Tôn giáo",
    "Lao động",
    "Kinh tế",
    "Quản lý đất đai",
    "Phát triển nông thôn",
    "Thủy lợi",
    "Lâm nghiệp",
    "Chăn nuôi và Thú y",
    "Bảo vệ thực vật",
    "Khuyến nông",
    "Dân số",
    "Kiểm soát bệnh tật",
    "Phát thanh",
    "Văn hóa và Thông tin",
]
BODIES = ["Phòng", "Trung tâm", "Chi cục", "Ban Quản lý", "Hạt", "Đội", "Hội"]
ACTIVITY_TEXT = {
    "visit": "Thăm hỏi, động viên các hộ gia đình",
    "gifts": "Tặng quà cho hộ nghèo, học sinh có hoàn cảnh khó khăn",
    "production": "Hỗ trợ giống cây trồng, vật nuôi, hướng dẫn kỹ thuật",
    "construction": "Hỗ trợ xây dựng, sửa chữa công trình",
    "propaganda": "Tuyên truyền chính sách, pháp luật",
    "other": "Phối hợp với chính quyền xã nắm tình hình",
}


def _name(rng, parts=2):
    return " ".join(rng.choice(SYLLABLES) for _ in range(parts))


@transaction.atomic
def generate(scale="province", seed=2024, today=None):
    """Create the data set; return counts. Does nothing when it already exists."""

    size = SCALES[scale] if isinstance(scale, str) else scale
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first_year = today.year - YEARS
    number = NUMBER.format(n=seed)
    if Directive.objects.filter(number=number).exists():
        return None

    province = AdministrativeUnit.objects.create(
        level="province", unit_type="tinh", name=f"Mẫu {seed}"
    )
    districts = AdministrativeUnit.objects.bulk_create(
        AdministrativeUnit(
            level="district", unit_type="huyen", name=f"{_name(rng)} {i + 1}", parent=province
        )
        for i in range(size["districts"])
    )
    communes = AdministrativeUnit.objects.bulk_create(
        AdministrativeUnit(
            level="commune",
            unit_type="xa",
            name=f"{_name(rng)} {i + 1}",
            parent=districts[i % len(districts)],
        )
        for i in range(size["communes"])
    )
    kinds = ["lang", "lang", "lang", "plei", "buon", "thon"]
    villages = []
    for i in range(size["villages"]):
        villages.append(
            Village(
                kind=rng.choice(kinds),
                name=f"{_name(rng)} {i + 1}",
                commune=communes[i % len(communes)],
                especially_disadvantaged=rng.random() < 0.45,
                mixed=rng.random() < 0.15,
            )
        )
    villages = Village.objects.bulk_create(villages, batch_size=2000)
    # Four years of figures per village, poverty falling slowly.
    figures = []
    for village in villages:
        households = rng.randint(60, 320)
        poor = rng.randint(0, households // 3)
        for year in range(today.year - 3, today.year + 1):
            left = min(poor, rng.randint(0, 6))
            figures.append(
                VillageYearFigures(
                    village=village,
                    year=year,
                    households=households,
                    population=households * 5,
                    poor_households=poor - left,
                    near_poor_households=min(households - poor, rng.randint(0, 30)),
                    left_poverty_households=left,
                    hard_road_km=Decimal(rng.randint(0, 40)) / 10,
                    has_grid_power=rng.random() < 0.9,
                    has_culture_house=rng.random() < 0.8,
                    has_school=rng.random() < 0.7,
                    has_clean_water=rng.random() < 0.6,
                )
            )
            poor -= left
            households += rng.randint(0, 3)
    VillageYearFigures.objects.bulk_create(figures, batch_size=5000)
    groups = list(EthnicGroup.objects.filter(code__in=["10", "12", "08", "11", "16", "20"]))
    links = Village.ethnic_groups.through
    links.objects.bulk_create(
        [
            links(village_id=v.pk, ethnicgroup_id=g.pk)
            for v in villages
            for g in rng.sample(groups, rng.choice([1, 1, 2]))
        ],
        batch_size=5000,
    )

    agencies = []
    names = set(Agency.objects.filter(valid_to__isnull=True).values_list("name_key", flat=True))
    while len(agencies) < size["agencies"]:
        district = rng.choice(districts)
        level = "province" if len(agencies) % 3 == 0 else "district"
        where = "tỉnh" if level == "province" else f"huyện {district.name}"
        name = f"{rng.choice(BODIES)} {rng.choice(FIELDS)} {where}"
        if fold(name) in names:
            name = f"{name} (đơn vị {seed}-{len(agencies) + 1})"
        names.add(fold(name))
        agencies.append(
            Agency(
                name=name,
                level=level,
                kind=rng.choice(
                    ["government", "government", "public_service", "front", "party", "armed_forces"]
                ),
                unit=province if level == "province" else district,
            )
        )
    agencies = Agency.objects.bulk_create(agencies, batch_size=2000)

    start = dt.date(first_year, 3, 1)
    directive = Directive.objects.create(
        kind="ke_hoach",
        number=number,
        issuing_body=f"UBND tỉnh Mẫu {seed}",
        issued_on=start,
        title="Kế hoạch kết nghĩa giữa cơ quan, đơn vị với thôn, làng (dữ liệu tổng hợp)",
        period_from_year=first_year,
        period_to_year=today.year,
        note="Dữ liệu tổng hợp cho thử tải: không phải dữ liệu thật.",
    )
    rules = [
        ReportingRule.objects.create(
            directive=directive,
            label="Báo cáo kết quả kết nghĩa 6 tháng",
            frequency="yearly",
            due_month=6,
            due_day=15,
            first_year=first_year + 1,
            last_year=today.year,
            recipients="UBND tỉnh (qua Sở Dân tộc và Tôn giáo)",
        ),
        ReportingRule.objects.create(
            directive=directive,
            label="Báo cáo kết quả kết nghĩa năm",
            frequency="yearly",
            due_month=11,
            due_day=10,
            first_year=first_year,
            last_year=today.year,
            recipients="UBND tỉnh (qua Sở Dân tộc và Tôn giáo)\nBan Dân vận Tỉnh ủy",
        ),
    ]
    for rule in rules:
        services.rule_sync_deadlines(rule=rule)

    # Every village gets a lead agency, most of them from the start; the rest of the
    # assignments are supporting agencies or agencies assigned later or ended early. One
    # assignment in five goes to a few busy agencies (the big departments twin with dozens of
    # villages), so that pages of an agency with many assignments can be measured.
    busy = agencies[: max(3, len(agencies) // 100)]
    assignments, seen = [], set()
    for index in range(size["assignments"]):
        village = villages[index % len(villages)]
        if index % 5 == 4:
            agency = busy[index % len(busy)]
        else:
            agency = agencies[(index * 7 + index // len(villages)) % len(agencies)]
        if (agency.pk, village.pk) in seen:
            continue
        seen.add((agency.pk, village.pk))
        lead = index < len(villages)
        begins = start if rng.random() < 0.8 else start + dt.timedelta(days=rng.randint(200, 2500))
        ends = None
        if not lead and rng.random() < 0.1:
            ends = begins + dt.timedelta(days=rng.randint(365, 1500))
        ceremony = begins + dt.timedelta(days=rng.randint(10, 60))
        assignments.append(
            Assignment(
                directive=directive,
                agency=agency,
                village=village,
                role="lead" if lead else "supporting",
                start_date=begins,
                end_date=ends if ends and ends < today else None,
                status="ended" if ends and ends < today else "active",
                end_reason="Điều chỉnh phân công" if ends and ends < today else "",
                ceremony_date=ceremony if ceremony < today else None,
            )
        )
    for assignment in assignments:
        if assignment.status == "active" and assignment.ceremony_date is None:
            assignment.status = "assigned"
    # Some parties twin with a whole commune (the 2025 regime).
    for index, commune in enumerate(communes[: max(1, len(communes) // 20)]):
        agency = agencies[(index * 13) % len(agencies)]
        assignments.append(
            Assignment(
                directive=directive,
                agency=agency,
                commune=commune,
                role="lead",
                start_date=start,
                status="active",
                ceremony_date=start + dt.timedelta(days=30),
            )
        )
    assignments = Assignment.objects.bulk_create(assignments, batch_size=2000)

    users = list(User.objects.filter(role=User.Role.REPORTER)[:1]) or [
        User.objects.create_user(username=f"tonghop{seed}", role=User.Role.REPORTER)
    ]
    author = users[0]
    activities, goods, works = [], {}, {}
    for _ in range(size["activities"]):
        assignment = rng.choice(assignments)
        last = assignment.end_date or today
        span = (last - assignment.start_date).days
        if span <= 0:
            continue
        kind = rng.choice(list(ACTIVITY_TEXT))
        budget = rng.choice([0, 0, 2, 5, 10, 20]) * 1_000_000
        staff = rng.choice([0, 0, 0, 1, 2, 5]) * 1_000_000
        donors = rng.choice([0, 0, 0, 0, 10, 30]) * 1_000_000
        activity = Activity(
            assignment=assignment,
            date=assignment.start_date + dt.timedelta(days=rng.randint(0, span)),
            kind=kind,
            description=ACTIVITY_TEXT[kind],
            cash_budget_vnd=budget,
            cash_staff_vnd=staff,
            cash_donors_vnd=donors,
            cash_vnd=budget + staff + donors,
            participants=rng.randint(3, 30),
            beneficiary_poor_households=rng.randint(0, 40),
            beneficiary_policy_families=rng.randint(0, 5),
            beneficiary_pupils=rng.choice([0, 0, 20, 50]),
            created_by=author,
        )
        if kind in ("gifts", "visit") and rng.random() < 0.8:
            parcels = rng.randint(10, 150)
            line = ActivityGoods(
                item="phần quà (gạo, nhu yếu phẩm)",
                quantity=parcels,
                unit="phần",
                weight_kg=parcels * 10,
                value_vnd=parcels * 300_000,
            )
            activity.in_kind_vnd = line.value_vnd
            goods[len(activities)] = line
        if kind in ("construction", "production") and rng.random() < 0.6:
            work_kind = rng.choice(["road", "great_unity_house", "culture_house", "water"])
            quantity, unit = (
                (Decimal(rng.randint(2, 20)) / 10, "km")
                if work_kind == "road"
                else (1, "công trình")
            )
            line = ActivityWork(
                kind=work_kind,
                quantity=quantity,
                unit=unit,
                value_vnd=rng.choice([50, 100, 150, 300]) * 1_000_000,
            )
            activity.works_vnd = line.value_vnd
            works[len(activities)] = line
        activities.append(activity)
    Activity.objects.bulk_create(activities, batch_size=5000)
    for index, line in goods.items():
        line.activity = activities[index]
    for index, line in works.items():
        line.activity = activities[index]
    ActivityGoods.objects.bulk_create(goods.values(), batch_size=5000)
    ActivityWork.objects.bulk_create(works.values(), batch_size=5000)
    support.rebuild()

    # Reports at every past deadline of the expected agencies: most on time, some late,
    # some never; a few returned, most of the older ones accepted.
    from . import tracking

    deadlines = [d for rule in rules for d in rule.deadlines.all()]
    columns = tracking.compliance([d for d in deadlines if d.effective_date < today], today=today)
    reports, versions = [], []
    tz = timezone.get_current_timezone()
    for column in columns:
        due = column.deadline.effective_date
        for agency_id in column.cells:
            roll = rng.random()
            if roll < 0.12:
                continue  # never submitted
            delay = -rng.randint(0, 10) if roll < 0.85 else rng.randint(1, 40)
            submitted = dt.datetime.combine(
                due + dt.timedelta(days=delay), dt.time(9, 30), tzinfo=tz
            )
            if submitted > timezone.now():
                continue  # not submitted yet
            status = (
                "accepted"
                if due.year < today.year
                else rng.choice(["submitted", "accepted", "returned"])
            )
            reports.append(
                Report(
                    deadline=column.deadline,
                    agency_id=agency_id,
                    status=status,
                    results="Đã duy trì sinh hoạt kết nghĩa, thăm hỏi và hỗ trợ thôn, làng.",
                    shortcomings="Nguồn lực còn hạn chế.",
                    directions="Tiếp tục duy trì.",
                    first_submitted_at=submitted,
                )
            )
    reports = Report.objects.bulk_create(reports, batch_size=2000)
    for report in reports:
        versions.append(
            ReportVersion(
                report=report,
                number=1,
                submitted_at=report.first_submitted_at,
                submitted_by=author,
                results=report.results,
                shortcomings=report.shortcomings,
                directions=report.directions,
            )
        )
    versions = ReportVersion.objects.bulk_create(versions, batch_size=2000)
    ReviewEvent.objects.bulk_create(
        [
            ReviewEvent(report_id=v.report_id, version=v, action="submit", by=author)
            for v in versions
        ],
        batch_size=2000,
    )
    return {
        "villages": len(villages),
        "agencies": len(agencies),
        "assignments": len(assignments),
        "deadlines": len(deadlines),
        "reports": len(reports),
        "activities": len(activities),
    }
