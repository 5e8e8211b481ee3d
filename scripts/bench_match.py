"""Matching latency: p50 and p95 of a supplier query at 3,000, 30,000 and 300,000 enterprises;
then the evaluation of a bare edge list of 100,000+ contracts, timed.

    python -m scripts.bench_match                  # all three sizes and the edge list
    python -m scripts.bench_match --sizes 3000 --edge-list 0     # one size, no edge list

The demo district is scaled up (chainmap.demo.scale_up) with its contracts; the ranker's
models are fitted once on the 3,000-enterprise demo. A query is the whole answer: signals over
every candidate, filters, the short list, its re-ranking by the model, top k, Chinese reasons
with per-signal contributions (path contributions of the model) and the reward estimate. Memory
is the growth of the process's resident set while the market and its index are built. Times are
printed twice: wall clock, and the process's CPU time (on a machine shared with other jobs the
wall clock also counts the time the process waits for a core).
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from chainmap.demo import generate_demo, scale_up
from chainmap.taxonomy import load_named_chain
from matching.evaluation import evaluate, read_edge_list
from matching.market import Market
from matching.ranker import PartnerRanker
from matching.signals import Direction, Query
from service.matching import chain_data, contract, firm


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def measure(sizes: list[int], queries: int) -> list[dict]:
    chain = load_named_chain("smart_terminal")
    demo = generate_demo(chain, 3000, seed=42)
    fitted = PartnerRanker(directions=[Direction.SUPPLIERS]).fit(
        Market([firm(e) for e in demo.enterprises], chain_data(chain)), [contract(c) for c in demo.contracts]
    )
    results = []
    for size in sizes:
        district = scale_up(demo, size, seed=size)
        before = resident_mb()
        started, cpu = time.perf_counter(), time.process_time()
        market = Market([firm(e) for e in district.enterprises], chain_data(chain))
        ranker = PartnerRanker(models=fitted.models).fit(market, [contract(c) for c in district.contracts])
        build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
        grown = resident_mb() - before
        rng = random.Random(size)
        buyers = [e.uscc for e in district.enterprises if e.segments and e.lon is not None]
        needs = [Query(firm=uscc) for uscc in rng.sample(buyers, queries)]
        needs += [Query(text="车规级MCU芯片，用于智能座舱", segments=("ST.CHIP.MCU",), scope="local")] * (queries // 10)
        timings, cpu_timings = [], []
        for query in needs:
            started, cpu = time.perf_counter(), time.process_time()
            ranker.rank(query)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
        results.append(
            {
                "enterprises": size,
                "contracts": len(district.contracts),
                "build_s": build,
                "build_cpu_s": build_cpu,
                "memory_mb": grown,
                "p50_ms": float(np.percentile(timings, 50)),
                "p95_ms": float(np.percentile(timings, 95)),
                "cpu_p50_ms": float(np.percentile(cpu_timings, 50)),
                "cpu_p95_ms": float(np.percentile(cpu_timings, 95)),
            }
        )
    return results


def edge_list_run(enterprises: int) -> str:
    """Write the scaled-up demo's contracts as a bare edge list, then read and evaluate it as the CLI does."""
    demo = scale_up(generate_demo(load_named_chain("smart_terminal"), 3000, seed=42), enterprises, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edges.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["supplier", "customer", "date"])
            writer.writerows([c.seller_uscc, c.buyer_uscc, c.signed_on.isoformat()] for c in demo.contracts)
        started = time.perf_counter()
        contracts = read_edge_list(path)
        table = evaluate(Market.from_edges(contracts), contracts, date(2025, 7, 1)).table()
    return f"{table}\n\nbare edge list of {len(contracts):,} edges: {time.perf_counter() - started:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 30_000, 300_000])
    parser.add_argument("--queries", type=int, default=200, help="Enterprise queries per size (plus 10 % need queries)")
    parser.add_argument("--edge-list", type=int, default=20_000, help="Enterprises whose contracts form the edge list")
    args = parser.parse_args()
    print(f"{date.today()}: supplier queries, k = 10, all filters off")
    print("wall-clock times, then the process's CPU times (what the query costs on a machine shared with other jobs)")
    print(
        "| enterprises | contracts | index build (s) | memory (MB) | p50 (ms) | p95 (ms)"
        " | build CPU (s) | CPU p50 | CPU p95 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in measure(args.sizes, args.queries):
        print(
            f"| {r['enterprises']:,} | {r['contracts']:,} | {r['build_s']:.1f} | {r['memory_mb']:.0f} |"
            f" {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['build_cpu_s']:.1f} | {r['cpu_p50_ms']:.1f} |"
            f" {r['cpu_p95_ms']:.1f} |"
        )
    if args.edge_list:
        print()
        print(edge_list_run(args.edge_list))


if __name__ == "__main__":
    main()
