"""The import page for officers: upload a file, choose the mode, watch the background job, read the result."""

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from geodata import Datum
from service.auth.permissions import Action, Principal, Role
from service.imports import ImportOptions, Kind, Mode
from service.imports.jobs import KEEP, ImportJob, ImportJobs
from service.imports.report import column_label
from service.routes.pages import templates
from service.routes.rewards import XLSX
from service.web.deps import allowed

router = APIRouter(prefix="/import", include_in_schema=False, dependencies=[allowed(Action.IMPORT_DATA)])


def _jobs(request: Request) -> ImportJobs:
    return request.app.state.import_jobs


def _who(request: Request) -> Principal:
    return request.state.principal  # set by the router's permission check


def _job(request: Request, job_id: str) -> ImportJob:
    job, who = _jobs(request).get(job_id), _who(request)
    if job is None or (job.owner != who.username and who.role is not Role.ADMIN):
        raise HTTPException(status_code=404, detail=f"找不到该导入任务（已完成的任务只保留最近 {KEEP} 个）")
    return job


def _page(request: Request, job: ImportJob | None = None, error: str = "", status: int = 200) -> HTMLResponse:
    context = {"job": job, "error": error, "kinds": list(Kind), "modes": list(Mode), "column_label": column_label}
    return templates.TemplateResponse(request, "import.html", context, status_code=status)


@router.get("", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("", response_class=HTMLResponse)
async def start_import(
    request: Request,
    file: Annotated[UploadFile, File()],
    kind: Annotated[Kind, Form()],
    mode: Annotated[Mode, Form()] = Mode.DRY_RUN,
    update: Annotated[bool, Form()] = False,
    datum: Annotated[Datum, Form()] = Datum.WGS84,
) -> Response:
    data = await file.read()
    if not data.strip():
        return _page(request, error=f"{file.filename or '上传的文件'} 是空文件", status=422)
    who = _who(request)
    options = ImportOptions(chain_code=request.app.state.chain.code, mode=mode, update=update, datum=datum, who=who)
    job = _jobs(request).start(
        engine=request.app.state.engine,
        owner=who.username,
        kind=kind,
        options=options,
        filename=file.filename or "上传的文件",
        data=data,
    )
    return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    return _page(request, _job(request, job_id))


@router.get("/jobs/{job_id}/status")
def job_status(request: Request, job_id: str) -> dict:
    return _job(request, job_id).status()


@router.get("/jobs/{job_id}/report.xlsx")
def job_report(request: Request, job_id: str) -> Response:
    job = _job(request, job_id)
    report = _jobs(request).report(job)
    if report is None:
        raise HTTPException(status_code=404, detail="该任务没有错误行报告")
    return FileResponse(report, media_type=XLSX, filename=f"import-{job.id[:8]}-report.xlsx")
