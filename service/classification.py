"""Storing segment assignments: the classifier fills in, a person's decision always wins.

Sources (``chainmap.records.SegmentSource``): ``declared`` came with the record,
``classified`` was written here, ``manual`` was set by a person. Classification only
touches enterprises with neither declared nor manual segments in the chain, and only
replaces its own earlier ``classified`` rows. Each classified row keeps the key of the model
that wrote it, so a new model (``chainmap.model_store``) re-runs exactly the rows of older ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count

from sqlalchemy import delete
from sqlmodel import Session, select

from chainmap.classify import Description, SegmentClassifier, SegmentMatch
from chainmap.records import InvalidRecord, SegmentSource
from service import models as m
from service import repository
from service.repository import BATCH, get_enterprise, segment_ids

EVIDENCE_LENGTH = 512


@dataclass(frozen=True)
class ClassificationRun:
    classified: int  # enterprises the classifier looked at
    assigned: int  # of those, how many got at least one segment
    links: int  # segment rows written
    kept: int  # enterprises left alone because a person or the record decided
    changed: int = 0  # enterprises classified before whose segments are now different
    current: int = 0  # enterprises already classified by this model, left as they were


def _chain_links(chain_code: str):
    return (
        select(m.EnterpriseSegment.enterprise_id, m.EnterpriseSegment.source, m.Segment.code, m.EnterpriseSegment.model)
        .join(m.Segment)
        .join(m.Chain)
        .where(m.Chain.code == chain_code)
    )


def classify_stored(
    *,
    session: Session,
    chain_code: str,
    classifier: SegmentClassifier,
    everything: bool = False,
    enterprise_ids: set[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> ClassificationRun:
    """Classify every enterprise nobody declared or set by hand, unless this model already did (``everything``: all).

    ``enterprise_ids`` limits the run to those enterprises (an import's new and changed ones);
    ``progress(done, total)`` is told after each batch; ``workers`` > 1 classifies batches in that many
    forked processes (the command line; not inside the threaded web server).
    """
    decided: set[int] = set()
    before: dict[int, set[str]] = defaultdict(set)
    current: set[int] = set()
    for enterprise_id, source, code, model in session.exec(_chain_links(chain_code)):
        if source != SegmentSource.CLASSIFIED:
            decided.add(enterprise_id)
        else:
            before[enterprise_id].add(code)
            if model == classifier.model_key and not everything:
                current.add(enterprise_id)
    columns = (m.Enterprise.id, m.Enterprise.name, m.Enterprise.products, m.Enterprise.business_scope)
    rows = session.exec(select(*columns, m.Enterprise.industry_code))
    todo = [
        row
        for row in rows
        if row[0] not in decided and row[0] not in current and (enterprise_ids is None or row[0] in enterprise_ids)
    ]
    ids = segment_ids(session, chain_code)
    assigned = changed = written = 0
    if progress:
        progress(0, len(todo))
    chunks = [todo[start : start + BATCH] for start in range(0, len(todo), BATCH)]
    batches = ([Description(*row[1:]) for row in chunk] for chunk in chunks)
    for start, chunk, results in zip(
        count(0, BATCH), chunks, _classified(classifier, batches, workers if len(chunks) > 1 else 1)
    ):
        _forget_classified(session, [row[0] for row in chunk], ids)
        links: list[dict] = []
        for (enterprise_id, *_), matches in zip(chunk, results, strict=True):
            assigned += bool(matches)
            changed += enterprise_id in before and before[enterprise_id] != {match.code for match in matches}
            links += [_link(enterprise_id, ids[match.code], match, classifier.model_key) for match in matches]
        repository.insert_rows(session, m.EnterpriseSegment.__table__, links)  # type: ignore[attr-defined]
        written += len(links)
        if progress:
            progress(start + len(chunk), len(todo))
    return ClassificationRun(len(todo), assigned, written, len(decided), changed, len(current))


_WORKER_CLASSIFIER: list[SegmentClassifier] = []  # the classifier a forked worker inherits


def _classify_batch(batch: list[Description]) -> list[list[SegmentMatch]]:
    classifier = _WORKER_CLASSIFIER[0]
    classifier.vocabulary.__dict__.pop("_seen", None)  # see _classified
    return classifier.classify_many(batch)


def _classified(
    classifier: SegmentClassifier, batches: Iterator[list[Description]], workers: int
) -> Iterator[list[list[SegmentMatch]]]:
    """Each batch's matches, in order; in ``workers`` forked processes when more than one."""
    if workers <= 1:
        for batch in batches:
            yield classifier.classify_many(batch)
            # The vocabulary memoizes the words of every text it has seen; over 100,000 enterprises that memo
            # would hold hundreds of MB, so it is dropped between batches (it is rebuilt on first use).
            classifier.vocabulary.__dict__.pop("_seen", None)
        return
    import multiprocessing

    _WORKER_CLASSIFIER[:] = [classifier]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_classify_batch, batches)


def _forget_classified(session: Session, enterprise_ids: list[int], ids: dict[str, int]) -> None:
    session.execute(
        delete(m.EnterpriseSegment).where(
            m.EnterpriseSegment.source == SegmentSource.CLASSIFIED.value,
            m.EnterpriseSegment.enterprise_id.in_(enterprise_ids),
            m.EnterpriseSegment.segment_id.in_(list(ids.values())),
        )
    )


def _link(enterprise_id: int, segment_id: int, match: SegmentMatch, model: str) -> dict:
    return {
        "enterprise_id": enterprise_id,
        "segment_id": segment_id,
        "confidence": match.confidence,
        "source": SegmentSource.CLASSIFIED.value,
        "evidence": match.evidence_text()[:EVIDENCE_LENGTH],
        "model": model,
    }


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
