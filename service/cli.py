"""The `chainmap` command line."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

# Only light modules here: `chainmap --help` must start fast. Everything else is imported by the command that uses it.
from geodata.crs import Datum
from matching.query import Direction, Scope
from matching.reward import FirstYearBase, IncrementBasis, RewardParams, ThresholdBasis
from service.cli_brief import brief_app
from service.cli_challenges import challenge_app
from service.cli_events import event_app
from service.cli_export import export_app
from service.cli_import import import_app
from service.cli_paths import readable_file, refused, writable_file
from service.cli_users import users_app

if TYPE_CHECKING:
    from sqlmodel import Session

    from service.settings import Settings

DEFAULT_CHOICES = RewardParams()
app = typer.Typer(
    help="chainmap：产业链全景图、伙伴匹配与协同奖励测算",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _settings() -> Settings:
    from service.settings import Settings

    return Settings()


def _session(settings: Settings) -> Session:
    from sqlmodel import Session

    from service.db import make_engine

    return Session(make_engine(settings))


def _audit(session: Session, action: str, after: dict) -> None:
    from service import audit

    audit.record(session=session, actor=audit.CLI, action=action, after=after, client="cli")


def _initialise(settings: Settings) -> str:
    from sqlmodel import Session

    from chainmap.taxonomy import available_chains, load_chain
    from service import repository
    from service.db import make_engine, migrate_engine, ping

    engine = make_engine(settings)
    migrate_engine(engine)
    with Session(engine) as session:
        repository.sync_places(session=session)
        for path in available_chains().values():
            repository.sync_chain(session=session, spec=load_chain(path))
        session.commit()
    return ping(engine) or "?"


@app.command()
def init(
    admin: str | None = typer.Option(None, help="Create this first administrator (only while there is none)"),
    admin_password: str | None = typer.Option(None, help="Its password; asked for when not given"),
) -> None:
    """Create or migrate the database, load the shipped chains, parks and towns, and the first administrator."""
    from service.cli_users import first_admin

    settings = _settings()
    version = _initialise(settings)
    typer.echo(f"数据库已就绪：{settings.database_url}（结构版本 {version}）")
    if admin:
        first_admin(settings, admin, admin_password)


@app.command()
def demo(
    serve: bool = typer.Option(True, help="Start the web server after loading the demo data"),
    enterprises: int | None = typer.Option(
        None, help="Number of demo enterprises (default: CHAINMAP_DEMO_ENTERPRISES)"
    ),
) -> None:
    """Load the demo district (replacing earlier demo records), then start the server."""
    from chainmap.demo import generate_demo
    from chainmap.taxonomy import load_named_chain
    from service import demo_challenges, repository
    from service.cli_users import demo_accounts, replace_demo_accounts
    from service.demo_events import replace_demo_events
    from service.progress import progress_bar

    settings = _settings()
    if enterprises is not None:
        settings = settings.model_copy(update={"demo_enterprises": enterprises})
    _initialise(settings)
    started = time.perf_counter()
    with progress_bar() as progress:
        progress("生成示例数据", 0, 1)
        district = generate_demo(load_named_chain(settings.chain), settings.demo_enterprises, settings.demo_seed)
        progress("生成示例数据", 1, 1)
        with _session(settings) as session:
            replace_demo_accounts(session)
            demo_challenges.clear(session)  # they point to the demo enterprises replaced next
            n_enterprises, n_contracts = repository.replace_demo(
                session=session,
                district=district,
                chain_code=settings.chain,
                progress=lambda done, total: progress("写入示例企业", done, total),
            )
            demo_challenges.load(session, load_named_chain(settings.chain))
            events_note = replace_demo_events(session=session)
            _audit(session, "demo_loaded", {"enterprises": n_enterprises, "contracts": n_contracts})
            logins = demo_accounts(session)
            session.commit()
    typer.echo(
        f"已载入示例数据：{n_enterprises} 家企业、{n_contracts} 份合同（种子 {settings.demo_seed}，"
        f"用时 {time.perf_counter() - started:.1f} 秒）。名称带“示例”的均为虚构企业。{events_note}。"
    )
    for username, role, password in logins:
        typer.echo(f"示例账户 {username}（{role.label}）密码：{password}")
    if serve:
        _serve(settings)


@app.command()
def serve() -> None:
    """Start the web server on CHAINMAP_HOST:CHAINMAP_PORT."""
    _serve(_settings())


def _serve(settings: Settings) -> None:
    """``settings.workers`` processes, each building its app from the environment (service.api.served_app)."""
    import secrets

    import uvicorn

    if settings.secret_key is None:  # one key for every worker, or a sign-in would hold on one of them only
        os.environ["CHAINMAP_SECRET_KEY"] = secrets.token_urlsafe(32)
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(f"首页 {base}/  接口文档 {base}/docs  健康检查 {base}/api/health（{settings.workers} 个服务进程）")
    uvicorn.run(
        "service.api:served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
    )


@app.command()
def reward(
    contracts: Path | None = typer.Option(
        None, help="CSV or Excel file of contracts; default: the database's contracts", callback=readable_file
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON"),
    excel: Path | None = typer.Option(None, help="Write the reward ledger to this .xlsx file", callback=writable_file),
    verbose: bool = typer.Option(False, "--verbose", help="List every contract the policy leaves out"),
    increment_basis: IncrementBasis = typer.Option(DEFAULT_CHOICES.increment_basis, help="Increment over which year"),
    threshold_basis: ThresholdBasis = typer.Option(
        DEFAULT_CHOICES.threshold_basis, help="Judge 300万 per year or cumulated"
    ),
    sum_contracts: bool = typer.Option(DEFAULT_CHOICES.sum_contracts, help="Sum a pair's contracts within a year"),
    first_year_base: FirstYearBase = typer.Option(DEFAULT_CHOICES.first_year_base, help="Amount the 10 % applies to"),
    require_local: bool = typer.Option(DEFAULT_CHOICES.require_local, help="Both parties must be in Songjiang"),
    require_chain: bool = typer.Option(DEFAULT_CHOICES.require_chain, help="Both parties must be in the chain"),
) -> None:
    """Compute the 300万 collaboration reward (沪松经规〔2024〕4号 二(二)): errors apart from policy exclusions."""
    from service import repository, rewards
    from service.tables import TableFileError

    settings = _settings()
    params = RewardParams(
        increment_basis, threshold_basis, sum_contracts, first_year_base, require_local, require_chain
    )
    with _session(settings) as session:
        if contracts is None:
            origin = rewards.DATABASE
            report, parties = rewards.estimate_from_db(session=session, chain_code=settings.chain, params=params)
        else:
            origin = rewards.file_origin(contracts)
            with refused(TableFileError):
                rows, errors = rewards.read_contract_file(contracts)
            report, parties = rewards.estimate_from_rows(
                session=session, chain_code=settings.chain, params=params, rows=rows, errors=errors
            )
        demo = repository.has_demo(session=session)
        _audit(session, "reward_computed", {**report.totals, "excel": str(excel or ""), "lines": len(report.lines)})
        session.commit()
    if excel:
        written = rewards.write_ledger(report, parties, excel, origin=origin, demo=demo)
        typer.echo(f"已写出奖励台账：{written}", err=True)
    if as_json:
        typer.echo(json.dumps(rewards.report_json(report), ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(rewards.summary(report, parties, origin, verbose=verbose)))


def _chain_option() -> str | None:
    return typer.Option(None, "--chain", help="Chain code (default: CHAINMAP_CHAIN)")


@app.command()
def classify(
    text: str | None = typer.Option(None, help="Products or business scope (经营范围) to classify"),
    name: str = typer.Option("", help="Enterprise name, used together with --text"),
    industry_code: str = typer.Option("", "--industry-code", help="GB/T 4754-2017 class (4 digits), with --text"),
    everything: bool = typer.Option(False, "--all", help="Re-run every classified row, not only older models' rows"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    chain: str | None = _chain_option(),
) -> None:
    """Classify a text into chain segments; without --text, classify the database (manual wins)."""
    from chainmap.classify import Description
    from chainmap.model_store import classifier_for

    settings = _settings()
    classifier = classifier_for(chain or settings.chain)
    if text is not None:
        matches = classifier.classify(Description(name=name, products=text, industry_code=industry_code))
        if as_json:
            typer.echo(json.dumps([asdict(match) for match in matches], ensure_ascii=False, indent=2))
        for match in [] if as_json else matches:
            typer.echo(
                f"{match.code} {match.display_name}［{match.level.label}］置信度 {match.confidence:.2f}"
                f"  依据：{match.evidence_text()}"
            )
        if not matches and not as_json:
            typer.echo("不属于该产业链（置信度不足以归入任何发展方向）")
        return
    from service import classification
    from service.progress import progress_bar

    with _session(settings) as session, progress_bar() as progress:
        run = classification.classify_stored(
            session=session,
            chain_code=classifier.chain.code,
            classifier=classifier,
            everything=everything,
            progress=lambda done, total: progress("分类", done, total),
        )
        changes = {"model": classifier.model_key, "classified": run.classified, "changed": run.changed}
        _audit(session, "classification_run", {**changes, "links": run.links})
        session.commit()
    typer.echo(
        f"模型 {classifier.model_key}：已分类 {run.classified} 家企业，其中 {run.assigned} 家归入环节"
        f"（写入 {run.links} 条），{run.changed} 家的环节与上次分类不同；{run.current} 家已由本模型分类，未重跑；"
        f"{run.kept} 家已有申报或人工指定的环节，未改动。"
    )


@app.command("bench-classify")
def bench_classify(
    chain: str | None = _chain_option(),
    cv: bool = typer.Option(False, "--cv", help="Also cross-validate on the training rows (slow, flatters)"),
) -> None:
    """Measure the classifier on the frozen test split: direction and segment accuracy, abstention, calibration."""
    from chainmap import classify_quality as quality
    from chainmap.model_store import classifier_for
    from chainmap.training import frozen_test_file, load_labelled, record_examples

    code = chain or _settings().chain
    path = frozen_test_file(code)
    if not path.exists():
        typer.echo(f"产业链“{code}”没有冻结测试集（{path}）", err=True)
        raise typer.Exit(2)
    classifier, test = classifier_for(code), load_labelled(path)
    rows = [
        quality.evaluate(classifier, test, "frozen test split"),
        quality.evaluate(classifier, quality.without_codes(test), "frozen test split, text only"),
    ]
    if cv:
        rows.append(quality.cross_validate(classifier.chain, record_examples(code)))
    typer.echo(f"model {classifier.model_key}; 方向=direction accuracy, 环节=segment, 路径=on the labelled path")
    typer.echo("\n".join([quality.HEADER, *(row.row() for row in rows)]))


@app.command()
def panorama(
    chain: str | None = _chain_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the whole panorama as JSON"),
    excel: Path | None = typer.Option(None, help="Write the panorama workbook (.xlsx) here", callback=writable_file),
    svg: Path | None = typer.Option(None, help="Write the chain diagram as SVG here", callback=writable_file),
    png: Path | None = typer.Option(None, help="Write the chain diagram as PNG here", callback=writable_file),
    min_enterprises: int | None = typer.Option(None, help="Weak below at least this many (default: the rule's 3)"),
    median_share: float | None = typer.Option(None, help="Weak below this share of the median (default: 0.4)"),
) -> None:
    """The chain's panorama: segment strength, park focus, gaps and 招商 targets."""
    from chainmap.diagram import chain_svg
    from chainmap.panorama import GradeRule
    from chainmap.taxonomy import load_named_chain
    from service import panorama as panoramas

    settings = _settings()
    spec = load_named_chain(chain or settings.chain)
    with refused(ValueError):
        given = {"min_enterprises": min_enterprises, "median_share": median_share}
        rule = GradeRule(**{name: value for name, value in given.items() if value is not None})
    with _session(settings) as session:
        result = panoramas.panorama_from_db(session=session, chain=spec, rule=rule)
    if excel:
        typer.echo(f"已写出全景表：{panoramas.write_panorama_excel(spec, result, excel)}", err=True)
    if svg or png:
        drawing = chain_svg(spec, result)
        if svg:
            svg.write_text(drawing, encoding="utf-8")
        if png:
            panoramas.diagram_png(drawing, png)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    for note in result.notes:
        typer.echo(note)
    for s in result.graded():
        typer.echo(f"{s.grade.label if s.grade else ''}  {s.name}（{s.code}）本地 {s.enterprises} 家")
    for rank, gap in enumerate(result.gaps, start=1):
        where = f"{gap.grade.label}，本地 {gap.local_enterprises} 家，需求指数 {gap.demand}"
        typer.echo(f"缺口{rank}：{gap.name}（{where}）→ {gap.attract}")


