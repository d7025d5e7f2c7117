"""The documents of an agreement: the covenant signed at a twinning ceremony (biên bản kết
nghĩa), the coordination programme (chương trình phối hợp), an agreement's yearly plan (kế
hoạch thực hiện năm) and the report of a review (báo cáo sơ kết, tổng kết). Their figures are
plain JSON, frozen on the issued document like every other document's.

Each is issued under the heading and number of one party and signed by every party: the
parties' columns side by side, the issuing party's on the right (the lead body's place in a
joint document), a covenant's target (the village or commune) on the left."""

import datetime as dt

from django.db.models import Count, Q

from assignments.models import (
    Agreement,
    AgreementContent,
    AgreementReview,
    ContentTask,
    ExemplaryModel,
    ModelYear,
    Standing,
)
from assignments.periods import Period

from .legal import legal_date

ISSUING_KIND = {
    Agreement.Kind.COVENANT: "BIÊN BẢN",
    Agreement.Kind.PROGRAMME: "CHƯƠNG TRÌNH",
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
STANDING_WORDS = {
    Standing.DONE: "Đã hoàn thành",
    Standing.IN_PROGRESS: "Đang thực hiện",
    Standing.NOT_STARTED: "Chưa triển khai",
}
REVIEW_WORDS = {
    AgreementReview.Kind.YEAR: "Đánh giá kết quả thực hiện năm",
    AgreementReview.Kind.INTERIM: "Sơ kết",
    AgreementReview.Kind.FINAL: "Tổng kết",
}
PERIOD_WORDS = {
    Period.YEAR: "Cả năm",
    **{f"q{n}": f"Quý {roman}" for n, roman in enumerate(["I", "II", "III", "IV"], start=1)},
    **{f"m{n}": f"Tháng {n:02d}" if n < 3 else f"Tháng {n}" for n in range(1, 13)},
}


def issuing_party(agreement, agency=None):
    """The party whose heading and number the document carries: ``agency`` when it is a
    party (an officer issuing for their own body), else the first party."""
    parties = [row.agency for row in agreement.party_rows.select_related("agency")]
    if agency is not None and agency in parties:
        return agency
    return parties[0]


def _period_text(agreement):
    if agreement.last_year is None:
        return f"từ năm {agreement.first_year}"
    if agreement.last_year == agreement.first_year:
        return f"năm {agreement.first_year}"
    return f"giai đoạn {agreement.first_year} – {agreement.last_year}"


def _subject(agreement):
    """The subject line: the programme's name without its leading kind ("Chương trình phối
    hợp …" → "Phối hợp …"); a covenant's pair."""
    if agreement.kind == Agreement.Kind.COVENANT:
        return f"Giao ước kết nghĩa giữa {_pair(agreement)}"
    name = agreement.name.strip()
    for word in ("Chương trình ", "chương trình "):
        if name.startswith(word):
            name = name[len(word) :]
            break
    return name[:1].upper() + name[1:]


def _target(agreement):
    assignment = agreement.assignment
    return assignment.target_place(agreement.signed_on) if assignment else ""


def _pair(agreement):
    return f"{agreement.assignment.agency} và {_target(agreement)}"


def _contents(agreement, tasks_year=None):
    """The numbered contents in their groups: number, title, lead, participants (and the
    year's tasks with their period, when ``tasks_year`` is given)."""
    contents = AgreementContent.objects.filter(agreement=agreement).select_related("lead")
    contents = contents.prefetch_related("participants")
    tasks = {}
    if tasks_year is not None:
        for task in ContentTask.objects.filter(
            content__agreement=agreement, year=tasks_year
        ).order_by("content", "pk"):
            tasks.setdefault(task.content_id, []).append(
                [PERIOD_WORDS.get(task.period, task.period), task.description]
            )
    groups = []
    for content in contents:
        if not groups or groups[-1]["group"] != content.group:
            groups.append({"group": content.group, "items": []})
        groups[-1]["items"].append(
            {
                "number": content.number,
                "title": content.title,
                "lead": content.lead_name,
                "participants": [a.name for a in content.participants.all()],
                "tasks": tasks.get(content.pk, []),
            }
        )
    return groups


def _signatures(rows, issuer, counterpart=None):
    """The signature columns, left to right: a covenant's target, the other parties (of the
    agreement's party ``rows``), then the issuing party (whose title and name are the
    document's own, typed on the form)."""
    columns = []
    if counterpart is not None:
        columns.append(counterpart)
    for row in rows:
        if row.agency_id != issuer.pk:
            columns.append({"body": row.agency.name, "title": "", "name": row.signer})
    columns.append({"body": issuer.name, "own": True})
    return columns


def agreement_figures(agreement, issuer, counterpart_title="", counterpart_name=""):
    """A covenant as the biên bản signed at the ceremony, or a programme as itself."""
    covenant = agreement.kind == Agreement.Kind.COVENANT
    counterpart = None
    if covenant:
        counterpart = {
            "body": str(agreement.assignment.target) if agreement.assignment else "",
            "title": counterpart_title.strip(),
            "name": counterpart_name.strip(),
        }
    rows = list(agreement.party_rows.select_related("agency"))
    parties = [{"name": row.agency.name, "signer": row.signer} for row in rows]
    groups = _contents(agreement)
    if covenant:
        wanted = [
            ("contents", "NỘI DUNG KẾT NGHĨA"),
            ("commitments", "TRÁCH NHIỆM, CAM KẾT CỦA CÁC BÊN") if agreement.commitments else None,
            ("meetings", "CHẾ ĐỘ HỌP ĐỊNH KỲ") if agreement.meeting_months else None,
        ]
    else:
        wanted = [
            ("commitments", "MỤC ĐÍCH, YÊU CẦU") if agreement.commitments else None,
            ("contents", "NỘI DUNG PHỐI HỢP"),
            ("organisation", "TỔ CHỨC THỰC HIỆN"),
        ]
    sections = [pair for pair in wanted if pair]
    name_in_text = agreement.name[:1].lower() + agreement.name[1:]
    if str(agreement.first_year) not in name_in_text:
        name_in_text = f"{name_in_text} {_period_text(agreement)}"
    return {
        "sections": [[ROMAN[i], key, title] for i, (key, title) in enumerate(sections)],
        "name_in_text": name_in_text,
        "title": ISSUING_KIND[agreement.kind],
        "subject": _subject(agreement),
        "name": agreement.name,
        "covenant": covenant,
        "pair": _pair(agreement) if covenant else "",
        "target": _target(agreement) if covenant else "",
        "counterpart": counterpart,
        "parties": parties,
        "signed_on": agreement.signed_on.isoformat(),
        "signed_at": agreement.place,
        "period": _period_text(agreement),
        "first_year": agreement.first_year,
        "last_year": agreement.last_year,
        "meeting_months": agreement.meeting_months,
        "commitments": agreement.commitments,
        "groups": groups,
        "content_count": sum(len(group["items"]) for group in groups),
        "signatures": _signatures(rows, issuer, counterpart),
    }


def agreement_plan_figures(agreement, issuer, year):
    """The yearly implementation plan: each content's tasks of ``year`` with when, the lead
    and the participants; the meetings the rhythm makes due that year."""
    groups = _contents(agreement, tasks_year=year)
    meetings = agreement.meetings.filter(due_date__year=year).order_by("due_date")
    kind_word = _kind_word(agreement)
    return {
        "title": "KẾ HOẠCH",
        "subject": f"Thực hiện {kind_word} năm {year}",
        "name": agreement.name,
        "reference": _agreement_reference(agreement),
        "year": year,
        "groups": groups,
        "task_count": sum(len(item["tasks"]) for g in groups for item in g["items"]),
        "meetings": [m.due_date.isoformat() for m in meetings],
        "meeting_months": agreement.meeting_months,
    }


def _kind_word(agreement):
    covenant = agreement.kind == Agreement.Kind.COVENANT
    return "giao ước kết nghĩa" if covenant else "chương trình"


def _agreement_reference(agreement):
    """How a later document names the agreement: its name, number and date of signing."""
    number = f" số {agreement.number}" if agreement.number else ""
    return f"{agreement.name}{number} ký {legal_date(agreement.signed_on)}"


def review_figures(review, issuer, shortcomings="", directions=""):
    """The report of a review: each content done, in progress or not started with the
    parties' remarks, the counts, the meetings held against those due over the period
    reviewed, and the exemplary models of the register that came from the agreement."""
    agreement = review.agreement
    if review.kind == AgreementReview.Kind.YEAR:
        start, end = dt.date(review.year, 1, 1), min(dt.date(review.year, 12, 31), review.held_on)
        span = f"năm {review.year}"
    else:
        start, end = agreement.signed_on, review.held_on
        first = agreement.first_year
        span = f"năm {first}" if first == review.year else f"giai đoạn {first} – {review.year}"
    lines = review.lines.select_related("content__lead").order_by(
        "content__group", "content__number"
    )
    rows = [
        {
            "group": line.content.group,
            "number": line.content.number,
            "title": line.content.title,
            "lead": line.content.lead_name,
            "standing": STANDING_WORDS[line.standing],
            "remarks": line.remarks,
        }
        for line in lines
    ]
    counts = {
        STANDING_WORDS[s]: sum(1 for line in lines if line.standing == s)
        for s in (Standing.DONE, Standing.IN_PROGRESS, Standing.NOT_STARTED)
    }
    meetings = agreement.meetings.filter(due_date__range=(start, end)).aggregate(
        due=Count("pk"), held=Count("pk", filter=Q(held_on__isnull=False))
    )
    models = (
        ModelYear.objects.filter(
            model__agreement=agreement,
            year__range=(start.year, end.year),
            status__in=[ModelYear.Status.EFFECTIVE, ModelYear.Status.COMMENDED],
        )
        .select_related("model__agency", "model__village", "model__commune")
        .order_by("model__sort_key", "model", "-year")
    )
    kind_word = _kind_word(agreement)
    subject = f"{REVIEW_WORDS[review.kind]} thực hiện {kind_word} {span}"
    typed = {"shortcomings": shortcomings.strip(), "directions": directions.strip()}
    model_rows = register_rows(_latest_per_model(models))
    wanted = [
        ("results", "KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG"),
        ("remarks", "ĐÁNH GIÁ CỦA CÁC BÊN") if review.remarks.strip() else None,
        ("shortcomings", "TỒN TẠI, HẠN CHẾ") if typed["shortcomings"] else None,
        ("models", "MÔ HÌNH ĐIỂN HÌNH") if model_rows else None,
        ("directions", "PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI") if typed["directions"] else None,
    ]
    sections = [pair for pair in wanted if pair]
    return {
        **typed,
        "sections": [[ROMAN[i], key, title] for i, (key, title) in enumerate(sections)],
        "phrase": subject[:1].lower() + subject[1:],
        "title": "BÁO CÁO",
        "subject": subject,
        "review_kind": review.kind,
        "name": agreement.name,
        "reference": _agreement_reference(agreement),
        "held_on": review.held_on.isoformat(),
        "year": review.year,
        "span": span,
        "remarks": review.remarks,
        "rows": rows,
        "counts": [[label, n] for label, n in counts.items()],
        "total": len(rows),
        "meetings_due": meetings["due"],
        "meetings_held": meetings["held"],
        "models": model_rows,
    }


def _latest_per_model(years):
    seen, kept = set(), []
    for row in years:
        if row.model_id not in seen:
            seen.add(row.model_id)
            kept.append(row)
    return kept


# The levels of commendation, highest first (the order a report names models in).
LEVEL_RANK = {level: i for i, level in enumerate(ModelYear.Level.values)}


def register_rows(model_years):
    """Model years as a report prints them: name, owner, field, place, what it was judged
    and the commendation, with the year."""
    return [
        {
            "name": row.model.name,
            "owner": row.model.owner_name,
            "field": FIELD_WORDS[row.model.field],
            "place": _model_place(row.model),
            "status": MODEL_STATUS_WORDS[row.status],
            "commendation": row.commendation,
            "year": row.year,
        }
        for row in model_years
    ]


FIELD_WORDS = {
    ExemplaryModel.Field.ECONOMY: "Kinh tế",
    ExemplaryModel.Field.CULTURE_SOCIETY: "Văn hóa – xã hội",
    ExemplaryModel.Field.DEFENCE_SECURITY: "Quốc phòng – an ninh",
    ExemplaryModel.Field.POLITICAL_SYSTEM: "Xây dựng Đảng và hệ thống chính trị",
}
MODEL_STATUS_WORDS = {
    ModelYear.Status.REGISTERED: "Đăng ký",
    ModelYear.Status.EFFECTIVE: "Được công nhận hiệu quả",
    ModelYear.Status.COMMENDED: "Được khen thưởng",
}


def _model_place(model):
    if model.village_id:
        return str(model.village)
    if model.commune_id:
        return str(model.commune)
    return ""


def exemplary_models(first_year, last_year, count=10):
    """The exemplary models a report names, from the register: those judged effective or
    commended in the years, commended first and by level (highest first), each once with its
    latest standing; with the "Dân vận khéo" counts of the years (registered, effective,
    commended collectives and individuals)."""
    years = (
        ModelYear.objects.filter(
            year__range=(first_year, last_year),
            status__in=[ModelYear.Status.EFFECTIVE, ModelYear.Status.COMMENDED],
        )
        .select_related("model__agency", "model__village", "model__commune")
        .order_by("model", "-year")
    )
    latest = _latest_per_model(years)
    latest.sort(
        key=lambda r: (
            r.status != ModelYear.Status.COMMENDED,
            LEVEL_RANK.get(r.level, len(LEVEL_RANK)),
            -r.year,
            r.model.sort_key,
        )
    )
    counted = (
        ModelYear.objects.filter(year__range=(first_year, last_year))
        .order_by()
        .aggregate(
            registered=Count("pk"),
            effective=Count(
                "pk",
                filter=Q(status__in=[ModelYear.Status.EFFECTIVE, ModelYear.Status.COMMENDED]),
            ),
            collectives=Count(
                "pk",
                filter=Q(status=ModelYear.Status.COMMENDED)
                & ~Q(model__owner=ExemplaryModel.Owner.PERSON),
            ),
            individuals=Count(
                "pk",
                filter=Q(status=ModelYear.Status.COMMENDED)
                & Q(model__owner=ExemplaryModel.Owner.PERSON),
            ),
        )
    )
    more = max(0, len(latest) - count)
    return {"counts": counted, "rows": register_rows(latest[:count]), "more": more}
