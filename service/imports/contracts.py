"""Contract rows: parties found by USCC or by name, amounts in 元 or 万元, dates as offices write them.

A party written as a name is accepted when it equals one stored name after normalisation (full-width
and half-width forms, spaces, letter case): "near-exact". A name that only resembles stored names
(rapidfuzz ratio >= NEAR_SCORE) or that several enterprises share is refused, listing the candidates
with their codes, so that the office decides; a contract is never booked to a guessed enterprise.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert
from sqlmodel import Session, select

from chainmap.uscc import is_valid, normalize
from service import models as m
from service.imports.rows import Progress, RowCheck, RowProblem, amount_yuan, optional_date, reported, whole_number
from service.repository import BATCH
from service.tables import TableFileError

COLUMNS = {
    "buyer": ("采购方", "甲方", "买方", "采购方统一社会信用代码", "采购方名称", "甲方名称", "buyer", "buyer_uscc"),
    "seller": ("供应方", "乙方", "卖方", "供应方统一社会信用代码", "供应方名称", "乙方名称", "seller", "seller_uscc"),
    "contracted_yuan": ("合同金额", "金额", "合同金额（元）", "金额（元）", "contracted_yuan"),
    "performed_yuan": ("履约金额", "履行金额", "履约金额（元）", "履行金额（元）", "performed_yuan"),
    "signed_on": ("签订日期", "签约日期", "合同日期", "signed_on"),
    "year": ("年度", "履约年度", "year"),
    "contract_no": ("合同编号", "contract_no"),
}
REQUIRED = ("buyer", "seller", "signed_on")
AMOUNTS = ("contracted_yuan", "performed_yuan")
NEAR_SCORE = 85
CANDIDATES = 5


@dataclass(frozen=True)
class ContractLine:
    buyer_id: int
    seller_id: int
    year: int
    contracted_yuan: int
    performed_yuan: int
    signed_on: date

    def key(self) -> tuple:
        return (self.buyer_id, self.seller_id, self.signed_on, self.contracted_yuan, self.performed_yuan)


def name_key(name: str) -> str:
    """A name compared near-exactly: NFKC (full-width brackets and letters to half-width), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


class Parties:
    """Stored enterprises by code and by name key, for the parties of a contract file."""

    def __init__(self, session: Session):
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for id_, code, name in session.exec(select(m.Enterprise.id, m.Enterprise.uscc, m.Enterprise.name)):
            self.by_code[code] = id_
            self.by_name[name_key(name)].append((id_, code, name))
        self.keys = list(self.by_name)

    def find(self, text: str) -> int:
        """The enterprise a cell names; InvalidRecord (field of the caller) listing candidates otherwise."""
        if not text:
            raise ValueError("不能为空（填统一社会信用代码或企业全称）")
        code = normalize(text)
        if len(code) == 18 and is_valid(code):
            if code not in self.by_code:
                raise ValueError(f"统一社会信用代码“{code}”的企业未登记（请先导入该企业）")
            return self.by_code[code]
        same = self.by_name.get(name_key(text), [])
        if len(same) == 1:
            return same[0][0]
        if same:
            raise ValueError(f"名称“{text}”对应多家企业：{_listed(same)}；请改填统一社会信用代码")
        return self._near(text)

    def _near(self, text: str) -> int:
        from rapidfuzz import fuzz, process

        found = process.extract(name_key(text), self.keys, scorer=fuzz.ratio, score_cutoff=NEAR_SCORE, limit=CANDIDATES)
        if not found:
            raise ValueError(f"未登记的企业“{text}”（填统一社会信用代码或已登记企业的全称）")
        near = [firm for key, _, _ in found for firm in self.by_name[key]]
        raise ValueError(f"未找到名称为“{text}”的企业；相近的有：{_listed(near)}；请改填全称或统一社会信用代码")


def _listed(firms: list[tuple[int, str, str]]) -> str:
    return "、".join(f"{name}（{code}）" for _, code, name in firms[:CANDIDATES])


def parse_row(row: int, cells: dict[str, str], parties: Parties) -> tuple[ContractLine | None, list[RowProblem]]:
    check = RowCheck(row, cells)
    buyer, seller = check.field("buyer", parties.find), check.field("seller", parties.find)
    signed = check.field("signed_on", optional_date)
    if signed is None and not check.text("signed_on"):
        check.refuse("signed_on", "签订日期不能为空（如 2025-07-01、2025/7/1 或 2025年7月1日）")
    year = check.field("year", whole_number)
    amounts = {key: check.field(key, amount_yuan) for key in AMOUNTS}
    if not any(check.text(key) for key in AMOUNTS):
        check.refuse("contracted_yuan", "合同金额和履约金额至少填一项（元；万元请在表头注明“（万元）”）")
    if buyer is not None and buyer == seller:
        check.refuse("seller", "采购方与供应方是同一家企业")
    if check.problems or None in (buyer, seller, signed):
        return None, check.problems
    contracted = amounts["contracted_yuan"] if amounts["contracted_yuan"] is not None else amounts["performed_yuan"]
    performed = amounts["performed_yuan"] if amounts["performed_yuan"] is not None else contracted
    line = ContractLine(buyer, seller, year or signed.year, contracted, performed, signed)  # type: ignore[arg-type,union-attr]
    return line, []


def _stored_keys(session: Session) -> set[tuple]:
    columns = (m.Contract.buyer_id, m.Contract.seller_id, m.Contract.signed_on)
    return {tuple(r) for r in session.exec(select(*columns, m.Contract.contracted_yuan, m.Contract.performed_yuan))}


def checked_rows(
    session: Session, rows: list[tuple[int, dict[str, str]]], progress: Progress
) -> tuple[dict[int, ContractLine], list[RowProblem]]:
    if not any(key in cells for key in AMOUNTS for _, cells in rows[:1]):
        raise TableFileError("文件缺少金额列：“合同金额”或“履约金额”（元，或在表头注明“（万元）”）")
    parties, stored = Parties(session), _stored_keys(session)
    lines: dict[int, ContractLine] = {}
    problems: list[RowProblem] = []
    first: dict[tuple, int] = {}
    advance = reported(progress, "校验", len(rows))
    for done, (row, cells) in enumerate(rows, start=1):
        line, found = parse_row(row, cells, parties)
        problems += found
        if line is not None and line.key() in stored:
            problems.append(RowProblem(row, "contract_no", "同一份合同（双方、签订日期、金额相同）已在数据库中"))
        elif line is not None and line.key() in first:
            problems.append(RowProblem(row, "contract_no", f"与第{first[line.key()]}行是同一份合同"))
        elif line is not None:
            first[line.key()] = row
            lines[row] = line
        advance(done)
    return lines, problems


def store(session: Session, lines: list[ContractLine]) -> int:
    rows = [{**line.__dict__, "is_demo": False} for line in lines]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(m.Contract), rows[start : start + BATCH])
    return len(rows)
