"""The signals a recommendation is made of, each a vector over every firm of the market, in [0, 1].

A signal answers one question about a candidate for the asking firm (or a free-text need):

- ``chain``: do its segments supply the asker's segments (or lie in the wanted ones)?
- ``text``: does its products / business-scope text resemble the need?
- ``geography``: how near is it (same park, same town, distance), or is it in a G60 city?
- ``profile``: its quality labels (链主, 专精特新 …) and whether its size fits the asker's volume;
- ``graph``: length-3 paths in the contract graph (asker → its partners → their partners' other
  partners → candidate), degree-normalised as in the L3 link predictor (Kovács et al., 2019);
- ``popularity``: how many partners it already has in that role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse

from matching.market import KM_PER_DEGREE, ContractGraph, Firm, Market
from matching.query import Direction, Scope

SIGNALS = ("chain", "text", "geography", "profile", "graph", "popularity")
DISTANCE_SCALE_KM = 8.0


@dataclass(frozen=True)
class Query:
    """Suppliers for a buyer, or customers for a supplier; the asker is a firm of the market or a need."""

    direction: Direction = Direction.SUPPLIERS
    firm: str | None = None
    text: str = ""
    segments: tuple[str, ...] = ()  # wanted segments: what to buy, or (customers) who should buy
    lon: float | None = None
    lat: float | None = None
    budget_yuan: int | None = None
    scope: Scope = Scope.ANY
    max_km: float | None = None
    labels: frozenset[str] = field(default_factory=frozenset)
    min_revenue_yuan: int | None = None
    exclude_partners: bool = True
    k: int = 10


@dataclass(frozen=True)
class Context:
    """What a query resolves to before any signal: the asker and the role matrix of the contract graph."""

    query: Query
    asker: Firm | None
    asker_index: int | None
    role: sparse.csr_matrix  # asker-role rows × candidate-role columns: bought (suppliers) or sold (customers)
    role_t: sparse.csr_matrix  # its transpose
    asker_degree: np.ndarray
    candidate_degree: np.ndarray
    candidate_popularity: np.ndarray
    graph: ContractGraph

    @cached_property
    def peers(self) -> np.ndarray:
        """Per firm in the asker's role: how many partners it shares with the asker (0 for the asker)."""
        if self.asker_index is None:
            return np.zeros(self.role.shape[0])
        shared = dense(self.role[self.asker_index] @ self.role_t)
        shared[self.asker_index] = 0
        return shared


def context(market: Market, graph: ContractGraph, query: Query) -> Context:
    if query.firm is not None and query.firm not in market.index:
        raise KeyError(f"未找到企业“{query.firm}”")
    index = market.index[query.firm] if query.firm is not None else None
    suppliers = Direction(query.direction) is Direction.SUPPLIERS
    return Context(
        query,
        market.firms[index] if index is not None else None,
        index,
        graph.bought if suppliers else graph.sold,
        graph.sold if suppliers else graph.bought,
        graph.customer_degree if suppliers else graph.supplier_degree,
        graph.supplier_degree if suppliers else graph.customer_degree,
        graph.supplier_popularity if suppliers else graph.customer_popularity,
        graph,
    )


def oriented_supply(market: Market, ctx: Context) -> sparse.csr_matrix:
    """[candidate segment, asker segment]: how directly the candidate's side deals with the asker's."""
    return market.supply if ctx.query.direction == Direction.SUPPLIERS else market.supply.T


def chain(market: Market, ctx: Context) -> np.ndarray:
    """Per candidate: the supply edge from its segments to the asker's, or membership of a wanted segment."""
    own = market.segment_vector(ctx.asker.segments if ctx.asker else ())
    per_segment = np.maximum(
        oriented_supply(market, ctx) @ own, market.within @ market.segment_vector(ctx.query.segments)
    )
    return np.minimum(1.0, market.membership @ per_segment)


def query_text(market: Market, ctx: Context) -> str:
    """The need: its own text if given; else the names of the segments that deal with the asker's
    segments along the supply edges (what a maker of its products buys, or who buys them)."""
    if ctx.query.text or ctx.asker is None:
        return ctx.query.text
    related = np.flatnonzero(oriented_supply(market, ctx) @ market.segment_vector(ctx.asker.segments))
    return " ".join(market.chain.names.get(market.codes[j], market.codes[j]) for j in related)


def text(market: Market, ctx: Context) -> np.ndarray:
    """Cosine of TF-IDF character 2-3-grams; reads only the postings of the query's n-grams."""
    wanted = query_text(market, ctx)
    if market.text is None or market.vectorizer is None or not wanted:
        return np.zeros(len(market.ids), dtype=np.float32)
    columns, weights = market.vectorizer.weights(wanted)
    if not len(columns):
        return np.zeros(len(market.ids), dtype=np.float32)
    return np.asarray(market.text[:, columns] @ weights).ravel()[market.text_row]


