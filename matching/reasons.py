"""What a recommendation says: its reasons in Chinese, its contributions, the reward it could earn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from matching.market import QUALITY_LABELS, ContractGraph, Market
from matching.reward import FIRST_CAP, FIRST_RATE, THRESHOLD, first_year_estimate, threshold_gap
from matching.signals import SIGNALS, Context, Direction, query_text

SHOWN = 0.1  # a signal contributing less than this share of the largest contribution is not given as a reason
LAPSED_AFTER = timedelta(days=365)


@dataclass(frozen=True)
class Recommendation:
    id: str
    name: str
    score: float
    contributions: dict[str, float]  # per signal, and ``base``; they add up to the score
    reasons: list[str]
    distance_km: float | None
    city: str
    segments: list[str]  # segment names
    labels: list[str]
    reward: dict | None  # for a local pair in the chain: the 300万 rule applied to this collaboration


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    status: str  # 现有合作 / 曾合作
    first: date
    last: date


def _wan(yuan: float) -> str:
    return f"{yuan / 10_000:,.0f}万元"


# The 300万 rule in words, so the note says what triggers the reward and what it is
_REWARD_RULE = f"年度履约满{_wan(THRESHOLD)}即可申请，奖励为合同金额的{FIRST_RATE:.0%}（最高{_wan(FIRST_CAP)}）"


def _chain_reason(market: Market, ctx: Context, i: int) -> str | None:
    names = market.chain.names
    candidate = market.firms[i].segments
    at = market.code_index
    for wanted in (w for w in ctx.query.segments if w in at):
        if any(market.within_array[at[c], at[wanted]] > 0 for c in candidate):
            return f"所需环节：{names.get(wanted, wanted)}"
    if ctx.asker is None:
        return None
    pairs = [(c, a) for c in candidate for a in ctx.asker.segments if c in at and a in at]
    supply = market.supply_array if ctx.query.direction == Direction.SUPPLIERS else market.supply_array.T
    strength = [supply[at[c], at[a]] for c, a in pairs]
    if not pairs or max(strength) <= 0:
        return None
    c, a = pairs[int(np.argmax(strength))]
    if ctx.query.direction == Direction.SUPPLIERS:
        return f"上游：{names.get(c, c)} → {names.get(a, a)}"
    return f"下游：{names.get(a, a)} → {names.get(c, c)}"


@lru_cache(maxsize=1024)
def _word_bounds(text: str) -> frozenset[int]:
    """The offsets where the words of ``text`` start and end (jieba's segmentation)."""
    import jieba

    jieba.setLogLevel(60)
    bounds, at = {0}, 0
    for word in jieba.lcut(text):
        at += len(word)
        bounds.add(at)
    return frozenset(bounds)


def _whole_words(query: str, start: int, end: int) -> str:
    """query[start:end] cut inwards to whole words of the query: "智能手表" ∩ "智能手机" is "智能", never "智能手"."""
    bounds = _word_bounds(query)
    start = min((b for b in bounds if b >= start), default=end)
    end = max((b for b in bounds if b <= end), default=start)
    return query[start:end] if start < end else ""


def shared_phrases(query: str, text: str, limit: int = 3) -> list[str]:
    """The longest whole-word pieces of the query (three characters or more, so not 服务 or 技术) found in the text."""
    found: list[str] = []
    i = 0
    while i < len(query):
        j = i + 1
        while j <= len(query) and query[i:j] in text:
            j += 1
        if j - 1 - i >= 3:  # cutting to whole words and stripping only shorten a piece
            piece = _whole_words(query, i, j - 1).strip(" ，、。；;,.()（）")
            if len(piece) >= 3 and any(ch.isalnum() for ch in piece):
                found.append(piece)
        i = max(j - 1, i + 1)
    longest: list[str] = []
    for piece in sorted(dict.fromkeys(found), key=len, reverse=True):
        if not any(piece in kept for kept in longest):
            longest.append(piece)
    return longest[:limit]


def _text_reason(market: Market, ctx: Context, i: int) -> str | None:
    phrases = shared_phrases(query_text(market, ctx), market.firms[i].text)
    return f"产品相关：{'、'.join(f'“{p}”' for p in phrases)}" if phrases else None


def _geography_reason(market: Market, ctx: Context, i: int, km: float) -> str | None:
    firm = market.firms[i]
    where = "" if np.isnan(km) else f"，{km:.1f} km"
    if ctx.asker is not None and firm.park and firm.park == ctx.asker.park:
        return f"同在{firm.park}{where}"
    if ctx.asker is not None and firm.town and firm.town == ctx.asker.town:
        return f"同在{firm.town}{where}"
    if not market.local[i] and market.g60[i]:
        return f"G60科创走廊城市：{firm.city}"
    return f"距离 {km:.1f} km" if where else None


def _profile_reason(market: Market, i: int) -> str | None:
    firm = market.firms[i]
    labels = [label for label in QUALITY_LABELS if label in firm.labels]
    revenue = f"营收约{firm.revenue_yuan / 1e8:.1f}亿元" if firm.revenue_yuan and firm.revenue_yuan >= 1e8 else ""
    parts = [*labels, revenue] if revenue else labels
    return "、".join(parts) if parts else None


def _graph_reason(ctx: Context, i: int) -> str | None:
    if ctx.asker_index is None:
        return None
    suppliers = ctx.query.direction == Direction.SUPPLIERS
    if ctx.role_t[ctx.asker_index, i]:
        return "已是您的客户，可反向供货" if suppliers else "已是您的供应商，可反向采购"
    shared = int(np.count_nonzero(ctx.peers[ctx.role_t[i].indices]))
    if shared:
        return f"与您的{shared}家同类采购方有合作" if suppliers else f"与您的{shared}家同类供应商有共同客户"
    linked = int(ctx.graph.linked[ctx.asker_index].multiply(ctx.graph.linked[i]).nnz)
    return f"与您有{linked}家共同合作企业" if linked else None


def _popularity_reason(ctx: Context, i: int) -> str | None:
    degree = int(ctx.candidate_degree[i])
    if not degree:
        return None
    return f"已向{degree}家企业供货" if ctx.query.direction == Direction.SUPPLIERS else f"已向{degree}家供应商采购"


def reward_note(market: Market, ctx: Context, i: int) -> dict | None:
    """The 300万 collaboration reward for a new local pair in the chain (沪松经规〔2024〕4号 二(二))."""
    asker_local = ctx.asker_index is None or bool(market.local[ctx.asker_index])
    if not (asker_local and market.local[i] and market.in_chain[i]):
        return None
    budget = ctx.query.budget_yuan
    gap = threshold_gap(budget or 0, already_qualified=False)
    first = first_year_estimate(budget) if budget and not gap else None
    if first is not None:
        note = f"按预算{_wan(budget or 0)}测算：{_REWARD_RULE}，首年约{_wan(first)}"
    elif budget:
        note = f"预算{_wan(budget)}，距300万元奖励门槛还差{_wan(gap)}"
    else:
        note = f"本地产业链合作：{_REWARD_RULE}"
    return {"threshold_yuan": THRESHOLD, "gap_to_threshold_yuan": gap, "first_year_reward_yuan": first, "note": note}


def recommendation(
    market: Market,
    ctx: Context,
    i: int,
    score: float,
    by_signal: dict[str, float],
    km: float,
) -> Recommendation:
    explain = {
        "chain": lambda: _chain_reason(market, ctx, i),
        "text": lambda: _text_reason(market, ctx, i),
        "geography": lambda: _geography_reason(market, ctx, i, km),
        "profile": lambda: _profile_reason(market, i),
        "graph": lambda: _graph_reason(ctx, i),
        "popularity": lambda: _popularity_reason(ctx, i),
    }
    floor = SHOWN * max(max(by_signal[s] for s in SIGNALS), 0)
    ordered = sorted((s for s in SIGNALS if by_signal[s] > 0 and by_signal[s] >= floor), key=lambda s: -by_signal[s])
    if "geography" not in ordered and market.g60[i] and not market.local[i]:
        ordered.append("geography")  # a firm in another G60 city always says where it is
    reasons = [reason for reason in (explain[s]() for s in ordered) if reason]
    firm = market.firms[i]
    return Recommendation(
        id=firm.id,
        name=firm.name,
        score=score,
        contributions=by_signal,
        reasons=reasons,
        distance_km=None if np.isnan(km) else round(km, 2),
        city=firm.city,
        segments=[market.chain.names.get(s, s) for s in firm.segments],
        labels=sorted(firm.labels),
        reward=reward_note(market, ctx, i),
    )


def partners_of(market: Market, graph: ContractGraph, ctx: Context) -> list[Partner]:
    """The asker's partners in this role, current first; lapsed when the last contract is a year old."""
    if ctx.asker_index is None or graph.latest is None:
        return []
    a = ctx.asker_index
    partners = []
    for j in ctx.role[a].indices:
        key = (a, int(j)) if ctx.query.direction == Direction.SUPPLIERS else (int(j), a)
        first, last = graph.dates(*key)
        status = "现有合作" if graph.latest - last < LAPSED_AFTER else f"曾合作（{last.year}年后中断）"
        partners.append(Partner(market.ids[j], market.firms[j].name, status, first, last))
    return sorted(partners, key=lambda p: p.last, reverse=True)
