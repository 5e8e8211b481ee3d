"""Agendas and table sheets agree with the schedule they are printed from."""

from __future__ import annotations

from matching.scheduling.model import Event, Host, Meeting, Request, Visitor, make_slots
from matching.scheduling.sheets import HOST, VISITOR, agendas, table_sheets
from matching.scheduling.solve import schedule_event

EVENT = Event(
    slots=make_slots("14:00", 15, 3),
    hosts=(Host("H1", ("A1", "A2"), name="区教育局", offer="智慧教育终端，30所学校"),),
    visitors=(
        Visitor("V1", name="甲科技", offer="教育平板"),
        Visitor("V2", name="乙电子", offer="交互大屏"),
        Visitor("V3"),
    ),
    requests=(Request("H1", "V1", 2), Request("H1", "V2")),
    confirmed=(Meeting("H1", "V2", 1, "A2"),),
)


def test_agendas_list_each_side_with_time_table_and_counterpart():
    schedule = schedule_event(EVENT)
    rows = agendas(EVENT, schedule.meetings)
    assert rows["V3"] == []
    (v2,) = rows["V2"]
    assert (v2.time, v2.table, v2.role, v2.counterpart_name, v2.counterpart_offer) == (
        "14:15-14:30",
        "A2",
        VISITOR,
        "区教育局",
        "智慧教育终端，30所学校",
    )
    host = rows["H1"]
    assert all(r.role == HOST for r in host) and len(host) == 2
    assert [r.slot for r in host] == sorted(r.slot for r in host)
    assert {r.counterpart_offer for r in host} == {"教育平板", "交互大屏"}


def test_table_sheets_have_every_slot_and_match_the_meetings():
    schedule = schedule_event(EVENT)
    sheets = table_sheets(EVENT, schedule.meetings)
    assert list(sheets) == ["A1", "A2"]
    assert all(len(rows) == 3 and [r.time for r in rows] == [s.label for s in EVENT.slots] for rows in sheets.values())
    occupied = {(table, r.slot, r.visitor) for table, rows in sheets.items() for r in rows if r.visitor}
    assert occupied == {(m.table, m.slot, m.visitor) for m in schedule.meetings}
    assert ("A2", 1, "V2") in occupied
    names = {r.visitor_name for rows in sheets.values() for r in rows if r.visitor}
    assert names <= {"甲科技", "乙电子"} and all(r.host_name == "区教育局" for r in sheets["A1"])