@app.command("map")
def map_command(
    out: Path = typer.Option(..., help="Write the standalone map page (.html) here", callback=writable_file),
    tiles: str | None = typer.Option(None, help="Base map: osm, amap, tianditu or none (default: CHAINMAP_TILES)"),
    chain: str | None = _chain_option(),
) -> None:
    """Export the panorama map as one HTML file that opens without a server (and offline with --tiles none)."""
    from chainmap.panorama_map import MapFrame, map_html
    from chainmap.taxonomy import load_named_chain
    from service import geo

    settings = _settings()
    with refused(ValueError):
        frame = MapFrame(tiles or settings.tiles, settings.tianditu_key)
    with _session(settings) as session:
        fmap = geo.map_for(session=session, chain=load_named_chain(chain or settings.chain), frame=frame)
    out.write_text(map_html(fmap), encoding="utf-8")
    typer.echo(f"已写出地图：{out}（{out.stat().st_size / 1e6:.1f} MB，底图 {frame.basemap.value}）")


app.add_typer(users_app, name="users")
app.add_typer(brief_app, name="brief")
app.add_typer(export_app, name="export")
app.add_typer(challenge_app, name="challenge")
app.add_typer(event_app, name="event")
app.add_typer(import_app, name="import")


class BoundaryLayer(StrEnum):
    TOWNS = "towns"
    PARKS = "parks"


