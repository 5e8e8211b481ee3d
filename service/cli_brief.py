"""`chainmap brief`: the printable briefing (产业链简报) as an A4 PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from service.cli_paths import fail

brief_app = typer.Typer(help="The printable briefing (PDF)")


@brief_app.callback(invoke_without_command=True)
def brief(
    out: Path = typer.Option(..., help="Write the briefing (.pdf) here, e.g. 产业链简报.pdf"),
    chain: str | None = typer.Option(None, help="Chain code (default: CHAINMAP_CHAIN)"),
) -> None:
    """Cover, chain diagram, strong and weak segments, gaps with 招商 candidates, park focus, map, sources."""
    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlmodel import Session

    from chainmap.taxonomy import load_named_chain
    from service import briefing
    from service.db import make_engine
    from service.settings import Settings

    settings = Settings()
    try:
        spec = load_named_chain(chain or settings.chain)
    except KeyError as exc:
        fail(exc.args[0])
    try:
        with Session(make_engine(settings)) as session:
            document = briefing.briefing_from_db(session=session, chain=spec)
    except (OperationalError, ProgrammingError):  # no tables: a database never initialised
        fail("数据库尚未初始化或无法读取（见 CHAINMAP_DATABASE_URL；请先运行 chainmap init 或 chainmap demo）")
    out.write_bytes(briefing.briefing_pdf(document))
    typer.echo(f"已写出简报：{out}（{out.stat().st_size / 1e6:.1f} MB）")
