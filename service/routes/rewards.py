from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from matching.reward import RewardParams, RewardReport
from service import audit, repository, rewards
from service.auth.permissions import Action, Principal, Reach
from service.web.deps import SessionDep, allowed, client_address

router = APIRouter(prefix="/api/rewards", tags=["rewards"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_answer(media_type: str, description: str) -> dict:
    """Route arguments documenting a file answer (not JSON) in the OpenAPI."""
    return {"response_class": Response, "responses": {200: {"content": {media_type: {}}, "description": description}}}


EXCEL = file_answer(XLSX, "Excel 工作簿")


class ContractIn(BaseModel):
    buyer: str = Field(max_length=32, description="采购方统一社会信用代码")
    seller: str = Field(max_length=32, description="供应方统一社会信用代码")
    year: int | str = Field(description="年度；超出范围的行在 errors 中逐行报告")
    performed_yuan: int | float | str = Field(description="年度履约金额（元），不超过 BIGINT 上限")
    contracted_yuan: int | float | str | None = None
    contract_no: str | None = Field(None, max_length=64)


class EstimateIn(BaseModel):
    contracts: list[ContractIn] = Field(max_length=100_000)
    params: RewardParams = Field(default_factory=RewardParams)


@router.post("/estimate", summary="测算协同奖励（300万元规则），逐行报告错误")
def estimate(
    body: EstimateIn, session: SessionDep, request: Request, who: Annotated[Principal, allowed(Action.ESTIMATE_REWARD)]
) -> dict:
    rows, errors = rewards.rows_from_records([c.model_dump() for c in body.contracts], first_row=1)
    report, _ = rewards.estimate_from_rows(
        session=session, chain_code=request.app.state.chain.code, params=body.params, rows=rows, errors=errors
    )
    _audited(request, session, who, "reward_estimated", report)
    return rewards.report_json(report)


def _audited(request: Request, session: Session, who: Principal, action: str, report: RewardReport) -> None:
    after = {**report.totals, "lines": len(report.lines), "errors": len(report.errors)}
    audit.record(session=session, actor=who.username, action=action, after=after, client=client_address(request))
    session.commit()


def _within_reach(who: Principal, report: RewardReport) -> RewardReport:
    """Only the lines the principal may see: an officer's budget unit, an enterprise's own pairs."""
    reach = who.reach(Action.VIEW_AMOUNTS)
    if reach is Reach.ALL:
        return report
    if reach is Reach.UNIT:
        return rewards.restricted(report, lambda line: line.budget_unit == who.budget_unit)
    return rewards.restricted(report, lambda line: who.enterprise_uscc in (line.buyer, line.seller))


@router.get("/budget", summary="按年度、街镇（开发区）汇总数据库合同的奖励预算（默认口径）")
def budget(session: SessionDep, request: Request, who: Annotated[Principal, allowed(Action.VIEW_BUDGET)]) -> dict:
    report, _ = rewards.estimate_from_db(
        session=session, chain_code=request.app.state.chain.code, params=RewardParams()
    )
    body = rewards.report_json(_within_reach(who, report))
    return {key: body[key] for key in ("budget", "totals", "choices", "policy", "source")}


@router.get("/ledger.xlsx", summary="下载奖励台账（Excel）", **EXCEL)
def ledger(session: SessionDep, request: Request, who: Annotated[Principal, allowed(Action.EXPORT_LEDGER)]) -> Response:
    report, parties = rewards.estimate_from_db(
        session=session, chain_code=request.app.state.chain.code, params=RewardParams()
    )
    report = _within_reach(who, report)
    _audited(request, session, who, "ledger_exported", report)
    demo = repository.has_demo(session=session)
    return excel_response(
        lambda path: rewards.write_ledger(report, parties, path, origin=rewards.DATABASE, demo=demo),
        "reward-ledger.xlsx",
    )


def excel_response(write: Callable[[Path], Path], filename: str) -> Response:
    """Write a workbook with ``write(path)`` into a temporary folder and send it."""
    with TemporaryDirectory() as folder:
        content = write(Path(folder) / filename).read_bytes()
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content, media_type=XLSX, headers=headers)
