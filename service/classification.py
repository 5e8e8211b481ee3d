"""Storing segment assignments: the classifier fills in, a person's decision always wins.

Sources (``chainmap.records.SegmentSource``): ``declared`` came with the record,
``classified`` was written here, ``manual`` was set by a person. Classification only
touches enterprises with neither declared nor manual segments in the chain, and only
replaces its own earlier ``classified`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from chainmap.classify import Description, SegmentClassifier
from chainmap.records import InvalidRecord, SegmentSource
from service import models as m
from service.repository import BATCH, get_enterprise, segment_ids

EVIDENCE_LENGTH = 512


@dataclass(frozen=True)
class ClassificationRun:
    classified: int  # enterprises the classifier looked at
    assigned: int  # of those, how many got at least one segment
    links: int  # segment rows written
    kept: int  # enterprises left alone because a person or the record decided


def _chain_links(chain_code: str):
    return (
        select(m.EnterpriseSegment.enterprise_id, m.EnterpriseSegment.source)
        .join(m.Segment)
        .join(m.Chain)
        .where(m.Chain.code == chain_code)
    )


def classify_stored(*, session: Session, chain_code: str, classifier: SegmentClassifier) -> ClassificationRun:
    """(Re)classify every enterprise whose segments nobody declared or set by hand."""
    decided = {eid for eid, source in session.exec(_chain_links(chain_code)) if source != SegmentSource.CLASSIFIED}
    ids = segment_ids(session, chain_code)
    session.execute(
        delete(m.EnterpriseSegment).where(
            m.EnterpriseSegment.source == SegmentSource.CLASSIFIED.value,
            m.EnterpriseSegment.segment_id.in_(list(ids.values())),
        )
    )
    rows = session.exec(select(m.Enterprise.id, m.Enterprise.name, m.Enterprise.products, m.Enterprise.business_scope))
    todo = [row for row in rows if row[0] not in decided]
    links: list[dict] = []
    assigned = 0
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        results = classifier.classify_many([Description(name, products, scope) for _, name, products, scope in chunk])
        for (enterprise_id, *_), matches in zip(chunk, results, strict=True):
            assigned += bool(matches)
            links += [
                {
                    "enterprise_id": enterprise_id,
                    "segment_id": ids[match.code],
                    "confidence": match.confidence,
                    "source": SegmentSource.CLASSIFIED.value,
                    "evidence": match.evidence_text()[:EVIDENCE_LENGTH],
                }
                for match in matches
            ]
    for start in range(0, len(links), BATCH):
        session.execute(insert(m.EnterpriseSegment), links[start : start + BATCH])
    return ClassificationRun(len(todo), assigned, len(links), len(decided))


def set_manual_segments(*, session: Session, uscc: str, chain_code: str, codes: list[str]) -> m.Enterprise:
    """A person's assignment: replaces every other assignment of the enterprise in the chain."""
    enterprise = get_enterprise(session=session, uscc=uscc)
    if enterprise is None:
        raise InvalidRecord("uscc", f"未找到统一社会信用代码为“{uscc}”的企业")
    if not codes:
        raise InvalidRecord("segments", "请至少指定一个产业链环节")
    ids = segment_ids(session, chain_code)
    unknown = [code for code in codes if code not in ids]
    if unknown:
        raise InvalidRecord("segments", f"未知的产业链环节代码：{'、'.join(unknown)}")
    session.execute(
        delete(m.EnterpriseSegment).where(
            m.EnterpriseSegment.enterprise_id == enterprise.id,
            m.EnterpriseSegment.segment_id.in_(list(ids.values())),
        )
    )
    for code in dict.fromkeys(codes):
        session.add(
            m.EnterpriseSegment(
                enterprise_id=enterprise.id,
                segment_id=ids[code],
                confidence=1.0,
                source=SegmentSource.MANUAL.value,
                evidence="人工指定",
            )
        )
    session.flush()
    return enterprise
