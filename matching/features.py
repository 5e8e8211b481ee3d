"""Stage one of the ranking and the re-ranker's inputs: a short list per query, and its features.

Every signal is a vector over all firms (sparse products, no loop over candidates). Candidate
generation keeps the union of the top ``per_signal`` firms of each source (L3 directed and
undirected, Adamic-Adar, reverse edges, shared customers, second-tier suppliers, chain, text,
geography, popularity, recent growth, and the plain sum of the main signals) among those that
pass the query's filters.

The features of a short-listed candidate are each signal's raw value, its rank among the
query's candidates, "signal missing" flags, and the asker's own degree and history length, so
that a tree model can let popularity speak where graph evidence is silent. Names read in the
supplier direction (the asker buys); for customers the roles are mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.market import Market
from matching.signals import Context, Direction, Scope, all_signals, dense, inverse_log, through

GRAPH = (
    "l3",  # asker → its suppliers → their other customers → candidate (the ranker's graph signal)
    "l3_undirected",  # the same on the graph without direction: sees reversed and sideways ties
    "adamic_adar",  # common neighbours on the undirected graph, weighted by 1 / log degree
    "common",  # common neighbours on the undirected graph
    "reverse",  # the candidate already buys from the asker
    "shared_customers",  # customers the candidate and the asker both supply
    "shared_suppliers",  # suppliers the candidate and the asker both buy from
    "supplies_partners",  # the candidate supplies the asker's suppliers (second tier)
)
POPULARITY = ("popularity", "degree", "other_degree", "recent_degree", "age_days")
CONTENT = ("chain", "text", "geography", "profile")
VECTORS = (*GRAPH, *POPULARITY, *CONTENT, "blend")
RANKED = ("l3", "l3_undirected", "adamic_adar", "popularity", "recent_degree", "chain", "text", "geography", "blend")
MISSING = ("l3", "l3_undirected", "adamic_adar")
ASKER = ("asker_degree", "asker_other_degree", "asker_linked_degree", "asker_age_days")
BLENDED = ("chain", "text", "geography", "profile", "l3", "popularity")
# "blend", the plain sum of BLENDED, finds candidates that are fair on every signal and top on none
SOURCES = (
    *GRAPH[:3],
    "reverse",
    "shared_customers",
    "supplies_partners",
    *CONTENT[:3],
    "popularity",
    "recent_degree",
    "blend",
)
FEATURES = (*VECTORS, *(f"{v}_rank" for v in RANKED), *(f"{v}_missing" for v in MISSING), *ASKER)


def _signal_of(feature: str) -> str:
    """The signal (as in matching.signals.SIGNALS) a feature's contribution is reported under."""
    name = feature.removesuffix("_rank").removesuffix("_missing")
    if name == "blend":
        return "blend"  # shared out over BLENDED in proportion to their values
    if name in CONTENT:
        return name
    if name in GRAPH:
        return "graph"
    return "popularity" if name in POPULARITY else "base"


FEATURE_SIGNAL = {f: _signal_of(f) for f in FEATURES}


@dataclass
class QueryVectors:
    """Every signal over all firms for one query, and the distances from the asker."""

    values: dict[str, np.ndarray]
    asker: np.ndarray  # the ASKER features
    km: np.ndarray


def _graph_vectors(ctx: Context, n: int) -> dict[str, np.ndarray]:
    """Walks from the asker along sparse rows (``x @ M`` for a row vector x is ``M.T @ x``)."""
    a = ctx.asker_index
    if a is None:
        return {name: np.zeros(n, dtype=np.float32) for name in GRAPH}
    linked, degree = ctx.graph.linked, ctx.graph.linked_degree
    partners, reverse, around = ctx.role[a], ctx.role_t[a], linked[a]
    step = through(around, linked, degree)
    step.data[step.indices == a] = 0
    undirected = dense(through(step, linked, degree))
    top = undirected.max(initial=0.0)
    return {
        "l3_undirected": undirected / top if top > 0 else undirected,
        "adamic_adar": dense(through(around, linked, degree, inverse_log)),
        "common": dense(around @ linked),
        "reverse": dense(reverse),
        "shared_customers": dense(reverse @ ctx.role),
        "shared_suppliers": ctx.peers,
        "supplies_partners": dense(partners @ ctx.role),
    }


