"""/map and /api/geo/towns on the demo database."""

import json
import re

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(demo_database):
    with TestClient(create_app(Settings(database_url=demo_database(), tiles="none"))) as client:
        yield client


def test_map_page_draws_the_stored_enterprises(client):
    response = client.get("/map")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    data = json.loads(re.search(r"const D = (\{.*?\});\n", response.text).group(1))
    total = client.get("/api/enterprises", params={"limit": 1}).json()["count"]
    assert 0.8 * total < len(data["rows"]) <= total  # every located Songjiang enterprise; G60 suppliers are not
    assert "tile.openstreetmap.org" not in response.text


def test_tiles_can_be_chosen_per_request_and_wrong_ones_are_explained(client):
    assert "autonavi.com" in client.get("/map", params={"tiles": "amap"}).text
    for tiles, message in (("google", "未知底图"), ("tianditu", "CHAINMAP_TIANDITU_KEY")):
        response = client.get("/map", params={"tiles": tiles})
        assert response.status_code == 422 and message in response.json()["detail"]


def test_town_areas_say_they_are_schematic_until_official_ones_are_loaded(client):
    features = client.get("/api/geo/towns").json()["features"]
    assert len(features) == 17
    assert all(not f["properties"]["official"] and f["properties"]["note"].startswith("示意") for f in features)
