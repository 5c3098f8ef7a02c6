"""``Time``: an instant with nanoseconds and the UTC offset it was written with.

Go's ``time.Time`` keeps both, and ggcr writes it as RFC 3339 with nanoseconds
(``2006-01-02T15:04:05.999999999Z07:00``): trailing zeros of the fraction trimmed,
``Z`` for a zero offset, other offsets kept. ``datetime`` would lose the
nanoseconds and cannot hold year 0, so the calendar arithmetic is done here.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from containerregistry.v1._errors import TimeParseError

if TYPE_CHECKING:
    import datetime

_SECONDS_PER_DAY = 86_400
_NANOS_PER_SECOND = 1_000_000_000
#: Days from 0000-03-01 (the start of the proleptic Gregorian 400-year era used
#: below) to 1970-01-01.
_EPOCH_SHIFT_DAYS = 719_468
_DAYS_PER_ERA = 146_097
#: Seconds from 0001-01-01T00:00:00Z (Go's zero Time) to the Unix epoch, negated.
ZERO_UNIX = -62_135_596_800
#: Go refuses to marshal years outside 0..9999, so a Time is limited to them.
_MIN_UNIX = -62_167_219_200  # 0000-01-01T00:00:00Z
_MAX_UNIX = 253_402_300_799  # 9999-12-31T23:59:59Z
#: Offsets are written as +hh:mm with hh below 24.
_MAX_OFFSET = 24 * 3600 - 1


def days_from_civil(year: int, month: int, day: int) -> int:
    """Return the days since 1970-01-01 of a proleptic Gregorian date."""
    if month <= 2:
        year -= 1
    era = year // 400
    year_of_era = year - era * 400
    shifted_month = month - 3 if month > 2 else month + 9
    day_of_year = (153 * shifted_month + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * _DAYS_PER_ERA + day_of_era - _EPOCH_SHIFT_DAYS


def civil_from_days(days: int) -> tuple[int, int, int]:
    """Return (year, month, day) of the date ``days`` after 1970-01-01."""
    days += _EPOCH_SHIFT_DAYS
    era = days // _DAYS_PER_ERA
    day_of_era = days - era * _DAYS_PER_ERA
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclasses.dataclass(frozen=True, kw_only=True, order=True)
class Time:
    """An instant in time: Unix seconds, nanoseconds, and the UTC offset to show it in.

    ``Time()`` is Go's zero time, ``0001-01-01T00:00:00Z``; ggcr writes it (it is
    never omitted). ``str(t)`` and ``to_json`` use RFC 3339 with nanoseconds.
    Two times are ``==`` only if the offset matches too; :meth:`equal` compares
    instants. Years are limited to 0..9999, the range Go can marshal.

    Attributes:
        unix: seconds since 1970-01-01T00:00:00Z (default: Go's zero time).
        nanos: nanoseconds within the second, 0..999999999 (default 0).
        offset: seconds east of UTC of the written form (default 0, shown as ``Z``).
    """

    unix: int = ZERO_UNIX
    nanos: int = 0
    offset: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.nanos < _NANOS_PER_SECOND:
            raise TimeParseError(f"invalid time: nanos {self.nanos} is outside 0..999999999")
        if not -_MAX_OFFSET <= self.offset <= _MAX_OFFSET:
            raise TimeParseError(
                f"invalid time: UTC offset {self.offset}s is outside -23:59..+23:59"
            )
        local = self.unix + self.offset
        if not _MIN_UNIX <= local <= _MAX_UNIX:
            raise TimeParseError(
                f"invalid time: unix {self.unix} with offset {self.offset}s is outside "
                "the years 0..9999 that RFC 3339 JSON can hold"
            )

    # Constructors -----------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Time:
        """Parse RFC 3339 (``2006-01-02T15:04:05[.999999999](Z|+07:00)``) as Go does.

        More than nine fractional digits are truncated; the offset is kept.
        Raises :class:`TimeParseError` naming the input.
        """
        error = _parse_error(text)
        if len(text) < 20 or text[4] != "-" or text[7] != "-" or text[10] != "T":
            raise error("want the form 2006-01-02T15:04:05Z07:00")
        if text[13] != ":" or text[16] != ":":
            raise error("want the form 2006-01-02T15:04:05Z07:00")
        year = _digits(text, 0, 4, error)
        month = _digits(text, 5, 7, error)
        day = _digits(text, 8, 10, error)
        hour = _digits(text, 11, 13, error)
        minute = _digits(text, 14, 16, error)
        second = _digits(text, 17, 19, error)
        if not 1 <= month <= 12:
            raise error("month out of range")
        if not 1 <= day <= _days_in_month(year, month):
            raise error("day out of range")
        if hour > 23:
            raise error("hour out of range")
        if minute > 59:
            raise error("minute out of range")
        if second > 59:
            raise error("second out of range")
        rest = text[19:]
        nanos = 0
        if len(rest) >= 2 and rest[0] == "." and rest[1].isdigit() and rest[1].isascii():
            end = 1
            while end < len(rest) and rest[end].isascii() and rest[end].isdigit():
                end += 1
            fraction = rest[1:end][:9]
            nanos = int(fraction.ljust(9, "0"))
            rest = rest[end:]
        if rest == "Z":
            offset = 0
        elif len(rest) == 6 and rest[0] in "+-" and rest[3] == ":":
            offset_hours = _digits(rest, 1, 3, error)
            offset_minutes = _digits(rest, 4, 6, error)
            if offset_hours > 23:
                raise error("timezone hour outside of range [0,23]")
            if offset_minutes > 59:
                raise error("timezone minute out of range")
            offset = offset_hours * 3600 + offset_minutes * 60
            if rest[0] == "-":
                offset = -offset
        else:
            raise error("want a Z or +hh:mm offset at the end")
        local = days_from_civil(year, month, day) * _SECONDS_PER_DAY
        local += hour * 3600 + minute * 60 + second
        return cls(unix=local - offset, nanos=nanos, offset=offset)

    @classmethod
    def from_datetime(cls, value: datetime.datetime) -> Time:
        """Convert a ``datetime``; a naive one is taken as UTC. The offset is kept."""
        delta = value.utcoffset()
        offset = 0 if delta is None else int(delta.total_seconds())
        local = days_from_civil(value.year, value.month, value.day) * _SECONDS_PER_DAY
        local += value.hour * 3600 + value.minute * 60 + value.second
        return cls(unix=local - offset, nanos=value.microsecond * 1000, offset=offset)

    @classmethod
    def now(cls) -> Time:
        """Return the current time in UTC, with nanoseconds."""
        import time

        total = time.time_ns()
        return cls(unix=total // _NANOS_PER_SECOND, nanos=total % _NANOS_PER_SECOND)

    @classmethod
    def from_json(cls, data: bytes | str) -> Time:
        """Parse a JSON string holding an RFC 3339 time; ``null`` gives the zero time."""
        from containerregistry.v1._decode import Reader

        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        stripped = text.strip(" \t\r\n")
        if stripped == "null":
            return cls()
        import json

        try:
            value = json.loads(stripped)
        except ValueError as exc:
            raise TimeParseError(f"cannot parse time: invalid JSON: {exc}") from None
        return time_from_value(value, "", Reader("time", TimeParseError))

    # Views ----------------------------------------------------------------

    def is_zero(self) -> bool:
        """Return whether this is Go's zero time, ``0001-01-01T00:00:00Z`` in any offset."""
        return self.unix == ZERO_UNIX and self.nanos == 0

    def equal(self, other: Time) -> bool:
        """Return whether both denote the same instant, whatever their offsets."""
        return self.unix == other.unix and self.nanos == other.nanos

    def utc(self) -> Time:
        """Return the same instant shown in UTC."""
        return Time(unix=self.unix, nanos=self.nanos)

    def to_datetime(self) -> datetime.datetime:
        """Return an aware ``datetime`` (microseconds; the nanoseconds beyond are dropped).

        Raises ``ValueError`` for year 0, which ``datetime`` cannot represent.
        """
        import datetime

        zone = datetime.timezone(datetime.timedelta(seconds=self.offset))
        year, month, day, hour, minute, second = self._civil()
        return datetime.datetime(
            year, month, day, hour, minute, second, self.nanos // 1000, tzinfo=zone
        )

    def _civil(self) -> tuple[int, int, int, int, int, int]:
        local = self.unix + self.offset
        days, seconds = divmod(local, _SECONDS_PER_DAY)
        year, month, day = civil_from_days(days)
        hour, seconds = divmod(seconds, 3600)
        minute, second = divmod(seconds, 60)
        return year, month, day, hour, minute, second

    def __str__(self) -> str:
        """Format as Go's RFC3339Nano: ``2006-01-02T15:04:05.999999999Z07:00``."""
        year, month, day, hour, minute, second = self._civil()
        text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        if self.nanos:
            text += "." + f"{self.nanos:09d}".rstrip("0")
        if self.offset == 0:
            return text + "Z"
        sign = "-" if self.offset < 0 else "+"
        # Go writes hours and minutes only; seconds of an offset are dropped.
        minutes_total = abs(self.offset) // 60
        return f"{text}{sign}{minutes_total // 60:02d}:{minutes_total % 60:02d}"

    def to_json(self) -> bytes:
        """Return the JSON string Go's ``time.Time.MarshalJSON`` writes (quotes included)."""
        return b'"' + str(self).encode("ascii") + b'"'

    def _json_tree(self) -> str:
        return str(self)


def _parse_error(text: str) -> Any:
    def make(reason: str) -> TimeParseError:
        return TimeParseError(f"cannot parse time {text!r}: {reason}")

    return make


def _digits(text: str, start: int, end: int, error: Any) -> int:
    part = text[start:end]
    if len(part) != end - start or not (part.isascii() and part.isdigit()):
        raise error(f"want digits at position {start}, got {part!r}")
    return int(part)


def time_from_value(value: Any, path: str, reader: Any) -> Time:
    """Read a decoded JSON value (a string, or null for the zero time) as a Time."""
    if value is None:
        return Time()
    if not isinstance(value, str):
        from containerregistry.v1._decode import kind

        raise reader.error_at(path, f"want an RFC 3339 time string, got {kind(value)}")
    try:
        return Time.parse(value)
    except TimeParseError as exc:
        raise reader.error_at(path, str(exc)) from None
