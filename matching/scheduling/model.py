"""A matchmaking conference (对接大会) as plain data: slots, hosts with tables, visitors, requests.

Times are minutes since midnight (``9 * 60`` is 09:00). A request is a wish for one 1:1 meeting
between a host (who sits at one of its tables) and a visitor (who walks to it); its ``weight`` is
its value, higher is more wanted. Availability windows are half-open ``[start, end)``; a
participant without windows is available all day. A slot is open to a participant when it lies
inside one of its windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ScheduleInputError(ValueError):
    """Inconsistent event data; ``field`` names where (e.g. ``requests[3].visitor``), the message is Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}：{message}")
        self.field = field
        self.message = message


def clock(minute: int) -> str:
    """``540`` -> ``"09:00"``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def minute_of(text: str) -> int:
    """``"09:00"`` -> ``540``; a Chinese error for anything else."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ScheduleInputError("time", f"时间“{text}”不是 HH:MM 格式")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class Slot:
    start: int
    minutes: int

    @property
    def end(self) -> int:
        return self.start + self.minutes

    @property
    def label(self) -> str:
        return f"{clock(self.start)}-{clock(self.end)}"


def make_slots(first: str, minutes: int, count: int, breaks: dict[int, int] | None = None) -> tuple[Slot, ...]:
    """``count`` slots of ``minutes`` from ``first``; ``breaks`` maps a slot index to the pause (minutes) after it."""
    start, slots = minute_of(first), []
    for index in range(count):
        slots.append(Slot(start, minutes))
        start += minutes + (breaks or {}).get(index, 0)
    return tuple(slots)


@dataclass(frozen=True)
class Window:
    start: int
    end: int

    def holds(self, slot: Slot) -> bool:
        return self.start <= slot.start and slot.end <= self.end


@dataclass(frozen=True)
class Host:
    id: str
    tables: tuple[str, ...]
    name: str = ""
    offer: str = ""  # what the host is looking for or offering, printed on agendas
    available: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Visitor:
    id: str
    name: str = ""
    offer: str = ""
    available: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Request:
    host: str
    visitor: str
    weight: int = 1


@dataclass(frozen=True)
class Meeting:
    host: str
    visitor: str
    slot: int  # index into Event.slots
    table: str


@dataclass(frozen=True)
class Event:
    slots: tuple[Slot, ...]
    hosts: tuple[Host, ...]
    visitors: tuple[Visitor, ...]
    requests: tuple[Request, ...]
    max_meetings_per_visitor: int | None = None
    confirmed: tuple[Meeting, ...] = field(default=())  # meetings already announced; kept where possible
