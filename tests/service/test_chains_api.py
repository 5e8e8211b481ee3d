"""Chain endpoints: panorama JSON, diagram SVG/PNG, Excel, classification and manual assignment."""

import io
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service.api import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(demo_database, sign_in):
    with TestClient(create_app(Settings(database_url=demo_database()))) as client:
        sign_in(client)
        yield client


def test_every_shipped_chain_is_listed(client):
    chains = {c["code"]: c for c in client.get("/api/chains").json()}
    assert len(chains) == 9 and chains["smart_terminal"]["segments"] == 79
    assert all(c["segments"] >= 3 for c in chains.values())


def test_panorama_json_grades_segments_and_ranks_gaps(client):
    body = client.get("/api/chains/smart_terminal/panorama").json()
    assert body["local_enterprises"] > 0 and body["notes"]
    grades = {code: s["grade"] for code, s in body["segments"].items()}
    assert grades["ST.CHIP"] is None and grades["ST.CHIP.MCU"] in ("strong", "weak", "missing")
    demands = [g["demand"] for g in body["gaps"]]
    assert demands == sorted(demands, reverse=True) and demands
    stricter = client.get("/api/chains/smart_terminal/panorama", params={"min_enterprises": 1000}).json()
    assert stricter["threshold"] == 1000 and len(stricter["gaps"]) > len(body["gaps"])


def test_an_unknown_chain_is_a_404_that_lists_the_known_ones(client):
    response = client.get("/api/chains/nope/panorama")
    assert response.status_code == 404 and "smart_terminal" in response.json()["detail"]


def test_the_diagram_exports_as_svg_png_and_excel(client):
    svg = client.get("/api/chains/smart_terminal/diagram.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.content).tag.endswith("svg")
    png = client.get("/api/chains/smart_terminal/diagram.png", params={"width": 1200})
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png.content[16:20], "big") == 1200  # IHDR width
    workbook = load_workbook(io.BytesIO(client.get("/api/chains/smart_terminal/panorama.xlsx").content))
    assert workbook.sheetnames == ["封面", "环节强弱", "龙头企业", "缺口与招商", "园区聚焦"]
    sheet = workbook["环节强弱"]
    assert sheet.max_row == 1 + 79 and sheet["B1"].value == "环节"


def test_the_diagram_page_embeds_the_svg_and_the_gap_table(client):
    page = client.get("/chains/smart_terminal")
    assert page.status_code == 200
    assert page.text.count('class="segment"') == 64 and "缺口与招商目标" in page.text


def test_classify_and_then_assign_by_hand(client, small_demo):
    matches = client.post("/api/chains/smart_terminal/classify", json={"products": "32位MCU、单片机开发板"}).json()
    assert matches[0]["code"] == "ST.CHIP.MCU" and matches[0]["evidence"]
    target = small_demo.enterprises[5].uscc
    put = client.put(f"/api/enterprises/{target}/segments", json={"segments": ["ST.DISP"]})
    assert put.status_code == 200 and put.json()["segments"] == ["ST.DISP"]
    bad = client.put(f"/api/enterprises/{target}/segments", json={"segments": ["ST.NOPE"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "segments"
    assert client.get(f"/api/enterprises/{target}").json()["segments"] == ["ST.DISP"]
