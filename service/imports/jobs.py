"""Imports started from the web page, run in a background thread, their state kept on disk for every process.

Each job has a folder under the jobs' base folder (``CHAINMAP_DATA_DIR/imports``)
holding the upload, ``status.json`` and the bad-rows report ``report.xlsx``. The status says who started
the job, what it imports, how far it is and, at the end, what the page shows of the outcome; it is
rewritten atomically (a temporary file, then ``os.replace``) at every progress report and at the end.
Any ImportJobs on the same base folder reads a job from its status, so with several server processes the
progress polls and the report download may reach another process than the upload did.

Limits (deliberately simple): the import runs in a thread of the process that received the upload, so a
job whose process stops before the end stays unfinished; the processes must share the base folder (one
machine); at most KEEP finished jobs are kept, the oldest removed first; a job cannot be cancelled.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlmodel import Session

from service import audit
from service.imports import ImportOptions, ImportResult, Kind, RowProblem, run_import
from service.imports.report import change_line, summary, write_bad_rows
from service.tables import TableFileError

KEEP = 20
SHOWN_PROBLEMS = 500  # on the page; the Excel report has them all
STATUS = "status.json"
REPORT = "report.xlsx"
JOB_ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex: a job id never leaves the base folder


class Outcome(BaseModel):
    """What the page shows of an import's result."""

    summary: str
    changes: list[str]
    problems: list[RowProblem]  # the first SHOWN_PROBLEMS
    problem_count: int
    report: bool  # report.xlsx was written

    @classmethod
    def of(cls, result: ImportResult, report: bool) -> Outcome:
        return cls(
            summary=summary(result),
            changes=[change_line(change) for change in result.changes],
            problems=result.problems[:SHOWN_PROBLEMS],
            problem_count=len(result.problems),
            report=report,
        )


class ImportJob(BaseModel):
    id: str
    owner: str
    kind: Kind
    options: ImportOptions
    filename: str
    stage: str = "排队"
    done: int = 0
    total: int = 0
    stages: list[str] = []
    finished_ns: int = 0  # when it finished (time.time_ns()); file times are too coarse to order jobs by
    error: str = ""  # a file that could not be read at all
    outcome: Outcome | None = None

    def progress(self, stage: str, done: int, total: int) -> None:
        if stage not in self.stages:
            self.stages.append(stage)
        self.stage, self.done, self.total = stage, done, total

    @property
    def finished(self) -> bool:
        return self.finished_ns > 0

    def status(self) -> dict:
        percent = round(100 * self.done / self.total) if self.total else 0
        return {
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "percent": percent,
            "finished": self.finished,
        }


class ImportJobs:
    """The jobs under one base folder; any number of instances, in any processes, may share it."""

    def __init__(self, base: Path) -> None:
        self.base = base  # CHAINMAP_DATA_DIR/imports

    def get(self, job_id: str) -> ImportJob | None:
        return _read(self.base / job_id / STATUS) if JOB_ID.fullmatch(job_id) else None

    def report(self, job: ImportJob) -> Path | None:
        return self.base / job.id / REPORT if job.outcome and job.outcome.report else None

    def start(
        self, *, engine: Engine, owner: str, kind: Kind, options: ImportOptions, filename: str, data: bytes
    ) -> ImportJob:
        job = ImportJob(id=uuid.uuid4().hex, owner=owner, kind=kind, options=options, filename=filename)
        self.base.mkdir(mode=0o700, parents=True, exist_ok=True)  # uploads are not for other accounts to read
        folder = self.base / job.id
        folder.mkdir(mode=0o700)
        (folder / "upload").write_bytes(data)
        _save(folder, job)
        self._forget_old()
        threading.Thread(target=_run, args=(engine, job, folder), daemon=True, name=f"import-{job.id[:8]}").start()
        return job

    def _forget_old(self) -> None:
        finished = self._finished_folders()
        for folder in finished[: max(0, len(finished) - KEEP)]:
            shutil.rmtree(folder, ignore_errors=True)  # another process may be removing it too

    def _finished_folders(self) -> list[Path]:
        """The folders of finished jobs, the one finished first first."""
        found = []
        for status in self.base.glob(f"*/{STATUS}"):
            job = _read(status)  # None when removed meanwhile by another process
            if job is not None and job.finished:
                found.append((job.finished_ns, status.parent))
        return [folder for _, folder in sorted(found)]


def _read(status: Path) -> ImportJob | None:
    """The job of a status file; None when it is gone or unreadable (written by another version)."""
    try:
        return ImportJob.model_validate_json(status.read_bytes())
    except (FileNotFoundError, ValidationError):
        return None


def _save(folder: Path, job: ImportJob) -> None:
    """Readers see the old status or the new one, never half of one (only the job's own thread writes)."""
    temporary = folder / f".{STATUS}.tmp"
    temporary.write_text(job.model_dump_json(), encoding="utf-8")
    os.replace(temporary, folder / STATUS)


def _run(engine: Engine, job: ImportJob, folder: Path) -> None:
    """The import in its own session and transaction; committed only when something was written."""

    def progress(stage: str, done: int, total: int) -> None:
        job.progress(stage, done, total)
        _save(folder, job)

    try:
        with Session(engine) as session:
            result = run_import(
                session=session, kind=job.kind, path=folder / "upload", options=job.options, progress=progress
            )
            if result.written:
                after = {
                    "file": job.filename,
                    "mode": result.mode.value,
                    "stored": result.stored,
                    "updated": result.updated,
                }
                audit.record(
                    session=session, actor=job.owner, action=f"{job.kind.value}_imported", after=after, client="web"
                )
                session.commit()
        report = bool(result.problems or result.changes)
        if report:
            write_bad_rows(result, folder / REPORT)
        job.outcome = Outcome.of(result, report)
    except TableFileError as exc:
        job.error = str(exc).replace("upload", job.filename)
    except Exception:  # an unexpected failure is shown as one line; the server log has the traceback
        logging.getLogger(__name__).exception("import job %s failed", job.id)
        job.error = "导入时发生内部错误，未写入任何数据；请联系管理员查看服务器日志"
    finally:
        job.finished_ns = time.time_ns()
        _save(folder, job)