geo_app = typer.Typer(help="Official town and park boundaries", no_args_is_help=True)
app.add_typer(geo_app, name="geo")


@geo_app.command("load-boundaries")
def load_boundaries(
    file: Path = typer.Argument(
        ..., help="GeoJSON, zipped Shapefile or GeoPackage with a name per feature", callback=readable_file
    ),
    layer: BoundaryLayer = typer.Option(..., help="towns or parks"),
    datum: Datum = typer.Option(Datum.WGS84, help="gcj02 when the file's coordinates are GCJ-02 (e.g. from AMap)"),
    partial: bool = typer.Option(
        False, "--partial", help="Accept town polygons for some towns only; enterprises outside keep their town"
    ),
) -> None:
    """Store official polygons for towns or parks; they replace the approximations everywhere."""
    from geodata.boundaries import BoundaryFileError
    from service import geo

    settings = _settings()
    _initialise(settings)
    with _session(settings) as session:
        with refused(BoundaryFileError):
            loaded = geo.load_boundaries(session=session, path=file, layer=layer.value, datum=datum, partial=partial)
        moves = loaded.placements
        _audit(
            session,
            "boundaries_loaded",
            {"file": file.name, "layer": layer.value, "features": loaded.features, "moved": moves.moved},
        )
        session.commit()
    kind = "街镇" if layer is BoundaryLayer.TOWNS else "园区"
    kept = f"；{moves.kept} 家位于新边界之外，保留原街镇" if moves.kept else ""
    typer.echo(
        f"已载入 {loaded.features} 个官方{kind}边界；重新判定了 {moves.replaced} 家按坐标定位企业的街镇和园区，"
        f"其中 {moves.moved} 家改变了街镇、{moves.park_changed} 家改变了园区{kept}"
    )


