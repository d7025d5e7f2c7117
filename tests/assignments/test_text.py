import unicodedata

from assignments.text import clean_text, fold, search_terms, strip_prefix, vietnamese_sort_key


def nfd(text):
    return unicodedata.normalize("NFD", text)


def test_clean_text_normalises_to_nfc_and_trims():
    assert clean_text(nfd("  Làng   Díp ")) == "Làng Díp"
    assert unicodedata.is_normalized("NFC", clean_text(nfd("Sở Văn hóa")))


def test_clean_text_removes_invisible_and_non_breaking_spaces():
    assert clean_text("Ia\u00a0Kreng\u200b") == "Ia Kreng"
    assert clean_text("\ufeffChư\u202fPăh\t") == "Chư Păh"


def test_clean_text_of_none_is_empty():
    assert clean_text(None) == ""


def test_fold_ignores_diacritics_case_and_form():
    assert fold("LÀNG DÍP") == fold("Làng Díp") == fold(nfd("Làng Díp")) == "lang dip"


def test_fold_maps_d_with_stroke():
    # NFD does not decompose đ: without an explicit mapping "Đak Đoa" would not fold to "dak doa".
    assert fold("Đak Đoa") == "dak doa"
    assert fold("đường") == "duong"


def test_fold_treats_punctuation_as_space():
    assert fold("Sở Văn hóa-Thể thao và Du lịch") == fold("Sở Văn hóa, Thể thao và Du lịch")


def test_search_terms_split_a_query_into_folded_words():
    assert search_terms("  Làng  DÍP ") == ["lang", "dip"]


def test_strip_prefix_removes_a_leading_unit_word():
    assert strip_prefix("làng Dip", ["làng", "thôn"]) == "Dip"
    assert strip_prefix("Xã Ia Kreng", ["xã"]) == "Ia Kreng"
    assert strip_prefix("thị trấn Phú Hòa", ["thị", "thị trấn"]) == "Phú Hòa"


def test_strip_prefix_keeps_names_without_prefix_and_bare_prefixes():
    assert strip_prefix("Dip", ["làng"]) == "Dip"
    assert strip_prefix("Làng", ["làng"]) == "Làng"
    # "Langa" only starts with the letters of the prefix, not with the word.
    assert strip_prefix("Langa", ["làng"]) == "Langa"


# The Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# tones as a secondary difference (none, huyền, hỏi, ngã, sắc, nặng).
VIETNAMESE_ORDER = [
    "An",
    "Ăn",
    "Ân",
    "Bình",
    "Cơ",
    "Dip",
    "Đak",
    "Đê",
    "En",
    "Ê Đê",
    "Gia",
    "Ia",
    "Kép",
    "O",
    "Ô",
    "Ơ",
    "Tung",
    "Tư",
    "U",
    "Ư",
    "Ưng",
    "Y",
]
TONE_ORDER = ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_sort_key_follows_the_vietnamese_alphabet():
    assert (
        sorted(VIETNAMESE_ORDER[1::2] + VIETNAMESE_ORDER[::2], key=vietnamese_sort_key)
        == VIETNAMESE_ORDER
    )


def test_sort_key_orders_tones_after_letters():
    assert sorted(TONE_ORDER[1::2] + TONE_ORDER[::2], key=vietnamese_sort_key) == TONE_ORDER
    # The base letters decide first: "mạ" < "mai" although ạ is the "heaviest" tone.
    assert sorted(["mai", "mạ"], key=vietnamese_sort_key) == ["mạ", "mai"]


def test_python_sorted_gets_vietnamese_wrong():
    # The reason for the collation: code-point order puts Đ after every ASCII letter.
    assert sorted(["Đak", "Kép"]) == ["Kép", "Đak"]


def test_sort_key_is_the_same_for_nfc_and_nfd():
    assert vietnamese_sort_key(nfd("Ưng Đê")) == vietnamese_sort_key("Ưng Đê")
