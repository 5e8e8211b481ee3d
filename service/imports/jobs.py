"""Imports started from the web page, run in a background thread with their progress kept in memory.

Limits (deliberately simple): the registry lives in the server process, so jobs and their reports are
lost on restart and are not shared between several server processes (run one worker, as `chainmap
serve` does); at most KEEP finished jobs are kept, the oldest forgotten first; a job cannot be cancelled.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from service import audit
from service.imports import ImportOptions, ImportResult, Kind, run_import
from service.imports.report import write_bad_rows
from service.tables import TableFileError

KEEP = 20


@dataclass
class ImportJob:
    id: str
    owner: str
    kind: Kind
    options: ImportOptions
    filename: str
    folder: Path  # the upload and the bad-rows report
    stage: str = "排队"
    done: int = 0
    total: int = 0
    finished: bool = False
    error: str = ""  # a file that could not be read at all
    result: ImportResult | None = None
    report: Path | None = None
    stages: list[str] = field(default_factory=list)

    def progress(self, stage: str, done: int, total: int) -> None:
        if stage not in self.stages:
            self.stages.append(stage)
        self.stage, self.done, self.total = stage, done, total

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
    def __init__(self) -> None:
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> ImportJob | None:
        return self._jobs.get(job_id)

    def start(
        self, *, engine: Engine, owner: str, kind: Kind, options: ImportOptions, filename: str, data: bytes
    ) -> ImportJob:
        folder = Path(tempfile.mkdtemp(prefix="chainmap-import-"))
        (folder / "upload").write_bytes(data)
        job = ImportJob(uuid.uuid4().hex, owner, kind, options, filename, folder)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        threading.Thread(target=_run, args=(engine, job), daemon=True, name=f"import-{job.id[:8]}").start()
        return job

    def _forget_old(self) -> None:
        finished = [job for job in self._jobs.values() if job.finished]
        for job in finished[: max(0, len(finished) - KEEP)]:
            shutil.rmtree(job.folder, ignore_errors=True)
            del self._jobs[job.id]


def _run(engine: Engine, job: ImportJob) -> None:
    """The import in its own session and transaction; committed only when something was written."""
    try:
        with Session(engine) as session:
            result = run_import(
                session=session, kind=job.kind, path=job.folder / "upload", options=job.options, progress=job.progress
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
        job.result = result
        if result.problems or result.changes:
            job.report = write_bad_rows(result, job.folder / "report.xlsx")
    except TableFileError as exc:
        job.error = str(exc).replace("upload", job.filename)
    except Exception:  # an unexpected failure is shown as one line; the server log has the traceback
        import logging

        logging.getLogger(__name__).exception("import job %s failed", job.id)
        job.error = "导入时发生内部错误，未写入任何数据；请联系管理员查看服务器日志"
    finally:
        job.finished = True
