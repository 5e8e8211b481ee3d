"""The README's promise: `chainmap demo` serves /api/health with 200 within a minute."""

import json
import urllib.request

from scripts.screenshot import demo_server
from service.db import head_revision


def test_demo_command_serves_health_within_a_minute_and_prints_one_account_per_role():
    with demo_server(enterprises=300, timeout=60) as server, urllib.request.urlopen(
        f"{server.base}/api/health"
    ) as response:
        body = json.loads(response.read())
    assert response.status == 200 and body["schema_version"] == head_revision()
    assert set(server.passwords) == {"demo-admin", "demo-officer", "demo-enterprise"}
