"""The README's promise: `chainmap demo` serves /api/health with 200 within a minute."""

import json
import urllib.request

import httpx

from scripts.bench_api import signed_in_cookies
from scripts.screenshot import demo_server
from service.db import head_revision


def test_demo_command_serves_health_within_a_minute_and_prints_one_account_per_role():
    with (
        demo_server(enterprises=300, timeout=60) as server,
        urllib.request.urlopen(f"{server.base}/api/health") as response,
    ):
        body = json.loads(response.read())
    assert response.status == 200 and body["schema_version"] == head_revision()
    assert set(server.passwords) == {"demo-admin", "demo-officer", "demo-enterprise"}


def test_a_sign_in_holds_on_every_server_process(monkeypatch):
    """Two workers share one signing key (none configured): each honours the cookie the other issued."""
    monkeypatch.setenv("CHAINMAP_WORKERS", "2")
    monkeypatch.delenv("CHAINMAP_SECRET_KEY", raising=False)
    answers: dict[int, str | None] = {}
    with demo_server(enterprises=300, timeout=60) as server:
        cookies = signed_in_cookies(server)
        for _ in range(100):
            with httpx.Client(base_url=server.base, cookies=cookies) as client:  # a new connection each time
                process = client.get("/api/health").json()["process"]
                answers[process] = client.get("/api/me").json()["username"]
            if len(answers) == 2:
                break
    assert len(answers) == 2 and set(answers.values()) == {"demo-admin"}
