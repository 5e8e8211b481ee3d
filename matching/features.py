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
from matching.signals import Context, Direction, Scope, all_signals

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
    a = ctx.asker_index
    if a is None:
        return {name: np.zeros(n, dtype=np.float32) for name in GRAPH}
    linked, degree = ctx.graph.linked, ctx.graph.linked_degree
    partners = ctx.role[a].toarray().ravel()
    reverse = ctx.role_t[a].toarray().ravel()
    around = linked[a].toarray().ravel()
    step = linked @ (around / np.sqrt(np.maximum(degree, 1)))
    step[a] = 0
    undirected = linked @ (step / np.sqrt(np.maximum(degree, 1)))
    top = undirected.max(initial=0.0)
    return {
        "l3_undirected": undirected / top if top > 0 else undirected,
        "adamic_adar": linked @ (around / np.log(np.maximum(degree, 2))),
        "common": linked @ around,
        "reverse": reverse,
        "shared_customers": ctx.role_t @ reverse,
        "shared_suppliers": ctx.peers,
        "supplies_partners": ctx.role_t @ partners,
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
        "age_days": graph.age_days(),
        **{name: signals[:, i] for i, name in enumerate(CONTENT)},
    }
    values["blend"] = np.sum([values[name] for name in BLENDED], axis=0)
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


def shortlist(vectors: QueryVectors, keep: np.ndarray, per_signal: int) -> np.ndarray:
    """Indices of the union of each source's top ``per_signal`` firms among those kept (positive values only,
    popularity aside), in ascending order."""
    pool = np.flatnonzero(keep)
    if len(pool) <= per_signal:
        return pool
    chosen = []
    for name in SOURCES:
        values = vectors.values[name][pool]
        top = np.argpartition(-values, per_signal - 1)[:per_signal]
        chosen.append(pool[top] if name == "popularity" else pool[top[values[top] > 0]])
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

