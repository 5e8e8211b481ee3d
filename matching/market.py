"""The candidate market as plain data, indexed once: sparse segment, text and contract matrices.

``Firm`` and ``Contract`` are all a caller passes in (the service builds them from its
tables; a bare ``supplier,customer,date`` edge list gives firms with nothing but an id).
``Market`` turns them into arrays so that a query never loops over candidates in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from geodata import G60_CITIES, LOCAL_CITY

KM_PER_DEGREE = (111.195 * 0.8567, 111.195)  # longitude (× cos 31.05°N) and latitude on the haversine sphere
LARGE_MARKET = 1000  # from this many firms, n-grams in one firm only or in over 20 % of firms are dropped
DIRECTNESS = 0.6  # an edge drawn between parent segments counts this much per level below them
OUTSIDE_DISTRICT = 0.15  # geography of a firm in another G60 city
UNLOCATED = 0.3  # geography of a Songjiang firm without a position
RECENT_DAYS = 365  # a partner gained this recently counts as recent momentum
QUALITY_LABELS = ("链主", "专精特新", "专精特新“小巨人”", "高新技术企业", "上市企业")


@dataclass(frozen=True)
class Firm:
    id: str
    name: str = ""
    segments: tuple[str, ...] = ()
    text: str = ""  # products and business scope
    lon: float | None = None  # WGS-84
    lat: float | None = None
    city: str = LOCAL_CITY
    town: str | None = None
    park: str | None = None
    labels: frozenset[str] = frozenset()  # Chinese label names, e.g. 专精特新
    revenue_yuan: int | None = None


class Contract(NamedTuple):  # a tuple: millions of them are built quickly
    supplier: str
    customer: str
    signed_on: date


@dataclass(frozen=True)
class ChainData:
    """What matching needs of a chain: supply edges between segment codes, the tree, the names."""

    edges: Sequence[tuple[str, str, float]]  # (supplier segment, buyer segment, weight)
    parents: Mapping[str, str | None]
    names: Mapping[str, str]


def _depths(parents: Mapping[str, str | None]) -> dict[str, int]:
    def depth(code: str) -> int:
        parent = parents.get(code)
        return 0 if parent is None else 1 + depth(parent)

    return {code: depth(code) for code in parents}


def _below(chain: ChainData, codes: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Each segment with itself and every segment under it, with how many levels under."""
    depth = _depths(chain.parents)
    below: dict[str, list[tuple[str, int]]] = {}
    for code in codes:
        node: str | None = code
        while node is not None:
            below.setdefault(node, []).append((code, depth.get(code, 0) - depth.get(node, 0)))
            node = chain.parents.get(node)
    return below


