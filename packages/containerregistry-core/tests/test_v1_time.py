"""Time: RFC 3339 with nanoseconds and offsets, as Go's time.Time marshals."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from containerregistry.errors import ContainerRegistryError
from containerregistry.v1 import Time, TimeParseError


@pytest.mark.parametrize(
    ("text", "formatted"),
    [
        pytest.param("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", id="zero"),
        pytest.param("2024-02-29T12:34:56Z", "2024-02-29T12:34:56Z", id="leap-day"),
        pytest.param(
            "2019-01-01T00:00:00.123456789Z", "2019-01-01T00:00:00.123456789Z", id="nanos"
        ),
        pytest.param("2019-01-01T00:00:00.100000000Z", "2019-01-01T00:00:00.1Z", id="trim-zeros"),
        pytest.param("2019-01-01T00:00:00.000Z", "2019-01-01T00:00:00Z", id="all-zero-fraction"),
        pytest.param(
            "2019-01-01T00:00:00.1234567891234Z", "2019-01-01T00:00:00.123456789Z", id="truncate"
        ),
        pytest.param("2019-06-01T10:00:00+05:30", "2019-06-01T10:00:00+05:30", id="offset-kept"),
        pytest.param("2019-06-01T10:00:00-07:00", "2019-06-01T10:00:00-07:00", id="negative"),
        pytest.param("2019-06-01T10:00:00+00:00", "2019-06-01T10:00:00Z", id="zero-offset-is-Z"),
        pytest.param("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", id="year-zero"),
        pytest.param("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z", id="max"),
        pytest.param("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5Z", id="before-epoch"),
    ],
)
def test_parse_and_format(text: str, formatted: str) -> None:
    parsed = Time.parse(text)
    assert str(parsed) == formatted
    assert parsed.to_json() == f'"{formatted}"'.encode()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("2019-01-01", id="date-only"),
        pytest.param("2019-01-01T00:00:00", id="no-zone"),
        pytest.param("2019-01-01 00:00:00Z", id="space"),
        pytest.param("2019-01-01t00:00:00Z", id="lowercase-t"),
        pytest.param("2019-13-01T00:00:00Z", id="month"),
        pytest.param("2019-02-29T00:00:00Z", id="not-leap"),
        pytest.param("2019-01-01T24:00:00Z", id="hour"),
        pytest.param("2019-01-01T00:00:60Z", id="leap-second"),
        pytest.param("2019-01-01T00:00:00+24:00", id="offset-hour"),
        pytest.param("2019-01-01T00:00:00,5Z", id="comma-fraction"),
        pytest.param("2019-01-01T00:00:00.Z", id="empty-fraction"),
        pytest.param("2019-01-01T0:00:00Z", id="one-digit-hour"),
        pytest.param("2019-01-01T00:00:00+0100", id="offset-without-colon"),
        pytest.param("٢٠١٩-01-01T00:00:00Z", id="non-ascii-digits"),
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(TimeParseError) as info:
        Time.parse(text)
    assert repr(text) in str(info.value)
    assert isinstance(info.value, ContainerRegistryError)


def test_default_is_go_zero_time() -> None:
    zero = Time()
    assert str(zero) == "0001-01-01T00:00:00Z"
    assert zero.is_zero()
    assert Time.parse("0001-01-01T00:00:00Z") == zero


def test_equal_compares_instants_eq_compares_offsets() -> None:
    utc = Time.parse("2020-01-01T00:00:00Z")
    shifted = Time.parse("2020-01-01T01:00:00+01:00")
    assert utc.equal(shifted)
    assert utc != shifted
    assert shifted.utc() == utc


def test_datetime_round_trip() -> None:
    zone = datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))
    value = datetime.datetime(2021, 3, 4, 5, 6, 7, 890123, tzinfo=zone)
    converted = Time.from_datetime(value)
    assert str(converted) == "2021-03-04T05:06:07.890123-03:30"
    assert converted.to_datetime() == value


def test_naive_datetime_is_utc() -> None:
    assert str(Time.from_datetime(datetime.datetime(2000, 1, 1))) == "2000-01-01T00:00:00Z"


def test_now_is_utc_with_nanoseconds() -> None:
    now = Time.now()
    assert now.offset == 0
    assert str(now).endswith("Z")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"nanos": 10**9}, "nanos", id="nanos"),
        pytest.param({"unix": 0, "offset": 24 * 3600}, "offset", id="offset"),
        pytest.param({"unix": 253_402_300_800}, "0..9999", id="year-10000"),
    ],
)
def test_constructor_validates(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(TimeParseError, match=match):
        Time(**kwargs)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b'"2020-01-01T00:00:00Z"', "2020-01-01T00:00:00Z", id="string"),
        pytest.param(b"null", "0001-01-01T00:00:00Z", id="null-is-zero"),
    ],
)
def test_from_json(data: bytes, expected: str) -> None:
    assert str(Time.from_json(data)) == expected


def test_from_json_rejects_numbers() -> None:
    with pytest.raises(TimeParseError, match="want an RFC 3339 time string"):
        Time.from_json(b"12")


times = st.builds(
    lambda unix, nanos, offset_minutes: Time(unix=unix, nanos=nanos, offset=offset_minutes * 60),
    unix=st.integers(-62_135_596_800 + 86_400, 253_402_300_799 - 86_400),
    nanos=st.integers(0, 999_999_999),
    offset_minutes=st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)


@given(times)
def test_parse_inverts_str(value: Time) -> None:
    assert Time.parse(str(value)) == value


@given(st.datetimes(timezones=st.just(datetime.timezone.utc)))
def test_matches_datetime_isoformat(value: datetime.datetime) -> None:
    iso = value.replace(tzinfo=None).isoformat(timespec="seconds")
    assert str(Time.from_datetime(value)).startswith(iso)
