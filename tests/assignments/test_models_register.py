"""The register of exemplary models: the year's counts by field and level, scoping, pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments.models import Agency, ExemplaryModel, ModelYear, User
from assignments.models.emulation import summary

pytestmark = pytest.mark.django_db


def register(name, field, agency, years, owner="agency", **owner_fields):
    model = ExemplaryModel.objects.create(
        name=name,
        field=field,
        owner=owner,
        agency=agency,
        start_year=2024,
        description=name,
        **owner_fields,
    )
    for year, status, level in years:
        ModelYear.objects.create(model=model, year=year, status=status, level=level)
    return model


def test_the_years_table_counts_by_field_and_level(demo):
    culture = Agency.objects.get(name="Sở Văn hóa, Thể thao và Du lịch")
    police = Agency.objects.get(name="Công an tỉnh")
    register("Bò sinh sản", "economy", culture, [(2024, "registered", ""), (2025, "effective", "")])
    register("Cồng chiêng", "culture_society", culture, [(2025, "commended", "province")])
    register("Tổ tự quản", "defence_security", police, [(2025, "registered", "")])
    register(
        "Già làng vận động",
        "political_system",
        police,
        [(2025, "commended", "district")],
        owner="person",
        person="Già làng A",
    )
    table = summary(2025)
    by_field = {row["field"]: row for row in table["rows"]}
    assert by_field["economy"]["registered"] == 1 and by_field["economy"]["effective"] == 1
    assert by_field["culture_society"]["collectives"] == 1
    assert by_field["culture_society"]["level_province"] == 1
    assert by_field["political_system"]["individuals"] == 1
    assert table["total"] == {
        "registered": 4,
        "effective": 3,  # the commended ones were judged effective too
        "collectives": 1,
        "individuals": 1,
        "level_central": 0,
        "level_province": 1,
        "level_district": 1,
        "level_commune": 0,
    }
    assert summary(2024)["total"]["registered"] == 1
    with pytest.raises(ValidationError):  # a commendation without its level
        ModelYear(model=ExemplaryModel.objects.first(), year=2026, status="commended").full_clean()


def test_a_model_names_its_owner(demo):
    model = ExemplaryModel(name="Mô hình", field="economy", owner="person", start_year=2024)
    with pytest.raises(ValidationError) as error:
        model.full_clean()
    assert "person" in error.value.message_dict


def test_the_register_page_scoped_and_its_queries_bounded(
    client, demo, django_assert_max_num_queries
):
    culture = Agency.objects.get(name="Sở Văn hóa, Thể thao và Du lịch")
    police = Agency.objects.get(name="Công an tỉnh")
    register("Bò sinh sản", "economy", culture, [(2025, "effective", "")])
    register("Tổ tự quản", "defence_security", police, [(2025, "registered", "")])
    client.force_login(User.objects.get(username="vhttdl"))
    url = reverse("model_list") + "?year=2025"
    with django_assert_max_num_queries(30) as small:
        page = client.get(url)
    bound = len(small.captured_queries)
    assert [m.name for m in page.context["page"]] == ["Bò sinh sản"]  # its own agency's
    assert page.context["summary"]["total"]["registered"] == 1
    for n in range(8):
        register(f"Mô hình {n}", "economy", culture, [(2025, "registered", "")])
    with django_assert_max_num_queries(bound):
        client.get(url)
    client.force_login(User.objects.get(username="dieuphoi"))
    assert client.get(url).context["summary"]["total"]["registered"] == 10


def test_registering_a_model_with_its_year_through_the_page(client, demo):
    reporter = User.objects.get(username="vhttdl")
    client.force_login(reporter)
    own = reporter.agencies.get()
    response = client.post(
        reverse("model_create"),
        {
            "name": "Nuôi bò sinh sản",
            "field": "economy",
            "owner": "agency",
            "agency": own.pk,
            "start_year": 2025,
            "description": "Hỗ trợ 10 hộ nghèo",
            "year-year": 2025,
            "year-status": "registered",
        },
    )
    assert response.status_code == 302
    model = ExemplaryModel.objects.get()
    assert model.years.get().status == "registered"
    other = Agency.objects.get(name="Công an tỉnh")
    response = client.post(
        reverse("model_create"),
        {
            "name": "Không phải của mình",
            "field": "economy",
            "owner": "agency",
            "agency": other.pk,
            "start_year": 2025,
            "description": "x",
            "year-year": 2025,
            "year-status": "registered",
        },
    )
    assert response.status_code == 200 and ExemplaryModel.objects.count() == 1
    url = reverse("model_year", args=[model.pk]) + "?year=2026"
    client.post(
        url,
        {"year": 2026, "status": "commended", "level": "province", "commendation": "Bằng khen"},
    )
    assert model.years.get(year=2026).level == "province"
