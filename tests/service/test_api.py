import os
import random
import re

import pytest
from fastapi.testclient import TestClient

from chainmap.uscc import generate
from service.api import create_app
from service.db import head_revision
from service.settings import Settings


@pytest.fixture(scope="module")
def client(demo_database, sign_in):
    with TestClient(create_app(Settings(database_url=demo_database()))) as client:
        sign_in(client)
        yield client


def test_health_reports_database_and_schema_version(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "sqlite",
        "schema_version": head_revision(),
        "process": os.getpid(),
    }


def test_uptime_checks_may_ask_with_head(client):
    response = client.head("/api/health")
    assert response.status_code == 200 and response.content == b""


def test_unknown_addresses_and_methods_are_answered_in_chinese(client):
    missing, wrong = client.get("/api/nope"), client.get("/api/events/1/schedule")
    assert (missing.status_code, missing.json()["detail"]) == (404, "没有这个页面或接口，或它已被删除。")
    assert (wrong.status_code, wrong.json()["detail"]) == (405, "此地址不接受这种请求方式。")
    assert wrong.headers["allow"] == "POST"


def test_health_of_an_unmigrated_database_is_503(tmp_path):
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))) as fresh:
        response = fresh.get("/api/health")
    assert response.status_code == 503 and response.json()["status"] == "uninitialised"


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    assert "/api/health" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(("page", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_api_docs_load_only_local_assets(client, page, asset):
    html = client.get(page).text
    assert not re.findall(r"(?:https?:)?//[\w.-]+", html), "no CDN or other host"
    urls = re.findall(r'(?:src|href|spec-url)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert any(url.endswith(asset) for url in urls) and any(url == "/openapi.json" for url in urls)
    for url in urls:
        response = client.get(url)
        assert url.startswith("/") and response.status_code == 200 and response.content, url


def test_enterprises_can_be_searched_and_fetched(client, small_demo):
    target = small_demo.enterprises[0]
    listing = client.get("/api/enterprises", params={"q": target.name}).json()
    assert listing["count"] == 1 and listing["data"][0]["uscc"] == target.uscc
    assert client.get(f"/api/enterprises/{target.uscc}").json()["segments"] == list(target.segments)
    missing = client.get("/api/enterprises/91350100M000100Y43")
    assert missing.status_code == 404 and "未找到" in missing.json()["detail"]


def test_suggestions_find_products_too_after_the_names(client, small_demo):
    lidar = [e for e in small_demo.enterprises if "激光" in e.products and "激光" not in e.name]
    named = [e for e in small_demo.enterprises if "激光" in e.name]
    found = [s["uscc"] for s in client.get("/api/enterprises/suggest", params={"q": "激光"}).json()]
    assert lidar and set(found) & {e.uscc for e in lidar}
    assert found[: len(named)] == [e.uscc for e in sorted(named, key=lambda e: len(e.name))][: len(found)]


def test_create_refuses_bad_input_with_a_chinese_message_naming_the_field(client, small_demo):
    bad = client.post("/api/enterprises", json={"uscc": "91350100M000100Y44", "name": "测试"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "uscc" and "校验位" in bad.json()["detail"][0]["msg"]
    duplicate = client.post("/api/enterprises", json={"uscc": small_demo.enterprises[1].uscc, "name": "重复"})
    assert duplicate.status_code == 422 and "已存在" in duplicate.json()["detail"][0]["msg"]
    outside = client.post(
        "/api/enterprises",
        json={
            "uscc": "91350100M000100Y43",
            "name": "浦东公司",
            "lon": 121.6,
            "lat": 31.2,
            "location_precision": "surveyed",
        },
    )
    assert outside.status_code == 422 and "不在松江区范围内" in outside.json()["detail"][0]["msg"]
    beijing = client.post("/api/enterprises", json={"uscc": "91350100M000100Y43", "name": "京企", "city": "北京市"})
    assert beijing.status_code == 422 and beijing.json()["detail"][0]["field"] == "city"
    assert "所在城市“北京市”应为松江区或G60科创走廊城市" in beijing.json()["detail"][0]["msg"]


def test_the_city_is_read_as_people_write_it(client):
    for seed, typed, stored in ((901, "嘉兴 ", "嘉兴市"), (902, "上海市松江区", "松江区")):
        uscc = generate(random.Random(seed))
        made = client.post("/api/enterprises", json={"uscc": uscc, "name": f"{typed}企业", "city": typed})
        assert made.status_code == 201, made.text
        assert made.json()["city"] == stored


def test_create_stores_a_valid_enterprise(client):
    created = client.post(
        "/api/enterprises",
        json={
            "uscc": "91350100M000100Y43",
            "name": "上海新建企业有限公司",
            "town": "九亭镇",
            "segments": {"ST.CHIP.MCU": 0.9},
        },
    )
    assert created.status_code == 201, created.text
    assert client.get("/api/enterprises/91350100M000100Y43").json()["town"] == "九亭镇"


def test_create_places_an_enterprise_by_its_address_and_says_how(client):
    created = client.post(
        "/api/enterprises",
        json={"uscc": "913101174JURQ2839L", "name": "上海园区企业有限公司", "address": "松江区沈砖公路6000号创异工房"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["town"], body["park"]) == ("洞泾镇", "洞泾人工智能产业基地")
    assert body["placement"] == "address_park" and body["location_precision"] == "park" and body["lon"] is not None


def test_home_page_is_chinese_and_flags_demo_data(client):
    page = client.get("/").text
    assert "智能终端产业链全景" in page and "示例数据" in page
    assert "软硬件配套" in page
