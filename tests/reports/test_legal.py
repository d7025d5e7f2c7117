"""The written forms of Nghị định 30/2020/NĐ-CP."""

import datetime as dt

import pytest

from reports.legal import legal_date


@pytest.mark.parametrize(
    "value, written",
    [
        (dt.date(2024, 3, 5), "ngày 05 tháng 3 năm 2024"),
        (dt.date(2024, 1, 10), "ngày 10 tháng 01 năm 2024"),
        (dt.date(2025, 2, 1), "ngày 01 tháng 02 năm 2025"),
        (dt.date(2025, 11, 10), "ngày 10 tháng 11 năm 2025"),
        (dt.date(2023, 12, 5), "ngày 05 tháng 12 năm 2023"),
        # As a frozen document holds them.
        ("25/03/2024", "ngày 25 tháng 3 năm 2024"),
        ("2024-02-29", "ngày 29 tháng 02 năm 2024"),
        (None, ""),
        ("", ""),
    ],
)
def test_a_leading_zero_only_below_ten_for_days_and_for_january_and_february(value, written):
    assert legal_date(value) == written


def test_what_is_not_a_date_is_refused():
    with pytest.raises(ValueError):
        legal_date("31/02/2024")
