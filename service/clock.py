"""The district's clock: dates and times as people in Songjiang read them (Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(LOCAL_TIME).date()


def local_minute(moment: datetime | str) -> str:
    """A stored moment (a datetime or its ISO text; without an offset it is UTC) as ``"2026-12-20 14:30"``
    in Shanghai time."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