def segment_matrices(chain: ChainData, codes: list[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Supply A[s, b]: how directly s supplies b (edge weight × DIRECTNESS per level below the edge's ends);
    containment W[d, a]: segment d lies under a (DIRECTNESS per level)."""
    index = {code: i for i, code in enumerate(codes)}
    below = _below(chain, codes)
    supply = np.zeros((len(codes), len(codes)), dtype=np.float32)
    for supplier, buyer, weight in chain.edges:
        for s, s_levels in below.get(supplier, []):
            for b, b_levels in below.get(buyer, []):
                value = weight * DIRECTNESS ** (s_levels + b_levels)
                supply[index[s], index[b]] = max(supply[index[s], index[b]], value)
    within = np.zeros_like(supply)
    for ancestor, members in below.items():
        if ancestor in index:
            for code, levels in members:
                within[index[code], index[ancestor]] = DIRECTNESS**levels
    return sparse.csr_matrix(supply), sparse.csr_matrix(within)


@dataclass(frozen=True)
class NeedVectorizer:
    """A need's weights over the firms' n-grams, as ``TfidfVectorizer(sublinear_tf=True)`` with the index's idf
    gives them, without scikit-learn's per-call overhead (about 0.5 ms for one short text)."""

    columns: dict[str, int]
    idf: np.ndarray
    analyze: Callable[[str], list[str]]

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The n-gram columns the text has, and their l2-normalised weights."""
        counts = Counter(self.columns[g] for g in self.analyze(text) if g in self.columns)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[columns]
        norm = np.sqrt(values @ values)
        return columns, values / norm if norm > 0 else values


def text_index(texts: list[str], firms: np.ndarray, large: bool) -> tuple[NeedVectorizer, sparse.csr_matrix]:
    """``TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)`` over every firm, computed on
    the distinct ``texts`` only (``firms``: how many firms have each). In a large market, n-grams in one firm
    only or in over 20 % of firms are dropped. Returns what weighs a need, and the rows."""
    counter = CountVectorizer(analyzer="char", ngram_range=(2, 3), dtype=np.float32)
    counts = counter.fit_transform(texts).tocsc()
    n = int(firms.sum())
    df = np.asarray((counts > 0).T @ firms).ravel()
    keep = (df >= 2) & (df <= 0.2 * n) if large else df > 0
    if not keep.any():  # pruning would leave nothing: keep every n-gram
        keep = df > 0
    counts = counts[:, keep].tocsr()
    idf = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
    counts.data = 1 + np.log(counts.data)
    rows = normalize(counts @ sparse.diags(idf), copy=False).astype(np.float32).tocsr()
    terms = counter.get_feature_names_out()[keep]
    return NeedVectorizer({str(term): i for i, term in enumerate(terms)}, idf, counter.build_analyzer()), rows


class ContractGraph:
    """Who bought from whom, and when: a customers × suppliers matrix over the market's firms, the same
    graph undirected (``linked``), and per firm its degrees, recent degrees and first day in the history."""

    def __init__(self, market: Market, contracts: Iterable[Contract]):
        n = len(market.ids)
        listed = list(contracts)
        index = market.index
        customers = np.fromiter((index[c.customer] for c in listed), dtype=np.int64, count=len(listed))
        suppliers = np.fromiter((index[c.supplier] for c in listed), dtype=np.int64, count=len(listed))
        signed = np.fromiter((c.signed_on.toordinal() for c in listed), dtype=np.int64, count=len(listed))
        order = np.lexsort((signed, customers * n + suppliers))  # by pair, then by day
        pairs, signed = (customers * n + suppliers)[order], signed[order]
        starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]]) if len(pairs) else np.zeros(0, dtype=np.int64)
        self.pairs = pairs[starts]  # customer × n + supplier, ascending
        self.first_signed = signed[starts]
        self.last_signed = signed[np.r_[starts[1:], len(pairs)] - 1] if len(pairs) else signed
        rows, cols, days = self.pairs // max(n, 1), self.pairs % max(n, 1), self.first_signed
        self.bought = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
        self.sold = self.bought.T.tocsr()
        self.linked = ((self.bought + self.sold) > 0).astype(np.float32).tocsr()
        self.size = n
        self.latest = date.fromordinal(int(self.last_signed.max())) if len(self.pairs) else None
        self.customer_degree = np.asarray(self.bought.sum(axis=1)).ravel()
        self.supplier_degree = np.asarray(self.bought.sum(axis=0)).ravel()
        self.linked_degree = np.asarray(self.linked.sum(axis=1)).ravel()
        self.customer_popularity = _scaled(np.log1p(self.customer_degree))
        self.supplier_popularity = _scaled(np.log1p(self.supplier_degree))
        recent = days > (self.latest.toordinal() - RECENT_DAYS if self.latest else 0)
        self.recent_customer_degree = np.bincount(rows[recent], minlength=n).astype(np.float32)
        self.recent_supplier_degree = np.bincount(cols[recent], minlength=n).astype(np.float32)
        self.first_day = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(self.first_day, rows, days)
        np.minimum.at(self.first_day, cols, days)

    def dates(self, customer: int, supplier: int) -> tuple[date, date]:
        """First and last contract of a pair in the history."""
        at = int(np.searchsorted(self.pairs, customer * self.size + supplier))
        return date.fromordinal(int(self.first_signed[at])), date.fromordinal(int(self.last_signed[at]))

    @cached_property
    def age_days(self) -> np.ndarray:
        """Days from each firm's first contract to the latest one in the history (-1: none yet)."""
        if self.latest is None:
            return np.full(len(self.first_day), -1.0, dtype=np.float32)
        known = self.first_day < np.iinfo(np.int64).max
        return np.where(known, self.latest.toordinal() - self.first_day, -1).astype(np.float32)


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max(initial=0.0)
    return (values / top if top > 0 else values).astype(np.float32)


class Market:
    """Every candidate firm, indexed for vectorised signals."""

    def __init__(self, firms: Sequence[Firm], chain: ChainData | None = None):
        self.firms = list(firms)
        self.ids = [f.id for f in self.firms]
        self.index = {firm_id: i for i, firm_id in enumerate(self.ids)}
        if len(self.index) != len(self.ids):
            raise ValueError("企业编号重复")
        self.chain = chain or ChainData((), {}, {})
        self.codes = sorted(set(self.chain.parents) | {s for f in self.firms for s in f.segments})
        self.code_index = {code: i for i, code in enumerate(self.codes)}
        self.supply, self.within = segment_matrices(self.chain, self.codes)
        # the same as arrays, for reading single entries (a sparse matrix takes ~20 µs a read)
        self.supply_array, self.within_array = self.supply.toarray(), self.within.toarray()
        self.membership = self._membership()
        self.has_text = any(f.text for f in self.firms)
        distinct: dict[str, int] = {}
        self.text_row = np.fromiter(
            (distinct.setdefault(f.text, len(distinct)) for f in self.firms), dtype=np.int64, count=len(self.firms)
        )  # firms sharing a text share its row of ``text``
        self.vectorizer: NeedVectorizer | None = None
        self.text: sparse.csc_matrix | None = None  # distinct texts × n-grams; columns: postings
        if self.has_text:
            large = len(self.firms) >= LARGE_MARKET
            self.vectorizer, rows = text_index(list(distinct), np.bincount(self.text_row), large)
            self.text = rows.tocsc()
        self.lon = np.array([np.nan if f.lon is None else f.lon for f in self.firms])
        self.lat = np.array([np.nan if f.lat is None else f.lat for f in self.firms])
        self.x_km = (self.lon * KM_PER_DEGREE[0]).astype(np.float32)
        self.y_km = (self.lat * KM_PER_DEGREE[1]).astype(np.float32)
        self.local = np.array([f.city == LOCAL_CITY for f in self.firms])
        self.g60 = np.array([f.city in G60_CITIES for f in self.firms])
        self.geography_without_distance = np.where(
            self.local, UNLOCATED, np.where(self.g60, OUTSIDE_DISTRICT, 0)
        ).astype(np.float32)
        self.town = self._codes([f.town for f in self.firms])
        self.park = self._codes([f.park for f in self.firms])
        quality = np.array([len(f.labels & set(QUALITY_LABELS)) for f in self.firms], dtype=np.float32)
        self.quality_score = 0.5 * np.minimum(1, quality / 2)  # two or more quality labels count fully
        revenue = np.array([f.revenue_yuan or 0 for f in self.firms], dtype=float)
        self.log_revenue = np.where(revenue > 0, np.log10(np.maximum(revenue, 1)), np.nan).astype(np.float32)
        self.in_chain = np.array([bool(f.segments) for f in self.firms])
        self._label_masks: dict[str, np.ndarray] = {}

    @classmethod
    def from_edges(cls, contracts: Iterable[Contract]) -> Market:
        """A market of bare ids, for an edge list without enterprise attributes."""
        ids = dict.fromkeys(i for c in contracts for i in (c.supplier, c.customer))
        return cls([Firm(firm_id, name=firm_id, city="") for firm_id in ids])

    def _membership(self) -> sparse.csr_matrix:
        rows = [i for i, f in enumerate(self.firms) for _ in f.segments]
        cols = [self.code_index[s] for f in self.firms for s in f.segments]
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(self.firms), len(self.codes)))

    def _codes(self, values: list[str | None]) -> np.ndarray:
        names = {v: i for i, v in enumerate(sorted({v for v in values if v}))}
        return np.array([names[v] if v else -1 for v in values], dtype=np.int32)

    def has_label(self, label: str) -> np.ndarray:
        if label not in self._label_masks:
            self._label_masks[label] = np.array([label in f.labels for f in self.firms])
        return self._label_masks[label]

    def segment_vector(self, codes: Iterable[str]) -> np.ndarray:
        vector = np.zeros(len(self.codes), dtype=np.float32)
        for code in codes:
            if code in self.code_index:
                vector[self.code_index[code]] = 1
        return vector

    def graph(self, contracts: Iterable[Contract]) -> ContractGraph:
        return ContractGraph(self, contracts)
