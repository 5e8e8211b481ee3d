"""/api/match/suppliers, /api/match/customers and the /match page on the demo database."""

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(demo_database, sign_in):
    with TestClient(create_app(Settings(database_url=demo_database()))) as client:
        sign_in(client)
        yield client


@pytest.fixture(scope="module")
def buyer(client):
    return client.get("/api/enterprises", params={"q": "智能家居", "limit": 1}).json()["data"][0]


def test_suppliers_for_a_stored_buyer_come_with_reasons_and_partners_apart(client, buyer):
    body = client.get("/api/match/suppliers", params={"uscc": buyer["uscc"], "k": 5}).json()
    assert body["asker"]["name"] == buyer["name"] and len(body["recommendations"]) == 5
    first = body["recommendations"][0]
    assert first["reasons"] and abs(sum(first["contributions"].values()) - first["score"]) < 1e-3
    assert not {p["id"] for p in body["partners"]} & {r["id"] for r in body["recommendations"]}


def test_a_need_in_words_is_classified_and_filtered(client):
    params = {"need": "激光雷达，用于服务机器人避障", "scope": "local", "budget_yuan": 5_000_000, "k": 3}
    body = client.get("/api/match/suppliers", params=params).json()
    assert body["inferred_segments"][0]["code"] == "ST.SENS.LIDAR"
    assert all(r["city"] == "松江区" and "激光雷达与测距感知" in r["segments"] for r in body["recommendations"])
    assert body["recommendations"][0]["reward"]["first_year_reward_yuan"] == 500_000


def test_customers_for_a_supplier(client):
    mcu = client.get("/api/enterprises", params={"q": "MCU", "limit": 1}).json()["data"][0]
    body = client.get("/api/match/customers", params={"uscc": mcu["uscc"], "k": 5}).json()
    assert body["direction"] == "customers" and body["recommendations"]
    assert any(x.startswith("下游：") for r in body["recommendations"] for x in r["reasons"])


def test_filters_that_leave_no_candidate_answer_an_empty_list(client):
    # schemathesis found the crash (LightGBM asked to explain zero rows); a 1 m radius leaves nobody
    params = {"need": "智能家居", "lon": 121.2, "lat": 31.0, "max_km": 0.001, "k": 21}
    response = client.get("/api/match/suppliers", params=params)
    assert response.status_code == 200 and response.json()["recommendations"] == []


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({}, 422, "请提供"),
        ({"uscc": "913101174JURQ2839L"}, 404, "未找到"),
        ({"segment": "ST.NOPE"}, 422, "ST.NOPE"),
        ({"need": "MCU", "scope": "mars"}, 422, "scope"),
    ],
)
def test_bad_requests_say_what_is_wrong(client, params, status, message):
    response = client.get("/api/match/suppliers", params=params)
    assert response.status_code == status and message in str(response.json()["detail"])


def test_match_page_shows_the_shortlist_in_chinese(client, buyer):
    page = client.get("/match", params={"uscc": buyer["uscc"]})
    assert page.status_code == 200 and buyer["name"] in page.text and "推荐理由" in page.text
    assert page.text.count('class="reason"') >= 10
    empty = client.get("/match")
    assert empty.status_code == 200 and "推荐理由" not in empty.text and "<form" in empty.text
    submitted = client.get("/match", params={"direction": "suppliers", "uscc": "", "need": "", "segment": ""})
    assert '<p class="error">请填写企业信用代码、需求描述或选择环节</p>' in submitted.text
    assert 'class="error"' not in empty.text  # a first visit is not told off
    wrong = client.get("/match", params={"uscc": "913101174JURQ2839L"})
    assert "未找到" in wrong.text


def test_match_form_with_blank_optional_fields_and_money_in_wan(client):
    form = {"direction": "suppliers", "uscc": "", "need": "激光雷达，用于服务机器人避障", "scope": "local"}
    blank = {"max_km": "", "label": "", "budget_yuan": "", "k": ""}
    page = client.get("/match", params=form | blank)
    assert page.status_code == 200 and "推荐理由" in page.text and 'class="field-error"' not in page.text
    assert page.text.count("<tr><td>") == 10 and "协同奖励" in page.text
    wan = client.get("/match", params=form | blank | {"budget_yuan": "500万", "k": "3"})
    assert wan.status_code == 200 and wan.text.count("<tr><td>") == 3
    assert "按预算500万元测算：年度履约满300万元即可申请，奖励为合同金额的10%（最高200万元），首年约50万元" in wan.text
    assert 'value="500万"' in wan.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("budget_yuan", "abc", "年度预算：应为金额"),
        ("max_km", "远", "最大距离：应为数字"),
        ("k", "0", "条数：应不小于 1"),
        ("max_km", "0", "最大距离：应大于 0<"),
        ("max_km", "30", "最大距离：按距离筛选需要企业统一社会信用代码"),  # refused by the matcher, not the form
    ],
)
def test_match_form_shows_a_bad_field_in_chinese_on_the_page(client, field, value, message):
    page = client.get("/match", params={"need": "MCU", field: value})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert f'<span class="field-error" role="alert">{message}' in page.text and "<form" in page.text
    assert "推荐理由" not in page.text
