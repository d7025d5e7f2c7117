"""Diacritics-insensitive search and Vietnamese alphabetical order, on the database in use
(the suite runs on SQLite and on PostgreSQL)."""

import datetime as dt
import unicodedata

import pytest
from django.db import connection

from assignments import restructuring
from assignments.models import Agency, EthnicGroup, Village
from tests.factories import make_agency, make_commune, make_village

pytestmark = pytest.mark.django_db


def nfd(text):
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize("query", ["lang dip", "LÀNG DÍP", "Làng Díp", nfd("Làng Díp"), "dip"])
def test_every_spelling_finds_the_village(query):
    dip = make_village(name="Díp")
    make_village(name="Kép")
    assert list(Village.objects.search(query)) == [dip]


def test_a_name_typed_in_nfd_is_stored_in_nfc_and_found():
    village = make_village(name=nfd("  Đê   Kjiêng "))
    village.refresh_from_db()
    assert village.name == "Đê Kjiêng"
    assert unicodedata.is_normalized("NFC", village.name)
    assert list(Village.objects.search("de kjieng")) == [village]


def test_d_with_stroke_matches_d():
    agency = make_agency(name="Đài Phát thanh - Truyền hình tỉnh")
    assert list(Agency.objects.search("dai phat thanh")) == [agency]


def test_every_word_must_match():
    make_agency(name="Sở Văn hóa, Thể thao và Du lịch", short_name="Sở VHTTDL")
    make_agency(name="Sở Y tế")
    assert [a.name for a in Agency.objects.search("so van hoa")] == [
        "Sở Văn hóa, Thể thao và Du lịch"
    ]
    assert Agency.objects.search("vhttdl").count() == 1
    assert Agency.objects.search("so").count() == 2
    assert Agency.objects.search("so xyz").count() == 0


def test_ethnic_groups_are_found_by_their_other_spellings():
    assert EthnicGroup.objects.search("jrai").get().name == "Gia Rai"
    assert EthnicGroup.objects.search("khmer").get().code == "05"


def test_bulk_create_keeps_the_search_keys_in_step():
    commune = make_commune()
    Village.objects.bulk_create([Village(name=nfd("Ơi Ngai"), commune=commune, kind="buon")])
    village = Village.objects.get()
    assert (village.name, village.name_key, village.search_key) == (
        "Ơi Ngai",
        "oi ngai",
        "buon oi ngai",
    )


def test_bulk_update_of_a_name_refreshes_the_keys():
    village = make_village(name="Cũ")
    village.name = "Tung Ke"
    Village.objects.bulk_update([village], ["name"])
    assert list(Village.objects.search("tung ke")) == [village]


def test_update_of_a_name_is_refused_rather_than_leaving_keys_stale():
    make_village(name="Cũ")
    with pytest.raises(TypeError):
        Village.objects.update(name="Mới")
    assert Village.objects.search("moi").count() == 0


def test_save_with_update_fields_refreshes_the_keys():
    agency = make_agency(name="Sở Cũ")
    agency.name = "Sở Nội vụ"
    agency.save(update_fields=["name"])
    assert list(Agency.objects.search("noi vu")) == [agency]


EXPECTED_ORDER = [
    "An",
    "Ăn",
    "Ân",
    "Bình",
    "Dip",
    "Đak",
    "Đê",
    "Ê Đê",
    "Kép",
    "O",
    "Ô",
    "Ơ",
    "Tung",
    "Tư",
    "U",
    "Ư",
]


@pytest.mark.parametrize("order", ["name", "sort_key"])
def test_names_sort_in_vietnamese_alphabet_order_in_the_database(order):
    # Names that differ only by marks fold alike, so each village has a commune of its own.
    for name in reversed(EXPECTED_ORDER):
        make_village(name=name)
    assert list(Village.objects.order_by(order).values_list("name", flat=True)) == EXPECTED_ORDER


@pytest.mark.parametrize("order", ["name", "sort_key"])
def test_tones_sort_after_the_letters_in_the_database(order):
    for name in ["mạ", "má", "mã", "mả", "mà", "ma", "mai"]:
        make_village(name=name)
    assert list(Village.objects.order_by(order).values_list("name", flat=True)) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
        "mai",
    ]


def test_lists_sort_by_the_key_both_databases_compare_natively_numbers_by_value():
    names = ["thôn 10", "thôn 5", "thôn 1", "Đoàn Kết", "Dơ", "Ia Kreng", "Ia Ka", "Ơi Ngai"]
    for name in names:
        make_village(name=name)
    assert list(Village.objects.values_list("name", flat=True)) == [
        "Dơ",
        "Đoàn Kết",
        "Ia Ka",
        "Ia Kreng",
        "Ơi Ngai",
        "thôn 1",
        "thôn 5",
        "thôn 10",
    ]
    # The key is plain digits: no collation (nor Python callback) decides the order.
    assert all(key.isdigit() for key in Village.objects.values_list("sort_key", flat=True))


def test_the_database_uses_the_vietnamese_collation():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = 'vietnamese'")
            assert cursor.fetchone() == ("i",)  # ICU
    else:
        assert connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'Đak' < 'Kép' COLLATE vietnamese")
            assert cursor.fetchone() == (1,)


def test_a_merged_communes_villages_keep_their_history(coordinator):
    old_a = make_commune(name="Ia Kreng")
    old_b = make_commune(name="Ia Ka", parent=old_a.parent)
    dip = make_village(name="Dip", commune=old_a)
    new = make_commune(
        name="Ia Kreng mới", parent=old_a.parent.parent, valid_from=dt.date(2025, 7, 1)
    )
    restructuring.unit_merge(
        units=[old_a, old_b],
        successor=new,
        date=dt.date(2025, 7, 1),
        by=coordinator,
        document_reference="Nghị quyết sắp xếp 2025",
    )
    dip.refresh_from_db()
    old_a.refresh_from_db()
    assert dip.commune == new
    assert old_a.valid_to == dt.date(2025, 6, 30)
    assert set(new.predecessors.all()) == {old_a, old_b}
    assert [h.commune_id for h in dip.history.order_by("history_id")] == [old_a.pk, new.pk]
    assert dip.commune_on(dt.date(2025, 6, 30)) == old_a
    assert dip.commune_on(dt.date(2025, 7, 1)) == new