def query_vectors(market: Market, ctx: Context) -> QueryVectors:
    signals, km = all_signals(market, ctx)
    graph = ctx.graph
    suppliers = ctx.query.direction == Direction.SUPPLIERS
    values = _graph_vectors(ctx, len(market.ids))
    values["l3"] = signals[:, 4]
    values |= {
        "popularity": ctx.candidate_popularity,
        "degree": ctx.candidate_degree,
        "other_degree": ctx.asker_degree,  # the candidate's degree in the asker's role
        "recent_degree": graph.recent_supplier_degree if suppliers else graph.recent_customer_degree,
        "age_days": graph.age_days,
        **{name: signals[:, i] for i, name in enumerate(CONTENT)},
    }
    values["blend"] = sum((values[name] for name in BLENDED[1:]), start=values[BLENDED[0]].astype(np.float32))
    a = ctx.asker_index
    asker = (
        np.array(
            [ctx.asker_degree[a], ctx.candidate_degree[a], graph.linked_degree[a], values["age_days"][a]],
            dtype=np.float32,
        )
        if a is not None
        else np.array([0, 0, 0, -1], dtype=np.float32)
    )
    return QueryVectors(values, asker, km)


def candidate_mask(market: Market, ctx: Context, km: np.ndarray) -> np.ndarray:
    """Filters of the query; the asker and (by default) its partners are never candidates."""
    q = ctx.query
    keep = np.ones(len(market.ids), dtype=bool)
    if q.scope == Scope.LOCAL:
        keep &= market.local
    elif q.scope == Scope.G60:
        keep &= market.g60
    if q.max_km is not None:
        keep &= np.nan_to_num(km, nan=np.inf) <= q.max_km
    for label in q.labels:
        keep &= market.has_label(label)
    if q.min_revenue_yuan is not None:
        keep &= np.nan_to_num(market.log_revenue, nan=-1) >= np.log10(max(q.min_revenue_yuan, 1))
    if ctx.asker_index is not None:
        keep[ctx.asker_index] = False
        if q.exclude_partners:
            keep[ctx.role[ctx.asker_index].indices] = False
    return keep


SAMPLE_STRIDE = 128  # top_indices guesses its threshold from every 128th value


def top_indices(values: np.ndarray, keep: np.ndarray, count: int, positive: bool, ties: np.ndarray) -> np.ndarray:
    """Indices of the ``count`` largest values among those kept (only positive ones if ``positive``), ties
    broken by the larger ``ties``.

    Exact, without sorting every firm: a threshold read from a sample keeps a few hundred firms to
    choose from; when fewer than ``count`` kept firms pass it, every kept firm is considered."""
    sample = values[::SAMPLE_STRIDE]
    guess = 4 * count // SAMPLE_STRIDE + 1
    threshold = np.partition(sample, len(sample) - guess)[-guess] if len(sample) > guess else -np.inf
    found = np.flatnonzero(values >= threshold) if threshold > 0 or not positive else np.empty(0, dtype=np.int64)
    found = found[keep[found]]
    if len(found) < count:
        found = np.flatnonzero(keep & (values > 0)) if positive else np.flatnonzero(keep)
    if len(found) <= count:
        return found
    chosen = values[found]
    last = np.partition(chosen, len(found) - count)[len(found) - count]  # the count-th largest value
    above, tied = found[chosen > last], found[chosen == last]
    wanted = count - len(above)  # at least one
    return np.concatenate([above, tied[np.argpartition(-ties[tied], wanted - 1)[:wanted]]])


def shortlist(vectors: QueryVectors, keep: np.ndarray, per_signal: int) -> np.ndarray:
    """Indices of the union of each source's top ``per_signal`` firms among those kept (positive values only,
    popularity aside; ties broken by the blend), in ascending order."""
    blend = vectors.values["blend"]
    chosen = [top_indices(vectors.values[name], keep, per_signal, name != "popularity", blend) for name in SOURCES]
    return np.unique(np.concatenate(chosen))


def _descending_rank(values: np.ndarray) -> np.ndarray:
    """1 for the largest value; ties share the best rank."""
    order = np.sort(-values)
    return (np.searchsorted(order, -values, side="left") + 1).astype(np.float32)


def feature_matrix(vectors: QueryVectors, rows: np.ndarray) -> np.ndarray:
    """The FEATURES of the given firms (one row each) for the query."""
    raw = {name: vectors.values[name][rows].astype(np.float32) for name in VECTORS}
    columns = [raw[name] for name in VECTORS]
    columns += [_descending_rank(raw[name]) for name in RANKED]
    columns += [(raw[name] <= 0).astype(np.float32) for name in MISSING]
    columns += [np.full(len(rows), value, dtype=np.float32) for value in vectors.asker]
    return np.column_stack(columns) if len(rows) else np.empty((0, len(FEATURES)), dtype=np.float32)