def origin(ctx: Context) -> tuple[float, float] | None:
    if ctx.query.lon is not None and ctx.query.lat is not None:
        return ctx.query.lon, ctx.query.lat
    if ctx.asker is not None and ctx.asker.lon is not None and ctx.asker.lat is not None:
        return ctx.asker.lon, ctx.asker.lat
    return None


def distances(market: Market, ctx: Context) -> np.ndarray:
    """Kilometres from the asker to every located firm (NaN where either has no position).

    Planar at 31.05°N (``KM_PER_DEGREE``): across Songjiang it differs from the great circle by under 0.5 %.
    """
    where = origin(ctx)
    if where is None:
        return np.full(len(market.ids), np.nan, dtype=np.float32)
    x, y = np.float32(where[0] * KM_PER_DEGREE[0]), np.float32(where[1] * KM_PER_DEGREE[1])
    dx, dy = market.x_km - x, market.y_km - y
    return np.sqrt(dx * dx + dy * dy)


def geography(market: Market, ctx: Context, km: np.ndarray) -> np.ndarray:
    score = np.exp(km * np.float32(-1 / DISTANCE_SCALE_KM))
    np.copyto(score, market.geography_without_distance, where=np.isnan(km) | ~market.local)
    if ctx.asker_index is not None:
        i = ctx.asker_index
        score *= np.float32(0.7)
        for place in (market.town, market.park):  # same town, same park: 0.15 each
            if place[i] >= 0:
                score[place == place[i]] += np.float32(0.15)
    return score


def profile(market: Market, ctx: Context) -> np.ndarray:
    """Half quality labels (two or more count fully), half capacity on a log scale of revenue."""
    reference = _reference_volume(ctx)
    if ctx.query.direction == Direction.SUPPLIERS:
        capacity = (market.log_revenue - 5) / max(1.0, reference - 5)
    else:
        capacity = (market.log_revenue - 5) / 3
    capacity = np.where(np.isnan(capacity), np.float32(0.5), np.clip(capacity, 0, 1))
    return market.quality_score + np.float32(0.5) * capacity


def _reference_volume(ctx: Context) -> float:
    if ctx.asker is not None and ctx.asker.revenue_yuan:
        return float(np.log10(ctx.asker.revenue_yuan))
    if ctx.query.budget_yuan:
        return float(np.log10(ctx.query.budget_yuan * 10))
    return 8.0  # 1亿元


def inverse_root(degree: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(np.maximum(degree, 1))


def inverse_log(degree: np.ndarray) -> np.ndarray:
    return 1 / np.log(np.maximum(degree, 2))


def through(
    start: sparse.csr_matrix,
    matrix: sparse.csr_matrix,
    degree: np.ndarray,
    weight: Callable[[np.ndarray], np.ndarray] = inverse_root,
) -> sparse.csr_matrix:
    """One step of a walk: each entry of the row vector ``start`` (1 × n) times ``weight`` of the degree of
    its firm, then times ``matrix``. Reads only the rows of ``matrix`` at ``start``'s entries, so a walk
    from one firm never touches the whole graph."""
    scaled = start.copy()
    scaled.data = scaled.data * weight(degree[scaled.indices])
    return scaled @ matrix


def dense(row: sparse.csr_matrix) -> np.ndarray:
    return row.toarray().ravel()


def l3(market: Market, ctx: Context) -> np.ndarray:
    """L3: Σ over paths asker–p–q–candidate of 1/sqrt(k_p k_q), scaled to a maximum of 1."""
    if ctx.asker_index is None:
        return np.zeros(len(market.ids), dtype=np.float32)
    # role @ v is v (as a row) @ role_t: customers of the asker's suppliers, then their other suppliers
    step = through(ctx.role[ctx.asker_index], ctx.role_t, ctx.candidate_degree)
    step.data[step.indices == ctx.asker_index] = 0  # paths go through other firms of the asker's role
    paths = dense(through(step, ctx.role, ctx.asker_degree))
    top = paths.max(initial=0.0)
    return (paths / top if top > 0 else paths).astype(np.float32)


def popularity(market: Market, ctx: Context) -> np.ndarray:
    """log(1 + partners in the candidate's role), scaled to a maximum of 1."""
    return ctx.candidate_popularity


def all_signals(market: Market, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """The n × len(SIGNALS) feature matrix (column-major), and the distances it used."""
    km = distances(market, ctx)
    features = np.empty((len(market.ids), len(SIGNALS)), dtype=np.float32, order="F")
    features[:, 0] = chain(market, ctx)
    features[:, 1] = text(market, ctx)
    features[:, 2] = geography(market, ctx, km)
    features[:, 3] = profile(market, ctx)
    features[:, 4] = l3(market, ctx)
    features[:, 5] = popularity(market, ctx)
    return features, km
