"""Repository rules on both databases: validation, deduplication, all-or-nothing writes."""

from dataclasses import replace

import pytest
from sqlmodel import func, select

from chainmap.records import EnterpriseRecord, InvalidRecord, Label, LocationPrecision
from service import models as m
from service import repository

VALID = EnterpriseRecord(
    uscc="91350100M000100Y43",
    name="上海测试精密机械有限公司",
    town="洞泾镇",
    park="洞泾人工智能产业基地",
    lon=121.255,
    lat=31.094,
    precision=LocationPrecision.SURVEYED,
    labels=frozenset({Label.SPECIALIZED}),
    segments={"ST.PART.REDUCER": 1.0},
)


def _count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_a_valid_enterprise_is_stored_with_its_segment_and_labels(session):
    repository.add_enterprises(session=session, records=[VALID], chain_code="smart_terminal")
    stored = repository.get_enterprise(session=session, uscc="91350100m000100y43")
    public = repository.to_public(session, stored)
    assert public.segments == ["ST.PART.REDUCER"]
    assert public.is_specialized and not public.is_chain_leader
    assert (public.town, public.park) == ("洞泾镇", "洞泾人工智能产业基地")


def test_bulk_writes_keep_every_value_and_fill_the_defaults(session):
    """On PostgreSQL the rows go in by COPY, around SQLAlchemy: the stored rows must not tell."""
    address = "上海市松江区洞泾镇沪松公路1号"
    record = replace(VALID, aliases=("测试精机", "Test Precision"), address=address, revenue_yuan=12_345)
    repository.add_enterprises(session=session, records=[record], chain_code="smart_terminal")
    stored = repository.get_enterprise(session=session, uscc=VALID.uscc)
    assert stored.aliases == ["测试精机", "Test Precision"] and stored.address == record.address
    assert stored.revenue_yuan == 12_345 and stored.created_at is not None and stored.is_specialized
    link = session.exec(select(m.EnterpriseSegment).where(m.EnterpriseSegment.enterprise_id == stored.id)).one()
    assert link.confidence == 1.0 and link.source == "declared"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"uscc": "91350100M000100Y44"}, "uscc", "校验位错误"),
        ({"lon": 121.60, "lat": 31.20}, "location", "不在松江区范围内"),
        ({"lon": 31.09, "lat": 121.25}, "location", "写反"),
        ({"town": "陆家嘴街道"}, "town", "未知的街镇“陆家嘴街道”"),
        ({"segments": {"ST.NOPE": 1.0}}, "segments", "ST.NOPE"),
        ({"name": " "}, "name", "不能为空"),
    ],
)
def test_bad_records_are_refused_with_the_field_and_reason(session, change, field, message):
    with pytest.raises(InvalidRecord, match=message) as caught:
        repository.add_enterprises(session=session, records=[replace(VALID, **change)], chain_code="smart_terminal")
    assert caught.value.field == field


def test_a_duplicate_uscc_is_refused_and_nothing_of_the_batch_is_written(session):
    repository.add_enterprises(session=session, records=[VALID], chain_code="smart_terminal")
    before = _count(session, m.Enterprise)
    fresh = replace(VALID, uscc="913101174JURQ2839L", name="另一家公司")
    with pytest.raises(InvalidRecord, match="已存在（企业：上海测试精密机械有限公司）"):
        repository.add_enterprises(session=session, records=[fresh, VALID], chain_code="smart_terminal")
    assert _count(session, m.Enterprise) == before
    with pytest.raises(InvalidRecord, match="本批数据中重复"):
        repository.add_enterprises(session=session, records=[fresh, fresh], chain_code="smart_terminal")


def test_reloading_the_demo_replaces_demo_rows_and_keeps_real_ones(session, small_demo):
    repository.add_enterprises(session=session, records=[VALID], chain_code="smart_terminal")
    first = repository.replace_demo(session=session, district=small_demo, chain_code="smart_terminal")
    second = repository.replace_demo(session=session, district=small_demo, chain_code="smart_terminal")
    assert first == second == (300, len(small_demo.contracts))
    assert _count(session, m.Enterprise) == 301
    assert _count(session, m.Contract) == len(small_demo.contracts)
    assert repository.get_enterprise(session=session, uscc=VALID.uscc) is not None


def test_reference_data_is_loaded_once(session, chain):
    repository.sync_places(session=session)
    repository.sync_chain(session=session, spec=chain)
    counts = repository.counts(session=session)
    assert (counts["towns"], counts["parks"], counts["segments"]) == (17, 10, len(chain.segments))
    assert _count(session, m.SupplyEdge) == len({(e.supplier, e.buyer) for e in chain.edges})
    focus = session.exec(select(func.count()).select_from(m.ParkFocus)).one()
    assert focus == sum(len(p.focus) for p in chain.park_focus)
