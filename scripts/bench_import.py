"""Import benchmark: 100,000 generated enterprise rows read, validated, placed, classified and stored.

Run with `python -m scripts.bench_import [--rows N]`. The rows are generated at run time (nothing large is
committed; every name carries 示例): 40 % with coordinates inside Songjiang, 40 % with a town in the address,
20 % in other G60 cities; products and business scope drawn from the chain's own keywords. Each database
is measured in a fresh child process (wall time of `run_import` plus commit, and the child's peak RSS):
a new SQLite file, and a new PostgreSQL database on CHAINMAP_BENCH_POSTGRES_URL's server, dropped after.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

POSTGRES = os.environ.get("CHAINMAP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHAIN = "smart_terminal"
HEADER = ["统一社会信用代码", "企业名称", "地址", "经度", "纬度", "主营产品", "经营范围", "所在城市", "营业收入"]
CITIES = ["苏州市", "嘉兴市", "杭州市", "合肥市"]
WORKERS = os.cpu_count() or 1  # classifying processes, as `chainmap import enterprises` uses by default


def generate(path: Path, n: int, seed: int = 42) -> None:
    from chainmap.taxonomy import load_named_chain
    from chainmap.uscc import generate as new_code
    from geodata import towns

    rng = random.Random(seed)
    words = sorted({word for segment in load_named_chain(CHAIN).segments.values() for word in segment.keywords})
    anchors = [(row.name, row.geometry.x, row.geometry.y) for row in towns().itertuples()]
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(new_code(rng))
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i, code in enumerate(sorted(codes)):
            town, x, y = rng.choice(anchors)
            kind = rng.random()
            lon, lat = (
                (f"{x + rng.uniform(-0.004, 0.004):.6f}", f"{y + rng.uniform(-0.004, 0.004):.6f}")
                if kind < 0.4
                else ("", "")
            )
            city = rng.choice(CITIES) if kind >= 0.8 else ""
            address = f"上海市松江区{town}示例路{rng.randint(1, 999)}号" if not city else f"{city}示例路{i}号"
            products = "、".join(rng.sample(words, 3))
            scope = f"{'、'.join(rng.sample(words, 2))}的研发、制造与销售；技术服务"
            revenue = f"{rng.randint(1, 500_000) * 1000:,}"
            writer.writerow([code, f"示例{i}号智能科技有限公司", address, lon, lat, products, scope, city, revenue])


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the classifying workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class StageClock:
    """Wall and CPU seconds per import stage (读取, 校验, 写入, 分类, 提交), from the progress reports."""

    def __init__(self) -> None:
        self.spent: list[tuple[str, float, float]] = []
        self.current, self.since = "", (time.perf_counter(), _cpu_seconds())

    def enter(self, stage: str) -> None:
        if stage == self.current:
            return
        now = (time.perf_counter(), _cpu_seconds())
        if self.current:
            self.spent.append((self.current, now[0] - self.since[0], now[1] - self.since[1]))
        self.current, self.since = stage, now


def measure(url: str, path: Path) -> None:
    """In this (child) process: prepare the database, import the file, print seconds and peak RSS."""
    from sqlmodel import Session

    from chainmap.model_store import classifier_for
    from chainmap.taxonomy import load_named_chain
    from service import repository
    from service.db import make_engine, migrate_engine
    from service.imports import ImportOptions, Kind, run_import
    from service.progress import progress_bar
    from service.settings import Settings

    engine = make_engine(Settings(database_url=url))
    migrate_engine(engine)
    with Session(engine) as session:
        repository.sync_places(session=session)
        repository.sync_chain(session=session, spec=load_named_chain(CHAIN))
        session.commit()
    classifier_for(CHAIN)  # the saved model, loaded once (as every command does)
    started, cpu = time.perf_counter(), _cpu_seconds()
    stages = StageClock()
    with Session(engine) as session, progress_bar() as bar:

        def progress(stage: str, done: int, total: int) -> None:
            stages.enter(stage)
            bar(stage, done, total)

        result = run_import(
            session=session,
            kind=Kind.ENTERPRISES,
            path=path,
            options=ImportOptions(CHAIN, workers=WORKERS),
            progress=progress,
        )
        stages.enter("提交")
        session.commit()
        stages.enter("")
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest classifying worker
    print(
        f"{engine.dialect.name:<11} {result.total:>8,} rows  {seconds:6.1f} s (CPU {cpu:5.1f} s)  "
        f"peak RSS {peak_mb:4.0f} MB (worker {worker_mb:4.0f} MB)  load {os.getloadavg()[0]:.1f}  "
        f"stored {result.stored:,}, classified {result.classified:,}, errors {len(result.problems)}, "
        f"placed {result.placements}"
    )
    print("            " + "  ".join(f"{name} {wall:.1f} s (CPU {used:.1f} s)" for name, wall, used in stages.spent))


def _fresh_postgres() -> tuple[str, object]:
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"chainmap_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure(args.one[0], Path(args.one[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "enterprises.csv"
        generate(path, args.rows)
        print(f"{args.rows:,} generated rows, {path.stat().st_size / 1e6:.1f} MB CSV")
        postgres_url, drop = _fresh_postgres()
        try:
            for url in (f"sqlite:///{folder}/bench.db", postgres_url):
                subprocess.run([sys.executable, "-m", "scripts.bench_import", "--one", url, str(path)], check=True)
        finally:
            drop()  # type: ignore[operator]


if __name__ == "__main__":
    main()
