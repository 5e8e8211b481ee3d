"""`chainmap import enterprises|contracts FILE`: the import pipeline (service.imports) on the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from geodata.crs import Datum
from service.cli_paths import fail

import_app = typer.Typer(
    help="Import enterprises or contracts from CSV or Excel (any encoding, Chinese headers)", no_args_is_help=True
)

FILE = typer.Argument(..., help="CSV or Excel sheet, Chinese or English headers (see README)")
DRY_RUN = typer.Option(False, "--dry-run", help="Check and report only; store nothing")
SKIP_BAD = typer.Option(False, "--skip-bad", help="Store the good rows and report the bad ones (default: all or none)")
REPORT = typer.Option(None, "--report", help="Write the bad rows with their errors to this .xlsx file")


def _run(kind: str, file: Path, *, dry_run: bool, skip_bad: bool, report: Path | None, **options) -> None:
    from service import cli
    from service.imports import ImportOptions, Kind, Mode, run_import
    from service.imports import report as reports
    from service.progress import progress_bar
    from service.tables import TableFileError

    if dry_run and skip_bad:
        fail("--dry-run 与 --skip-bad 只能选一个")
    mode = Mode.DRY_RUN if dry_run else Mode.SKIP_BAD if skip_bad else Mode.ALL
    settings = cli._settings()
    cli._initialise(settings)
    chain_code = options.pop("chain") or settings.chain
    with cli._session(settings) as session:
        with cli.refused(TableFileError), progress_bar() as progress:
            result = run_import(
                session=session,
                kind=Kind(kind),
                path=file,
                options=ImportOptions(chain_code=chain_code, mode=mode, **options),
                progress=progress,
            )
        verb = "更新" if result.written else "将更新（未写入）"
        for change in result.changes:
            typer.echo(f"{verb}：{reports.change_line(change)}")
        for problem in result.problems:
            typer.echo(reports.problem_line(result.kind, problem), err=True)
        if report is not None:
            typer.echo(f"已写出错误行报告：{reports.write_bad_rows(result, report)}", err=True)
        if result.written:
            after = {"file": file.name, "mode": mode.value, "stored": result.stored, "updated": result.updated}
            cli._audit(session, f"{kind}_imported", after)
            session.commit()
    typer.echo(reports.summary(result))
    if result.problems and not result.written:
        raise typer.Exit(1)


@import_app.command("enterprises")
def enterprises(
    file: Path = FILE,
    dry_run: bool = DRY_RUN,
    skip_bad: bool = SKIP_BAD,
    update: bool = typer.Option(False, "--update", help="Update enterprises already stored (shows each change first)"),
    report: Path | None = REPORT,
    datum: Datum = typer.Option(Datum.WGS84, help="Datum of the 经度/纬度 columns: wgs84 or gcj02"),
    workers: int = typer.Option(0, help="Processes that classify the new enterprises (0: one per CPU)"),
    chain: str | None = typer.Option(None, "--chain", help="Chain code (default: CHAINMAP_CHAIN)"),
) -> None:
    """Import enterprises, placed by coordinates or address and classified; nothing is stored if any row is wrong."""
    import os

    options = {"update": update, "datum": datum, "workers": workers or os.cpu_count() or 1, "chain": chain}
    _run("enterprises", file, dry_run=dry_run, skip_bad=skip_bad, report=report, **options)


@import_app.command("contracts")
def contracts(
    file: Path = FILE,
    dry_run: bool = DRY_RUN,
    skip_bad: bool = SKIP_BAD,
    report: Path | None = REPORT,
) -> None:
    """Import contracts (parties by USCC or name, amounts in 元 or 万元) into the database."""
    _run("contracts", file, dry_run=dry_run, skip_bad=skip_bad, report=report, chain=None)
