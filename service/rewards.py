"""The collaboration reward on real inputs: contract files, the database, an Excel ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from operator import attrgetter, itemgetter
from pathlib import Path

from sqlmodel import Session, select

from geodata import registered_in_district
from matching.reward import (
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
from service.excel import Column, Cover, Kind, Sheet, write_workbook
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
    stored = session.exec(select(m.Enterprise)).all()
    nan = float("nan")
    local = registered_in_district(
        [nan if e.lon is None else e.lon for e in stored],
        [nan if e.lat is None else e.lat for e in stored],
        [e.address for e in stored],
    )
    parties = {}
    for e, inside in zip(stored, local, strict=True):
        park = parks.get(e.park_id)
        unit = DEVELOPMENT_ZONE if park in DEVELOPMENT_ZONE_PARKS else towns.get(e.town_id, "未知街镇")
        parties[e.uscc] = Party(e.name, unit, local=bool(inside), in_chain=e.id in in_chain)
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
            expected = "不是整数年份" if bad[0] == "year" else "不是整数金额（元）"
            message = f"“{record.get(bad[0], '')}”{expected}，或超出范围"
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


def estimate_from_db(
    *, session: Session, chain_code: str, params: RewardParams
) -> tuple[RewardReport, dict[str, Party]]:
    """Rewards over the stored contracts; those outside the policy window are exclusions, counted in the report."""
    parties = parties_from_db(session=session, chain_code=chain_code)
    return compute_rewards(contracts_from_db(session=session), parties, params), parties


def estimate_from_rows(
    *, session: Session, chain_code: str, params: RewardParams, rows: list[ContractRow], errors: list[RowError]
) -> tuple[RewardReport, dict[str, Party]]:
    """Rewards over given rows (a file or a request), parties resolved from the database."""
    parties = parties_from_db(session=session, chain_code=chain_code)
    report = compute_rewards(rows, parties, params)
    report.errors = sorted([*errors, *report.errors], key=attrgetter("row"))
    return report, parties


def restricted(report: RewardReport, keep: Callable[[RewardLine], bool]) -> RewardReport:
    """The report cut to the lines ``keep`` accepts, totals recomputed; errors and exclusions (which name
    other enterprises) are left out."""
    lines = [line for line in report.lines if keep(line)]
    totals = {key: sum(getattr(line, key) for line in lines) for key in report.totals}
    return replace(report, lines=lines, errors=[], exclusions=[], totals=totals)


def report_json(report: RewardReport) -> dict:
    return {**asdict(report), "budget": budget(report)}


@dataclass(frozen=True)
class Origin:
    """Where contract rows came from, so that reports point at them as their reader can find them."""

    source: str
    row_header: str  # column heading of the row reference in the ledger
    row_format: str  # how the text report names a row

    def where(self, row: int) -> str:
        return self.row_format.format(row)


DATABASE = Origin("数据库中的合同", "合同ID", "合同ID {}")


def file_origin(path: Path) -> Origin:
    """Rows of a contract file, numbered as the spreadsheet shows them (the header is row 1)."""
    return Origin(f"合同文件 {path.name}", "文件行号", "第{}行")


FIELD_NAMES = {
    "buyer": "采购方",
    "seller": "供应方",
    "year": "年度",
    "performed_yuan": "履约金额",
    "contracted_yuan": "合同金额",
    "contract_no": "合同编号",
    "row": "整行",
}


def yuan_text(amount: int) -> str:
    """1234567 -> '1,234,567 元'."""
    return f"{amount:,} 元"


def wan_text(amount: int) -> str:
    """1234567 -> '123.46 万元'."""
    return f"{amount / 10_000:,.2f} 万元"


def summary(report: RewardReport, parties: dict[str, Party], origin: Origin, *, verbose: bool = False) -> list[str]:
    """The report as the policy office reads it: choices, rewarded lines, totals, exclusions by reason, errors."""
    text = [f"口径：{choice}" for choice in report.choices]
    for line in report.lines:
        if line.reward_yuan:
            text.append(f"{line.year} {parties[line.buyer].name} ← {parties[line.seller].name}：{line.explanation}")
    total, district, town = (report.totals[key] for key in ("reward_yuan", "district_yuan", "town_yuan"))
    rewarded = sum(1 for line in report.lines if line.reward_yuan)
    text.append(
        f"合计奖励 {yuan_text(total)}（{wan_text(total)}），{rewarded} 项；"
        f"区级承担 {yuan_text(district)}，街镇/开发区承担 {yuan_text(town)}"
    )
    if report.exclusions:
        counts = "；".join(f"{reason} {n:,} 份" for reason, n in report.excluded_by_reason().items())
        hint = "" if verbose else "（加 --verbose 逐条列出）"
        text.append(f"按政策口径未计入 {len(report.exclusions):,} 份合同：{counts}{hint}")
        text += [f"  {origin.where(x.row)}：{x.message}" for x in report.exclusions if verbose]
    if report.errors:
        text.append(f"错误 {len(report.errors):,} 处（{origin.source}中的数据有误，未计入；修正后请重算）：")
        text += [f"  {origin.where(e.row)} {FIELD_NAMES.get(e.field, e.field)}：{e.message}" for e in report.errors]
    return text


def write_ledger(report: RewardReport, parties: dict[str, Party], path: Path, *, origin: Origin, demo: bool) -> Path:
    """The reward ledger as an Excel workbook: cover with the choices, lines, budget, errors, exclusions."""
    name = {code: party.name for code, party in parties.items()}
    lines = [
        Column("年度", attrgetter("year"), Kind.INTEGER),
        Column("采购方", lambda item: name.get(item.buyer, item.buyer)),
        Column("采购方代码", attrgetter("buyer")),
        Column("供应方", lambda item: name.get(item.seller, item.seller)),
        Column("供应方代码", attrgetter("seller")),
        Column("履约金额", attrgetter("performed_yuan"), Kind.YUAN),
        Column("阶段", lambda item: STAGES[item.stage]),
        Column("奖励", attrgetter("reward_yuan"), Kind.YUAN),
        Column("区级承担", attrgetter("district_yuan"), Kind.YUAN),
        Column("街镇/开发区承担", attrgetter("town_yuan"), Kind.YUAN),
        Column("承担单位", attrgetter("budget_unit")),
        Column("距300万元门槛", attrgetter("gap_to_threshold_yuan"), Kind.YUAN),
        Column("计算说明", attrgetter("explanation")),
    ]
    table = [
        Column("年度", itemgetter("year"), Kind.INTEGER),
        Column("承担单位", itemgetter("budget_unit")),
        Column("奖励合计", itemgetter("reward_yuan"), Kind.WAN),
        Column("区级", itemgetter("district_yuan"), Kind.WAN),
        Column("街镇/开发区", itemgetter("town_yuan"), Kind.WAN),
        Column("获奖企业对数", itemgetter("rewarded_pairs"), Kind.COUNT),
    ]
    errors = [
        Column(origin.row_header, attrgetter("row"), Kind.INTEGER),
        Column("字段", lambda e: FIELD_NAMES.get(e.field, e.field)),
        Column("问题", attrgetter("message")),
    ]
    exclusions = [
        Column(origin.row_header, attrgetter("row"), Kind.INTEGER),
        Column("原因", attrgetter("reason")),
        Column("说明", attrgetter("message")),
    ]
    total = report.totals["reward_yuan"]
    cover = Cover(
        title="智能终端产业链协同奖励（300万元规则）测算台账",
        source=f"{origin.source}；政策：{report.source}",
        choices=report.choices,
        notes=[
            f"政策原文：{report.policy}",
            f"合计奖励 {yuan_text(total)}（{wan_text(total)}）；预算汇总表以万元计",
            f"数据有误未计入 {len(report.errors):,} 处，按政策口径未计入 {len(report.exclusions):,} 份合同",
        ],
        demo=demo,
    )
    sheets = [
        Sheet("奖励明细", lines, report.lines),
        Sheet("预算汇总", table, budget(report)),
        Sheet("错误行", errors, report.errors),
        Sheet("政策排除", exclusions, report.exclusions),
    ]
    return write_workbook(path, cover, sheets)


STAGES = {"below_threshold": "未达门槛", "first": "首次达标", "later": "后续年度"}
