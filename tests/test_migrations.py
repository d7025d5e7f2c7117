"""Existing data migrates forward: a database of the previous version keeps every figure in
the new shapes (successions, village locations and figures by year, support lines)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assignments", "0002_ethnic_groups"), ("reports", "0004_issueddocument")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_version_migrates_forward():
    old = migrate(BEFORE)
    Unit = old.get_model("assignments", "AdministrativeUnit")
    Agency = old.get_model("assignments", "Agency")
    Village = old.get_model("assignments", "Village")
    Directive = old.get_model("assignments", "Directive")
    Assignment = old.get_model("assignments", "Assignment")
    User = old.get_model("assignments", "User")
    Activity = old.get_model("reports", "Activity")

    # Historical models have no save() of their own: the folded keys are given by hand.
    province = Unit.objects.create(
        level="province", unit_type="tinh", name="Gia Lai", name_key="gia lai"
    )
    commune = Unit.objects.create(
        level="commune", unit_type="xa", name="Ia Kreng", name_key="ia kreng", parent=province
    )
    dip = Village.objects.create(
        name="Dip",
        name_key="dip",
        commune=commune,
        households=212,
        population=1040,
        poor_households=50,
    )
    Village.objects.create(name="Kép", name_key="kep", commune=commune)  # no figures at all
    successor = Agency.objects.create(
        name="Sở Dân tộc và Tôn giáo", name_key="so dan toc va ton giao", kind="government"
    )
    Agency.objects.create(
        name="Ban Dân tộc tỉnh",
        name_key="ban dan toc tinh",
        kind="government",
        valid_to=dt.date(2025, 2, 28),
        successor=successor,
    )
    directive = Directive.objects.create(
        kind="cong_van", number="345/UBND-NC", issuing_body="UBND", issued_on=dt.date(2024, 2, 27)
    )
    assignment = Assignment.objects.create(
        directive=directive, agency=successor, village=dip, start_date=dt.date(2024, 2, 27)
    )
    user = User.objects.create(username="bc")
    IssuedDocument = old.get_model("reports", "IssuedDocument")
    documents = [
        ("15/BC-BDT", "Ban Dân tộc tỉnh Gia Lai"),
        ("15/BC-BDT", "Ban Dân tộc tỉnh Gia Lai"),  # an earlier re-issue under the same number
        ("  /BC-BDT", "Ban Dân tộc tỉnh Gia Lai"),  # the old form's blank number
        ("16/BC-BDT", "Một cơ quan không có trong danh sách"),
    ]
    for number, issuer in documents:
        IssuedDocument.objects.create(
            kind="consolidated",
            number=number,
            issued_on=dt.date(2024, 11, 15),
            place="Gia Lai",
            issuer=issuer,
            signer_title="PHÓ TRƯỞNG BAN",
            signer_name="Nguyễn Văn Bình",
            recipients="UBND tỉnh",
            figures={"subject": "Tổng hợp kết quả công tác kết nghĩa"},
            created_by=user,
        )
    Activity.objects.create(
        assignment=assignment,
        date=dt.date(2024, 3, 10),
        kind="gifts",
        description="Tặng quà",
        cash_vnd=15_000_000,
        in_kind_vnd=5_000_000,
        goods="50 suất quà, 1 tấn gạo",
        beneficiaries=50,
        created_by=user,
    )

    executor = MigrationExecutor(connection)
    new = migrate(executor.loader.graph.leaf_nodes())
    Agency = new.get_model("assignments", "Agency")
    Village = new.get_model("assignments", "Village")
    Activity = new.get_model("reports", "Activity")
    (succession,) = new.get_model("assignments", "AgencySuccession").objects.all()
    assert (succession.predecessor.name, succession.successor.name) == (
        "Ban Dân tộc tỉnh",
        "Sở Dân tộc và Tôn giáo",
    )
    assert (succession.effective_date, succession.kind) == (dt.date(2025, 3, 1), "merge")
    locations = new.get_model("assignments", "VillageLocation").objects.all()
    assert {(loc.village.name, loc.commune_id, loc.valid_from) for loc in locations} == {
        ("Dip", commune.pk, None),
        ("Kép", commune.pk, None),
    }
    (figures,) = new.get_model("assignments", "VillageYearFigures").objects.all()
    assert (figures.village.name, figures.households, figures.population) == ("Dip", 212, 1040)
    assert figures.poor_households == 50
    activity = Activity.objects.get()
    assert (activity.cash_vnd, activity.cash_other_vnd, activity.in_kind_vnd) == (
        15_000_000,
        15_000_000,
        5_000_000,
    )
    assert activity.beneficiary_others == 50
    (line,) = new.get_model("reports", "ActivityGoods").objects.all()
    assert (line.item, line.value_vnd) == ("50 suất quà, 1 tấn gạo", 5_000_000)
    (year,) = new.get_model("reports", "SupportYear").objects.all()
    assert (year.agency_id, year.year, year.activities) == (successor.pk, 2024, 1)
    assert (year.cash, year.cash_other, year.in_kind, year.others) == (
        15_000_000,
        15_000_000,
        5_000_000,
        50,
    )
    # Documents issued before the register: the body named in their heading issued them; the
    # first to hold a number keeps it in that body's register, blank numbers take none.
    issued = list(new.get_model("reports", "IssuedDocument").objects.order_by("pk"))
    ban = Agency.objects.get(name="Ban Dân tộc tỉnh")
    assert [d.issuing_agency_id for d in issued] == [ban.pk, ban.pk, ban.pk, None]
    (entry,) = new.get_model("reports", "OutgoingNumber").objects.all()
    assert (entry.issuer_id, entry.year, entry.sequence, entry.symbol) == (
        ban.pk,
        2024,
        15,
        "BC-BDT",
    )
    assert (entry.document_id, entry.typed, entry.kind) == (issued[0].pk, True, "Báo cáo")
