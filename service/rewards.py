"""The collaboration reward on real inputs: contract files, the database, an Excel ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd
from sqlmodel import Session, select

from matching.reward import (
    WINDOW,
    ContractRow,
    Party,
    RewardLine,
    RewardParams,
    RewardReport,
    RowError,
    budget,
    compute_rewards,
)
from service import models as m
from service.excel import write_workbook
from service.tables import integer, read_table

# Parks administered by the 松江经济技术开发区 (its budget pays the 30 % instead of a town).
# From geodata/data/PROVENANCE.md: the ETDZ, its 东部园区 (former 松江工业区), the
# G60电子信息国际创新产业园 (listed as 松江经济技术开发区) and the 综合保税区 (former 出口加工区).
DEVELOPMENT_ZONE = "经开区"
DEVELOPMENT_ZONE_PARKS = frozenset(
    {
        "松江经济技术开发区",
        "中山工业园/松江工业区",
        "G60电子信息国际创新产业园",
        "松江综合保税区A区",
        "松江综合保税区B区",
    }
)

# File headers: English or the Chinese a district spreadsheet would use.
COLUMNS = {
    "buyer": ("buyer", "buyer_uscc", "采购方", "采购方统一社会信用代码"),
    "seller": ("seller", "seller_uscc", "供应方", "供应方统一社会信用代码"),
    "year": ("year", "年度"),
    "performed_yuan": ("performed_yuan", "履约金额", "履约金额（元）"),
    "contracted_yuan": ("contracted_yuan", "合同金额", "合同金额（元）"),
    "contract_no": ("contract_no", "合同编号"),
}
REQUIRED = ("buyer", "seller", "year", "performed_yuan")


def parties_from_db(*, session: Session, chain_code: str) -> dict[str, Party]:
    """Every stored enterprise as the reward rule sees it, keyed by USCC."""
    in_chain = set(
        session.exec(
            select(m.EnterpriseSegment.enterprise_id).join(m.Segment).join(m.Chain).where(m.Chain.code == chain_code)
        )
    )
    towns = {t.id: t.name for t in session.exec(select(m.Town))}
    parks = {p.id: p.name for p in session.exec(select(m.Park))}
    parties = {}
    for e in session.exec(select(m.Enterprise)):
        park = parks.get(e.park_id)
        unit = DEVELOPMENT_ZONE if park in DEVELOPMENT_ZONE_PARKS else towns.get(e.town_id, "未知街镇")
        local = e.town_id is not None or e.park_id is not None
        parties[e.uscc] = Party(e.name, unit, local=local, in_chain=e.id in in_chain)
    return parties


def contracts_from_db(*, session: Session) -> list[ContractRow]:
    """Stored contracts; ``row`` is the contract id."""
    uscc = dict(session.exec(select(m.Enterprise.id, m.Enterprise.uscc)).all())
    return [
        ContractRow(c.id, uscc[c.buyer_id], uscc[c.seller_id], c.year, c.performed_yuan, c.contracted_yuan, str(c.id))
        for c in session.exec(select(m.Contract).order_by(m.Contract.id))
    ]


def read_contract_file(path: Path) -> tuple[list[ContractRow], list[RowError]]:
    """Rows of a CSV or Excel file, numbered as a spreadsheet shows them."""
    return rows_from_numbered(read_table(path, COLUMNS, REQUIRED))


def rows_from_records(records: list[dict], first_row: int) -> tuple[list[ContractRow], list[RowError]]:
    """Contract rows from loosely typed records numbered from ``first_row``."""
    return rows_from_numbered(enumerate(records, start=first_row))


def rows_from_numbered(records: Iterable[tuple[int, dict]]) -> tuple[list[ContractRow], list[RowError]]:
    """Contract rows from numbered loosely typed records; a row whose numbers cannot be read becomes an error."""
    rows: list[ContractRow] = []
    errors: list[RowError] = []
    for index, record in records:
        numbers = {key: integer(record.get(key)) for key in ("year", "performed_yuan", "contracted_yuan")}
        bad = [k for k in ("year", "performed_yuan") if numbers[k] is None]
        if record.get("contracted_yuan") not in (None, "") and numbers["contracted_yuan"] is None:
            bad.append("contracted_yuan")
        if bad:
            message = f"“{record.get(bad[0], '')}”不是整数金额或年份，或超出范围（{bad[0]}）"
            errors.append(RowError(index, bad[0], message))
            continue
        rows.append(
            ContractRow(
                index,
                str(record["buyer"]).strip().upper(),
                str(record["seller"]).strip().upper(),
                numbers["year"],  # type: ignore[arg-type]
                numbers["performed_yuan"],  # type: ignore[arg-type]
                numbers["contracted_yuan"],
                str(record.get("contract_no") or "").strip() or None,
            )
        )
    return rows, errors


def in_window(rows: list[ContractRow]) -> tuple[list[ContractRow], int]:
    """Stored contracts inside the policy window, and how many were left out."""
    kept = [r for r in rows if WINDOW[0] <= r.year <= WINDOW[1]]
    return kept, len(rows) - len(kept)


def estimate_from_db(
    *, session: Session, chain_code: str, params: RewardParams
) -> tuple[RewardReport, dict[str, Party]]:
    """Rewards over the stored contracts inside the policy window; the report says how many were left out."""
    parties = parties_from_db(session=session, chain_code=chain_code)
    rows, left_out = in_window(contracts_from_db(session=session))
    report = compute_rewards(rows, parties, params)
    report.choices.append(f"数据库中政策有效期外的合同 {left_out} 份未计入")
    return report, parties


def estimate_from_rows(
    *, session: Session, chain_code: str, params: RewardParams, rows: list[ContractRow], errors: list[RowError]
) -> tuple[RewardReport, dict[str, Party]]:
    """Rewards over given rows (a file or a request), parties resolved from the database."""
    parties = parties_from_db(session=session, chain_code=chain_code)
    report = compute_rewards(rows, parties, params)
    report.errors = sorted([*errors, *report.errors], key=lambda e: e.row)
    return report, parties


def restricted(report: RewardReport, keep: Callable[[RewardLine], bool]) -> RewardReport:
    """The report cut to the lines ``keep`` accepts, totals recomputed; row errors of others are left out."""
    lines = [line for line in report.lines if keep(line)]
    totals = {key: sum(getattr(line, key) for line in lines) for key in report.totals}
    return replace(report, lines=lines, errors=[], totals=totals)


def report_json(report: RewardReport) -> dict:
    return {**asdict(report), "budget": budget(report)}


def write_ledger(report: RewardReport, parties: dict[str, Party], path: Path) -> Path:
    """The reward ledger as an Excel workbook: lines, budget by year and town, choices, errors."""
    name = {code: party.name for code, party in parties.items()}
    lines = pd.DataFrame(
        [
            {
                "年度": item.year,
                "采购方": name.get(item.buyer, item.buyer),
                "采购方代码": item.buyer,
                "供应方": name.get(item.seller, item.seller),
                "供应方代码": item.seller,
                "履约金额（元）": item.performed_yuan,
                "阶段": STAGES[item.stage],
                "奖励（元）": item.reward_yuan,
                "区级承担（元）": item.district_yuan,
                "街镇/开发区承担（元）": item.town_yuan,
                "承担单位": item.budget_unit,
                "距300万元门槛（元）": item.gap_to_threshold_yuan,
                "计算说明": item.explanation,
            }
            for item in report.lines
        ]
    )
    table = pd.DataFrame(budget(report)).rename(columns=BUDGET_HEADERS)
    choices = pd.DataFrame({"口径": [report.source, report.policy, *report.choices]})
    errors = pd.DataFrame([{"行": e.row, "字段": e.field, "问题": e.message} for e in report.errors])
    return write_workbook(path, (("奖励明细", lines), ("预算汇总", table), ("计算口径", choices), ("错误行", errors)))


STAGES = {"below_threshold": "未达门槛", "first": "首次达标", "later": "后续年度"}
BUDGET_HEADERS = {
    "year": "年度",
    "budget_unit": "承担单位",
    "reward_yuan": "奖励合计（元）",
    "district_yuan": "区级（元）",
    "town_yuan": "街镇/开发区（元）",
    "rewarded_pairs": "获奖企业对数",
}
