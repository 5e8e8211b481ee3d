"""API throughput: requests per second and latency at 16 concurrent clients on the demo district.

    python -m scripts.bench_api                      # 3,000 enterprises, 2,000 requests per endpoint
    python -m scripts.bench_api --requests 500       # quicker

Runs `chainmap demo` (its uvicorn workers on 127.0.0.1, a throw-away SQLite database) in a subprocess,
signs in as the demo administrator, warms each endpoint up on fresh connections (so that every worker
has loaded its ranker), then sends ``--requests`` requests per endpoint from ``--clients`` concurrent
keep-alive connections with ApacheBench (``ab``, from apache2-utils: a C client, so that the load
generator takes little of the CPU the server is measured on). Prints requests/s, p50, p95 and errors.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from scripts.screenshot import DemoServer, demo_server

ENDPOINTS = {
    "enterprise list": "/api/enterprises?limit=50",
    "supplier matching": "/api/match/suppliers?need=激光雷达，用于服务机器人避障&scope=local&k=10",
}
TARGETS = {"enterprise list": 300, "supplier matching": 150}  # requests/s, issue 15
WARM_CONNECTIONS = 8


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


def _figure(report: str, pattern: str) -> float:
    found = re.search(pattern, report, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def apache_bench(url: str, cookie: str, *, clients: int, requests: int) -> tuple[int, int, float, float, float]:
    """(requests, errors, seconds, p50 ms, p95 ms) of one ``ab`` run with keep-alive connections."""
    command = ["ab", "-k", "-q", "-s", "60", "-c", str(clients), "-n", str(requests), "-C", cookie, url]
    report = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = _figure(report, r"^Failed requests:\s+(\d+)") + _figure(report, r"^Non-2xx responses:\s+(\d+)")
    return (
        int(_figure(report, r"^Complete requests:\s+(\d+)")),
        int(errors),
        _figure(report, r"^Time taken for tests:\s+([\d.]+)"),
        _figure(report, r"^\s+50%\s+(\d+)"),
        _figure(report, r"^\s+95%\s+(\d+)"),
    )


def measure(server: DemoServer, *, clients: int, requests: int) -> list[Figures]:
    cookies = signed_in_cookies(server)
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    for path in ENDPOINTS.values():  # every warm-up first: no worker is still fitting its ranker while measured
        for _ in range(WARM_CONNECTIONS):  # a new connection each: each may reach another worker
            with httpx.Client(base_url=server.base, cookies=cookies, timeout=600) as warm:
                warm.get(path).raise_for_status()
    return [
        Figures(name, *apache_bench(server.base + quote(path, safe="/?&="), cookie, clients=clients, requests=requests))
        for name, path in ENDPOINTS.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    args = parser.parse_args()
    with demo_server(enterprises=args.enterprises, timeout=300) as server:
        figures = measure(server, clients=args.clients, requests=args.requests)
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
