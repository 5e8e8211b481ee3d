"""After the event: the outcome of each meeting, the contracts it produced and their 300万 reward estimate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from matching.reward import ContractRow, first_year_estimate, threshold_gap
from matching.scheduling.model import Meeting, ScheduleInputError


class OutcomeKind(StrEnum):
    NO_INTEREST = "no_interest"
    FOLLOW_UP = "follow_up"
    NDA = "nda"
    CONTRACT = "contract"


LABELS = {
    OutcomeKind.NO_INTEREST: "无合作意向",
    OutcomeKind.FOLLOW_UP: "继续跟进",
    OutcomeKind.NDA: "签署保密协议",
    OutcomeKind.CONTRACT: "签约",
}


@dataclass(frozen=True)
class Outcome:
    host: str
    visitor: str
    kind: str  # an OutcomeKind value
    amount_yuan: int | None = None  # the contract amount, for a contract only
    host_buys: bool = True  # the host buys from the visitor (a 链主 or a department); False: the other way


@dataclass(frozen=True)
class SignedContract:
    buyer: str
    seller: str
    amount_yuan: int
    gap_to_threshold_yuan: int  # performed business still missing this year for the reward
    first_year_reward_yuan: int  # if the whole amount is performed within the year and nothing else counts


def check_outcomes(meetings: Iterable[Meeting], outcomes: Sequence[Outcome]) -> None:
    """A :class:`ScheduleInputError` naming the first outcome that is not of a held meeting, repeats one,
    has an unknown kind, or a missing or stray amount."""
    held = {(m.host, m.visitor) for m in meetings}
    seen: set[tuple[str, str]] = set()
    for i, outcome in enumerate(outcomes):
        pair = (outcome.host, outcome.visitor)
        if pair not in held:
            raise ScheduleInputError(f"outcomes[{i}]", f"“{outcome.host}”与“{outcome.visitor}”没有安排会面")
        if pair in seen:
            raise ScheduleInputError(f"outcomes[{i}]", f"“{outcome.host}”与“{outcome.visitor}”的会面结果重复登记")
        seen.add(pair)
        if outcome.kind not in set(OutcomeKind):
            allowed = "、".join(LABELS.values())
            raise ScheduleInputError(f"outcomes[{i}].kind", f"未知的会面结果“{outcome.kind}”，应为：{allowed}")
        signed = outcome.kind == OutcomeKind.CONTRACT
        amount = outcome.amount_yuan
        if signed and (not isinstance(amount, int) or amount <= 0):
            raise ScheduleInputError(f"outcomes[{i}].amount_yuan", "签约结果须填写正整数的合同金额（元）")
        if not signed and amount is not None:
            raise ScheduleInputError(f"outcomes[{i}].amount_yuan", "只有签约结果才填写合同金额")


def signed_contracts(outcomes: Iterable[Outcome]) -> list[SignedContract]:
    """The contracts among ``outcomes`` (checked first), each with its reward estimate under the 300万 rule."""
    contracts = []
    for outcome in outcomes:
        if outcome.kind != OutcomeKind.CONTRACT or outcome.amount_yuan is None:
            continue
        amount = outcome.amount_yuan
        buyer, seller = (outcome.host, outcome.visitor) if outcome.host_buys else (outcome.visitor, outcome.host)
        gap = threshold_gap(amount, already_qualified=False)
        reward = 0 if gap else first_year_estimate(amount)
        contracts.append(SignedContract(buyer, seller, amount, gap, reward))
    return contracts


def contract_rows(contracts: Iterable[SignedContract], year: int) -> list[ContractRow]:
    """The contracts as rows for :func:`matching.reward.compute_rewards`: signed for the amount, nothing
    performed yet."""
    return [ContractRow(i + 1, c.buyer, c.seller, year, 0, c.amount_yuan) for i, c in enumerate(contracts)]


def outcome_counts(meetings: Iterable[Meeting], outcomes: Iterable[Outcome]) -> dict[str, int]:
    """Meetings per outcome label, and those still without one (``待登记``)."""
    meetings = list(meetings)
    counts = Counter(LABELS[OutcomeKind(o.kind)] for o in outcomes)
    return {**{label: counts[label] for label in LABELS.values()}, "待登记": len(meetings) - sum(counts.values())}