match_app = typer.Typer(help="Recommend suppliers or customers, with reasons", no_args_is_help=True)
app.add_typer(match_app, name="match")


def _match(*, as_json: bool, **request) -> None:
    from chainmap.taxonomy import load_named_chain
    from service import matching

    settings = _settings()
    with _session(settings) as session, refused(matching.MatchRequestError, LookupError):
        result = matching.find_partners(session=session, chain=load_named_chain(settings.chain), **request)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    for s in result["inferred_segments"]:
        typer.echo(f"识别的环节：{s['name']}（置信度 {s['confidence']:.2f}）")
    for rank, r in enumerate(result["recommendations"], start=1):
        reward = f"  【{r['reward']['note']}】" if r["reward"] else ""
        typer.echo(
            f"{rank}. {r['name']}（{'、'.join(r['segments'])}）得分 {r['score']:.2f}：{'；'.join(r['reasons'])}{reward}"
        )
    for p in result["partners"]:
        typer.echo(f"已有伙伴：{p['name']}（{p['status']}）")


def _match_command(direction: Direction):
    def command(
        uscc: str | None = typer.Option(None, help="The asking enterprise's 统一社会信用代码"),
        need: str = typer.Option(
            "", help="What is needed, in words (classified into segments if --segment is not given)"
        ),
        segment: list[str] = typer.Option([], help="Wanted segment code; repeat for several"),
        scope: Scope = typer.Option(Scope.ANY, help="local: Songjiang only; g60: the nine G60 cities; any"),
        max_km: float | None = typer.Option(None, help="Maximum distance in km"),
        label: list[str] = typer.Option([], help="Required label, e.g. 专精特新; repeat for several"),
        budget_yuan: int | None = typer.Option(None, help="Yearly purchase budget (元), for the reward estimate"),
        min_revenue_yuan: int | None = typer.Option(None, help="Minimum revenue (元)"),
        include_partners: bool = typer.Option(False, help="Rank existing partners too"),
        k: int = typer.Option(10, help="How many to return"),
        as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    ) -> None:
        _match(
            direction=direction,
            uscc=uscc,
            need=need,
            segments=segment,
            scope=scope,
            max_km=max_km,
            labels=frozenset(label),
            budget_yuan=budget_yuan,
            min_revenue_yuan=min_revenue_yuan,
            exclude_partners=not include_partners,
            k=k,
            as_json=as_json,
        )

    return command


