"""The `chainmap` command line."""

from __future__ import annotations

import time

import typer
from sqlmodel import Session

from chainmap.demo import generate_demo
from chainmap.taxonomy import available_chains, load_chain, load_named_chain
from service import repository
from service.db import make_engine, migrate_engine, ping
from service.settings import Settings

app = typer.Typer(
    help="chainmap：产业链全景图、伙伴匹配与协同奖励测算",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _initialise(settings: Settings) -> str:
    engine = make_engine(settings)
    migrate_engine(engine)
    with Session(engine) as session:
        repository.sync_places(session=session)
        for path in available_chains().values():
            repository.sync_chain(session=session, spec=load_chain(path))
        session.commit()
    return ping(engine) or "?"


@app.command()
def init() -> None:
    """Create or migrate the database and load the shipped chains, parks and towns."""
    settings = Settings()
    version = _initialise(settings)
    typer.echo(f"数据库已就绪：{settings.database_url}（结构版本 {version}）")


@app.command()
def demo(
    serve: bool = typer.Option(True, help="Start the web server after loading the demo data"),
    enterprises: int | None = typer.Option(
        None, help="Number of demo enterprises (default: CHAINMAP_DEMO_ENTERPRISES)"
    ),
) -> None:
    """Load the demo district (replacing earlier demo records), then start the server."""
    settings = Settings()
    if enterprises is not None:
        settings = settings.model_copy(update={"demo_enterprises": enterprises})
    _initialise(settings)
    started = time.perf_counter()
    district = generate_demo(load_named_chain(settings.chain), settings.demo_enterprises, settings.demo_seed)
    with Session(make_engine(settings)) as session:
        n_enterprises, n_contracts = repository.replace_demo(
            session=session, district=district, chain_code=settings.chain
        )
        session.commit()
    typer.echo(
        f"已载入示例数据：{n_enterprises} 家企业、{n_contracts} 份合同（种子 {settings.demo_seed}，"
        f"用时 {time.perf_counter() - started:.1f} 秒）。名称带“示例”的均为虚构企业。"
    )
    if serve:
        _serve(settings)


@app.command()
def serve() -> None:
    """Start the web server on CHAINMAP_HOST:CHAINMAP_PORT."""
    _serve(Settings())


def _serve(settings: Settings) -> None:
    import uvicorn

    from service.api import create_app

    base = f"http://{settings.host}:{settings.port}"
    typer.echo(f"首页 {base}/  接口文档 {base}/docs  健康检查 {base}/api/health")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
