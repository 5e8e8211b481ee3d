from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from matching.reward import RewardParams
from service import rewards
from service.api import SessionDep

router = APIRouter(prefix="/api/rewards", tags=["rewards"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ContractIn(BaseModel):
    buyer: str = Field(description="采购方统一社会信用代码")
    seller: str = Field(description="供应方统一社会信用代码")
    year: int | str
    performed_yuan: int | float | str = Field(description="年度履约金额（元）")
    contracted_yuan: int | float | str | None = None
    contract_no: str | None = None


class EstimateIn(BaseModel):
    contracts: list[ContractIn]
    params: RewardParams = Field(default_factory=RewardParams)


@router.post("/estimate", summary="测算协同奖励（300万元规则），逐行报告错误")
def estimate(body: EstimateIn, session: SessionDep, request: Request) -> dict:
    rows, errors = rewards.rows_from_records([c.model_dump() for c in body.contracts], first_row=1)
    report, _ = rewards.estimate_from_rows(
        session=session, chain_code=request.app.state.chain.code, params=body.params, rows=rows, errors=errors
    )
    return rewards.report_json(report)


@router.get("/budget", summary="按年度、街镇（开发区）汇总数据库合同的奖励预算（默认口径）")
def budget(session: SessionDep, request: Request) -> dict:
    report, _ = rewards.estimate_from_db(
        session=session, chain_code=request.app.state.chain.code, params=RewardParams()
    )
    body = rewards.report_json(report)
    return {key: body[key] for key in ("budget", "totals", "choices", "policy", "source")}


@router.get("/ledger.xlsx", summary="下载奖励台账（Excel）")
def ledger(session: SessionDep, request: Request) -> Response:
    report, parties = rewards.estimate_from_db(
        session=session, chain_code=request.app.state.chain.code, params=RewardParams()
    )
    return excel_response(lambda path: rewards.write_ledger(report, parties, path), "reward-ledger.xlsx")


def excel_response(write: Callable[[Path], Path], filename: str) -> Response:
    """Write a workbook with ``write(path)`` into a temporary folder and send it."""
    with TemporaryDirectory() as folder:
        content = write(Path(folder) / filename).read_bytes()
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content, media_type=XLSX, headers=headers)