match_app.command("suppliers", help="Suppliers for a buyer (an enterprise or a need), with reasons and reward")(
    _match_command(Direction.SUPPLIERS)
)
match_app.command("customers", help="Customers for a supplier, with reasons")(_match_command(Direction.CUSTOMERS))


class BenchDirection(StrEnum):
    SUPPLIERS = "suppliers"
    CUSTOMERS = "customers"
    BOTH = "both"


@app.command("bench-match")
def bench_match(
    edges: Path | None = typer.Option(
        None, help="Bare edge list CSV (supplier,customer,date): graph signals only", callback=readable_file
    ),
    split_date: str = typer.Option(
        "2025-07-01", help="Fit before this date, test on pairs first seen on or after it (2025/7/1 works too)"
    ),
    demo: bool = typer.Option(False, help="Evaluate on a freshly generated demo district instead of the database"),
    direction: BenchDirection = typer.Option(BenchDirection.SUPPLIERS, help="Rank suppliers, customers, or both"),
    k: int = typer.Option(10, help="Cut-off of Hits and NDCG"),
    max_buyers: int = typer.Option(2000, help="Test askers sampled at most"),
    seed: int = typer.Option(0, help="Seed of the asker sample, the random baseline and the model"),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON"),
) -> None:
    """Evaluate the partner ranker against random, popularity, chain, text and L3 baselines."""
    from chainmap.demo import generate_demo
    from chainmap.taxonomy import load_named_chain
    from matching.evaluation import EdgeListError, evaluate, read_edge_list, split_pairs
    from matching.market import Market
    from matching.ranker import PartnerRanker
    from matching.rerank import RerankConfig
    from matching.textfiles import parse_date
    from service import matching
    from service import panorama as panoramas

    with refused(ValueError):
        split = parse_date(split_date)
    settings = _settings()
    started = time.perf_counter()
    if edges is not None:
        with refused(EdgeListError):
            contracts = read_edge_list(edges)
        market = Market.from_edges(contracts)
    else:
        spec = load_named_chain(settings.chain)
        if demo:
            district = generate_demo(spec, settings.demo_enterprises, settings.demo_seed)
            records, contracts = district.enterprises, [matching.contract(c) for c in district.contracts]
        else:
            with _session(settings) as session:
                records = panoramas.members_from_db(session=session, chain_code=spec.code)
                contracts = matching.contracts_from_db(session)
        market = Market([matching.firm(r) for r in records], matching.chain_data(spec))
    directions = list(Direction) if direction == BenchDirection.BOTH else [Direction(direction.value)]
    ranker = PartnerRanker(config=RerankConfig(seed=seed), directions=directions)
    ranker.fit(market, split_pairs(contracts, split)[0])
    results = [
        evaluate(market, contracts, split, direction=d, k=k, max_buyers=max_buyers, seed=seed, ranker=ranker)
        for d in directions
    ]
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
        return
    typer.echo("\n\n".join(r.table(k) for r in results))
    typer.echo(f"\n{len(contracts)} contracts, {time.perf_counter() - started:.1f} s")
