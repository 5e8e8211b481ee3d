"""The collaboration reward of 沪松经规〔2024〕4号 二(二), as code beside its text.

    鼓励智能终端产业链上下游企业开展合作，以及引进或投资产业链上下游相关企业。企业间年度履行合同
    金额累计首次达 300 万元的，给予采购方不超过合同金额 10%、最高 200 万元的奖励，后续年度按增量的
    5% 给予奖励，单个企业奖励金额最高 500 万元。（责任单位：区经委）

    附则：本政策自 2025 年 1 月 1 日起执行，有效期至 2029 年 12 月 31 日。……扶持资金由区级财政和
    街镇（开发区）财政按区镇两级 7:3 比例共同承担。对全区经济社会发展具有重大支撑作用的智能终端产业
    项目，经区政府批准，可突破相关条款最高上限。

Where the text is silent, :class:`RewardParams` names the choice, and every report lists
the choices it used (:meth:`RewardParams.describe`). Amounts are integer 元.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

POLICY_TEXT = (
    "企业间年度履行合同金额累计首次达 300 万元的，给予采购方不超过合同金额 10%、最高 200 万元的奖励，"
    "后续年度按增量的 5% 给予奖励，单个企业奖励金额最高 500 万元。"
)
POLICY_SOURCE = "沪松经规〔2024〕4号 二(二)；附则"
THRESHOLD = 3_000_000
FIRST_RATE = Decimal("0.10")
FIRST_CAP = 2_000_000
LATER_RATE = Decimal("0.05")
ENTERPRISE_CAP = 5_000_000
WINDOW = (2025, 2029)
DISTRICT_SHARE = Decimal("0.7")  # 区镇两级 7:3


class IncrementBasis(StrEnum):
    PREVIOUS_YEAR = "previous_year"
    QUALIFYING_YEAR = "qualifying_year"


class ThresholdBasis(StrEnum):
    ANNUAL = "annual"
    CUMULATIVE = "cumulative"


class FirstYearBase(StrEnum):
    PERFORMED = "performed"
    CONTRACTED = "contracted"


@dataclass(frozen=True)
class RewardParams:
    """The readings of the text this computation uses; each has a default and a reason."""

    increment_basis: IncrementBasis = IncrementBasis.PREVIOUS_YEAR
    threshold_basis: ThresholdBasis = ThresholdBasis.ANNUAL
    sum_contracts: bool = True
    first_year_base: FirstYearBase = FirstYearBase.PERFORMED
    require_local: bool = True
    require_chain: bool = True
    uncapped_buyers: frozenset[str] = frozenset()

    def describe(self) -> list[str]:
        """The choices in Chinese, as every report shows them."""
        return [
            f"政策自{WINDOW[0]}年1月1日起执行、有效期至{WINDOW[1]}年12月31日：有效期外的合同不计入，"
            "“首次达标”从政策期内起算",
            {
                IncrementBasis.PREVIOUS_YEAR: "后续年度“增量”= 本年度履约额 − 上一年度履约额",
                IncrementBasis.QUALIFYING_YEAR: "后续年度“增量”= 本年度履约额 − 首次达标年度履约额",
            }[self.increment_basis],
            {
                ThresholdBasis.ANNUAL: "“年度履行合同金额累计”按单一年度内的履约额判断是否达300万元",
                ThresholdBasis.CUMULATIVE: "“累计”按政策期内历年履约额滚动累计判断是否达300万元",
            }[self.threshold_basis],
            "同一对企业同一年度的多份合同合并计算"
            if self.sum_contracts
            else "每份合同单独计算，不合并同一对企业的多份合同",
            {
                FirstYearBase.PERFORMED: "首次奖励的“合同金额”取达标年度的履约金额",
                FirstYearBase.CONTRACTED: "首次奖励的“合同金额”取达标年度的合同签订金额",
            }[self.first_year_base],
            "双方须均为松江区内企业" if self.require_local else "不要求双方均为松江区内企业",
            "双方须均属智能终端产业链" if self.require_chain else "不要求双方均属智能终端产业链",
            f"经区政府批准突破上限的采购方：{'、'.join(sorted(self.uncapped_buyers)) or '无'}",
        ]


@dataclass(frozen=True)
class Party:
    """What the rule needs to know of an enterprise."""

    name: str
    budget_unit: str  # 街镇 or 经开区: who pays the 30 %
    local: bool = True
    in_chain: bool = True


@dataclass(frozen=True)
class ContractRow:
    row: int  # where it came from (file row number or list position), for messages
    buyer: str
    seller: str
    year: int
    performed_yuan: int
    contracted_yuan: int | None = None
    contract_no: str | None = None


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass(frozen=True)
class Exclusion:
    """A valid row the policy leaves out (a reading of the text, not a mistake in the data)."""

    row: int
    reason: str  # short Chinese reason, the key reports count by
    message: str


@dataclass(frozen=True)
class RewardLine:
    buyer: str
    seller: str
    year: int
    performed_yuan: int
    stage: str  # below_threshold / first / later
    reward_yuan: int
    district_yuan: int
    town_yuan: int
    budget_unit: str
    gap_to_threshold_yuan: int
    explanation: str


@dataclass
class RewardReport:
    lines: list[RewardLine]
    errors: list[RowError]
    choices: list[str]
    policy: str = POLICY_TEXT
    source: str = POLICY_SOURCE
    totals: dict[str, int] = field(default_factory=dict)
    exclusions: list[Exclusion] = field(default_factory=list)

    def excluded_by_reason(self) -> dict[str, int]:
        """How many rows each policy reason left out, most frequent first."""
        counts: dict[str, int] = defaultdict(int)
        for item in self.exclusions:
            counts[item.reason] += 1
        return dict(sorted(counts.items(), key=lambda pair: -pair[1]))


def _wan(yuan: int | Decimal) -> str:
    """元 → a compact 万元 figure for explanations: 3200000 → '320万元'."""
    value = Decimal(yuan) / 10_000
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}万元"


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _share(reward: int) -> tuple[int, int]:
    district = _round(Decimal(reward) * DISTRICT_SHARE)
    return district, reward - district


def validate_rows(
    rows: Iterable[ContractRow], parties: Mapping[str, Party], params: RewardParams
) -> tuple[list[ContractRow], list[RowError], list[Exclusion]]:
    """Split rows into usable ones, per-row errors (bad data) and exclusions (the policy's choices)."""
    good: list[ContractRow] = []
    errors: list[RowError] = []
    exclusions: list[Exclusion] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        key = (
            (row.buyer, row.seller, row.year, row.contract_no)
            if row.contract_no
            else (row.buyer, row.seller, row.year, row.performed_yuan, row.contracted_yuan)
        )
        problem = _row_error(row, parties)
        if problem is None and key in seen:
            problem = ("row", f"与第{seen[key]}行重复，未重复计入")
        if problem:
            errors.append(RowError(row.row, *problem))
            continue
        seen[key] = row.row
        excluded = _exclusion(row, parties, params)
        if excluded:
            exclusions.append(Exclusion(row.row, *excluded))
            continue
        good.append(row)
    return good, errors, exclusions


def _row_error(row: ContractRow, parties: Mapping[str, Party]) -> tuple[str, str] | None:
    """What is wrong with the data of a row, if anything."""
    for name, amount in (("performed_yuan", row.performed_yuan), ("contracted_yuan", row.contracted_yuan)):
        if amount is not None and (not isinstance(amount, int) or amount < 0):
            return name, f"金额必须是非负整数（元），收到 {amount!r}"
    for name, code in (("buyer", row.buyer), ("seller", row.seller)):
        if code not in parties:
            return name, f"未登记的企业“{code}”"
    if row.buyer == row.seller:
        return "seller", "采购方与供应方是同一家企业"
    return None


OUTSIDE_WINDOW = f"不在政策有效期（{WINDOW[0]}—{WINDOW[1]}年）内"
NOT_LOCAL = "一方不是松江区内企业"
NOT_IN_CHAIN = "一方不属于智能终端产业链"


def _exclusion(row: ContractRow, parties: Mapping[str, Party], params: RewardParams) -> tuple[str, str] | None:
    """Why the policy (as read by ``params``) leaves a valid row out, if it does."""
    if not WINDOW[0] <= row.year <= WINDOW[1]:
        return OUTSIDE_WINDOW, f"年度{row.year}{OUTSIDE_WINDOW}"
    for code in (row.buyer, row.seller):
        party = parties[code]
        if params.require_local and not party.local:
            return NOT_LOCAL, f"“{party.name}”不是松江区内企业（口径：双方须均为区内企业）"
        if params.require_chain and not party.in_chain:
            return NOT_IN_CHAIN, f"“{party.name}”不属于智能终端产业链（口径：双方须均属本产业链）"
    return None


@dataclass
class _PairYear:
    performed: int = 0
    contracted: int = 0
    largest_single: int = 0


def _pair_years(rows: list[ContractRow]) -> dict[tuple[str, str], dict[int, _PairYear]]:
    pairs: dict[tuple[str, str], dict[int, _PairYear]] = defaultdict(lambda: defaultdict(_PairYear))
    for row in rows:
        cell = pairs[(row.buyer, row.seller)][row.year]
        cell.performed += row.performed_yuan
        cell.contracted += row.contracted_yuan if row.contracted_yuan is not None else row.performed_yuan
        cell.largest_single = max(cell.largest_single, row.performed_yuan)
    return pairs


def _countable(cell: _PairYear, params: RewardParams) -> int:
    """The amount the threshold is judged on for one pair-year."""
    return cell.performed if params.sum_contracts else cell.largest_single


@dataclass
class _Draft:
    """One pair-year before the per-enterprise cap is applied."""

    buyer: str
    seller: str
    year: int
    performed: int
    stage: str
    gross: int
    gap: int
    reason: str


def _first(d: _Draft, cell: _PairYear, judged: int, params: RewardParams) -> _Draft:
    base = cell.performed if params.first_year_base is FirstYearBase.PERFORMED else cell.contracted
    gross = _round(Decimal(base) * FIRST_RATE)
    capped = gross if d.buyer in params.uncapped_buyers else min(gross, FIRST_CAP)
    d.stage, d.gross = "first", capped
    d.reason = f"{d.year}年{_label(params)}{_wan(judged)}，首次达到300万元，按10%计{_wan(gross)}"
    if capped < gross:
        d.reason += f"，超过单笔上限200万元，核定{_wan(capped)}"
    return d


def _below(d: _Draft, judged: int, params: RewardParams) -> _Draft:
    d.stage, d.gap = "below_threshold", THRESHOLD - judged
    d.reason = f"{d.year}年{_label(params)}{_wan(judged)}，未达300万元，尚差{_wan(d.gap)}"
    return d


def _later(d: _Draft, amount: int, reference: int, reference_label: str) -> _Draft:
    increment = amount - reference
    d.stage, d.gross = "later", _round(Decimal(max(increment, 0)) * LATER_RATE)
    d.reason = f"{d.year}年履约{_wan(amount)}，较{reference_label}（{_wan(reference)}）"
    d.reason += f"增加{_wan(increment)}，按增量5%计{_wan(d.gross)}" if increment > 0 else "未增长，本年度奖励0元"
    return d


def _label(params: RewardParams) -> str:
    return "政策期内累计履约" if params.threshold_basis is ThresholdBasis.CUMULATIVE else "累计履约"


def _pair_drafts(buyer: str, seller: str, years: dict[int, _PairYear], params: RewardParams) -> list[_Draft]:
    """Walk one pair's years: below the threshold, the first qualifying year, then later years."""
    drafts: list[_Draft] = []
    qualifying: tuple[int, int] | None = None  # (year, amount)
    running = previous = 0
    for year in sorted(years):
        cell = years[year]
        amount = _countable(cell, params)
        running += amount
        judged = running if params.threshold_basis is ThresholdBasis.CUMULATIVE else amount
        draft = _Draft(buyer, seller, year, cell.performed, "", 0, 0, "")
        if qualifying is None and judged >= THRESHOLD:
            drafts.append(_first(draft, cell, judged, params))
            qualifying = (year, amount)
        elif qualifying is None:
            drafts.append(_below(draft, judged, params))
        elif params.increment_basis is IncrementBasis.QUALIFYING_YEAR:
            drafts.append(_later(draft, amount, qualifying[1], f"首次达标的{qualifying[0]}年"))
        else:
            drafts.append(_later(draft, amount, previous, "上一年度"))
        previous = amount
    return drafts


def compute_rewards(
    rows: Iterable[ContractRow], parties: Mapping[str, Party], params: RewardParams | None = None
) -> RewardReport:
    """Reward lines per buyer, seller and year; bad rows as errors, rows the policy leaves out as exclusions."""
    params = params or RewardParams()
    good, errors, exclusions = validate_rows(rows, parties, params)
    drafts = [
        draft
        for (buyer, seller), years in sorted(_pair_years(good).items())
        for draft in _pair_drafts(buyer, seller, years, params)
    ]
    lines = _apply_enterprise_cap(drafts, parties, params)
    totals = {
        "reward_yuan": sum(item.reward_yuan for item in lines),
        "district_yuan": sum(item.district_yuan for item in lines),
        "town_yuan": sum(item.town_yuan for item in lines),
    }
    return RewardReport(lines, errors, params.describe(), totals=totals, exclusions=exclusions)


def _apply_enterprise_cap(drafts: list[_Draft], parties: Mapping[str, Party], params: RewardParams) -> list[RewardLine]:
    """单个企业奖励金额最高500万元: granted in year order, then seller order."""
    paid: dict[str, int] = defaultdict(int)
    lines = []
    for draft in sorted(drafts, key=lambda d: (d.year, d.buyer, d.seller)):
        reward, reason = draft.gross, draft.reason
        if draft.gross and draft.buyer not in params.uncapped_buyers:
            room = ENTERPRISE_CAP - paid[draft.buyer]
            if room <= 0:
                reward, reason = 0, f"{reason}；已达单个企业上限500万元，本年度奖励0元"
            elif draft.gross > room:
                reward, reason = room, f"{reason}；受单个企业上限500万元限制，核减为{_wan(room)}"
        paid[draft.buyer] += reward
        party = parties[draft.buyer]
        district, town = _share(reward)
        if reward:
            reason += f"；区级承担{_wan(district)}，{party.budget_unit}承担{_wan(town)}"
        lines.append(
            RewardLine(
                draft.buyer,
                draft.seller,
                draft.year,
                draft.performed,
                draft.stage,
                reward,
                district,
                town,
                party.budget_unit,
                draft.gap,
                reason,
            )
        )
    return lines


def first_year_estimate(amount_yuan: int) -> int:
    """The first-year reward a pair's yearly amount earns once it reaches 300万: 10 %, at most 200万 (no other caps)."""
    return min(int(amount_yuan * FIRST_RATE), FIRST_CAP)


def threshold_gap(performed_this_year: int, already_qualified: bool) -> int:
    """How much more performed business this year would qualify a pair (0 if nothing more is needed)."""
    return 0 if already_qualified else max(THRESHOLD - performed_this_year, 0)


def budget(report: RewardReport) -> list[dict]:
    """Reward cost per year and budget unit, with the 7:3 district/town split."""
    table: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for line in report.lines:
        cell = table[(line.year, line.budget_unit)]
        cell[0] += line.reward_yuan
        cell[1] += line.district_yuan
        cell[2] += line.town_yuan
        cell[3] += line.reward_yuan > 0
    return [
        {"year": year, "budget_unit": unit, "reward_yuan": r, "district_yuan": d, "town_yuan": t, "rewarded_pairs": n}
        for (year, unit), (r, d, t, n) in sorted(table.items())
    ]
