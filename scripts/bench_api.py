"""API throughput: requests per second and latency at 16 concurrent clients on the demo district.

    python -m scripts.bench_api                      # 3,000 enterprises, 2,000 requests per endpoint
    python -m scripts.bench_api --requests 500       # quicker

Runs `chainmap demo` (uvicorn on 127.0.0.1, a throw-away SQLite database) in a subprocess, signs in
as the demo administrator, warms each endpoint up (the first match fits the ranker), then sends
``--requests`` requests per endpoint from ``--clients`` concurrent httpx clients, each endpoint
stopping early after ``--seconds``. Prints requests/s, p50, p95 and the number of errors.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

import httpx

from scripts.screenshot import DemoServer, demo_server

ENDPOINTS = {
    "enterprise list": "/api/enterprises?limit=50",
    "supplier matching": "/api/match/suppliers?need=激光雷达，用于服务机器人避障&scope=local&k=10",
}
TARGETS = {"enterprise list": 300, "supplier matching": 150}  # requests/s, issue 15


@dataclass(frozen=True)
class Figures:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def signed_in_cookies(server: DemoServer) -> httpx.Cookies:
    with httpx.Client(base_url=server.base) as client:
        csrf = client.get("/api/me").json()["csrf_token"]
        form = {"username": "demo-admin", "password": server.passwords["demo-admin"], "csrf_token": csrf}
        if client.post("/login", data=form).status_code != 303:
            raise RuntimeError("demo-admin could not sign in")
        return client.cookies


async def _load(base: str, cookies: httpx.Cookies, path: str, *, clients: int, requests: int, seconds: float):
    latencies: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.perf_counter() + seconds

    async def client_loop() -> None:
        nonlocal remaining, errors
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30) as client:
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                started = time.perf_counter()
                try:
                    ok = (await client.get(path)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def measure(server: DemoServer, *, clients: int, requests: int, seconds: float) -> list[Figures]:
    cookies = signed_in_cookies(server)
    results = []
    for name, path in ENDPOINTS.items():
        with httpx.Client(base_url=server.base, cookies=cookies, timeout=600) as warm:
            for _ in range(3):
                warm.get(path).raise_for_status()
        latencies, errors, elapsed = asyncio.run(
            _load(server.base, cookies, path, clients=clients, requests=requests, seconds=seconds)
        )
        ordered = sorted(latencies)
        results.append(
            Figures(
                name,
                len(ordered),
                errors,
                elapsed,
                1000 * ordered[len(ordered) // 2],
                1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=30, help="at most, per endpoint")
    args = parser.parse_args()
    with demo_server(enterprises=args.enterprises, timeout=300) as server:
        figures = measure(server, clients=args.clients, requests=args.requests, seconds=args.seconds)
    print(f"{args.enterprises} 家示例企业，{args.clients} 个并发客户端")
    print(f"{'endpoint':<20}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}  target")
    for f in figures:
        target = TARGETS[f.endpoint]
        verdict = "ok" if f.per_second >= target and f.p95_ms < 100 and not f.errors else "MISSED"
        print(
            f"{f.endpoint:<20}{f.requests:>9}{f.per_second:>9.0f}{f.p50_ms:>9.1f}{f.p95_ms:>9.1f}{f.errors:>8}"
            f"  >= {target}/s, p95 < 100 ms: {verdict}"
        )


if __name__ == "__main__":
    main()
