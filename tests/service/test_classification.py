"""Stored assignments on both databases: the classifier fills in, declared and manual rows stay."""

import pytest
from sqlmodel import select

from chainmap.model_store import classifier_for
from chainmap.records import EnterpriseRecord, InvalidRecord, SegmentSource
from service import models as m
from service import repository
from service.classification import classify_stored, set_manual_segments

UNDECLARED = EnterpriseRecord(
    uscc="913101174JURQ2839L",
    name="上海谐驱传动技术有限公司",
    products="谐波减速器、RV减速器",
    business_scope="齿轮及齿轮减速、变速箱制造",
)
DECLARED = EnterpriseRecord(
    uscc="91310117FQEFLCR667",
    name="上海某智能科技有限公司",
    products="谐波减速器",
    segments={"ST.ROB.IND": 1.0},
)
BAKERY = EnterpriseRecord(
    uscc="913101173F0WTCDK5U", name="上海某烘焙有限公司", products="面包、糕点", business_scope="食品生产"
)


def _links(session, uscc: str) -> dict[str, tuple[str, str]]:
    query = (
        select(m.Segment.code, m.EnterpriseSegment.source, m.EnterpriseSegment.evidence)
        .join(m.EnterpriseSegment)
        .join(m.Enterprise, m.Enterprise.id == m.EnterpriseSegment.enterprise_id)
        .where(m.Enterprise.uscc == uscc)
    )
    return {code: (source, evidence) for code, source, evidence in session.exec(query)}


@pytest.fixture
def stored(session):
    repository.add_enterprises(session=session, records=[UNDECLARED, DECLARED, BAKERY], chain_code="smart_terminal")
    return session


def test_classification_fills_in_undeclared_enterprises_with_evidence(stored):
    run = classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier_for("smart_terminal"))
    assert run.classified == 2 and run.assigned == 1 and run.kept == 1
    links = _links(stored, UNDECLARED.uscc)
    assert links["ST.PART.REDUCER"][0] == SegmentSource.CLASSIFIED
    assert "谐波减速器" in links["ST.PART.REDUCER"][1]
    assert _links(stored, DECLARED.uscc) == {"ST.ROB.IND": (SegmentSource.DECLARED, "")}
    assert _links(stored, BAKERY.uscc) == {}


def test_a_manual_assignment_wins_and_survives_reclassification(stored):
    classifier = classifier_for("smart_terminal")
    classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier)
    set_manual_segments(session=stored, uscc=UNDECLARED.uscc, chain_code="smart_terminal", codes=["ST.PART.MOTOR"])
    again = classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier)
    assert _links(stored, UNDECLARED.uscc) == {"ST.PART.MOTOR": (SegmentSource.MANUAL, "人工指定")}
    assert again.kept == 2 and again.classified == 1


def test_a_second_run_of_the_same_model_leaves_its_rows_alone(stored):
    classifier = classifier_for("smart_terminal")
    first = classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier)
    second = classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier)
    assert (first.classified, first.current) == (2, 0)
    assert (second.classified, second.current, second.links) == (1, 1, 0)  # only the bakery, which has no rows, again
    everything = classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier, everything=True)
    assert (everything.classified, everything.changed) == (2, 0)
    assert list(_links(stored, UNDECLARED.uscc)) == ["ST.PART.REDUCER"]


def test_rows_of_an_older_model_are_rerun_and_changes_counted(stored):
    enterprise = repository.get_enterprise(session=stored, uscc=UNDECLARED.uscc)
    display = repository.segment_ids(stored, "smart_terminal")["ST.DISP"]
    stored.add(
        m.EnterpriseSegment(
            enterprise_id=enterprise.id, segment_id=display, source=SegmentSource.CLASSIFIED.value, model="older"
        )
    )
    stored.flush()
    run = classify_stored(session=stored, chain_code="smart_terminal", classifier=classifier_for("smart_terminal"))
    assert (run.classified, run.changed, run.current) == (2, 1, 0)
    assert list(_links(stored, UNDECLARED.uscc)) == ["ST.PART.REDUCER"]
    models = set(
        stored.exec(select(m.EnterpriseSegment.model).where(m.EnterpriseSegment.enterprise_id == enterprise.id))
    )
    assert models == {classifier_for("smart_terminal").model_key}


def test_manual_assignment_refuses_unknown_codes_and_enterprises_and_keeps_what_was_there(stored):
    with pytest.raises(InvalidRecord, match=r"未知的产业链环节代码：ST\.NOPE"):
        set_manual_segments(session=stored, uscc=DECLARED.uscc, chain_code="smart_terminal", codes=["ST.NOPE"])
    with pytest.raises(InvalidRecord, match="未找到"):
        set_manual_segments(session=stored, uscc="91350100M000100Y43", chain_code="smart_terminal", codes=["ST.DISP"])
    with pytest.raises(InvalidRecord, match="至少指定一个"):
        set_manual_segments(session=stored, uscc=DECLARED.uscc, chain_code="smart_terminal", codes=[])
    assert _links(stored, DECLARED.uscc) == {"ST.ROB.IND": (SegmentSource.DECLARED, "")}
