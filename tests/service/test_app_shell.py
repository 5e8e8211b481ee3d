"""The application shell and what it leads to: chain switcher, enterprise search and pages, forms that work."""

import re

import pytest
from fastapi.testclient import TestClient

from chainmap.taxonomy import available_chains, load_named_chain
from service.api import create_app
from service.auth.permissions import Role
from service.settings import Settings
from service.web.navigation import NAVIGATION


@pytest.fixture(scope="module")
def app(demo_database):
    return create_app(Settings(database_url=demo_database()))


@pytest.fixture(scope="module")
def visitor(app):
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def admin(app, sign_in):
    with TestClient(app) as client:
        sign_in(client)
        yield client


@pytest.fixture(scope="module")
def firm(visitor):
    """An enterprise with contracts on both sides."""
    for row in visitor.get("/api/enterprises", params={"limit": 200}).json()["data"]:
        page = visitor.get(f"/enterprises/{row['uscc']}")
        if page.status_code == 200 and row["segments"]:
            return row
    raise AssertionError("no enterprise in the demo")


def _stat(page: str, label: str) -> int:
    return int(re.search(rf"<b>(\d+)</b>{label}", page).group(1))


def test_home_counts_the_segments_of_the_chain_it_shows(visitor):
    assert _stat(visitor.get("/").text, "产业链环节") == len(load_named_chain("smart_terminal").segments)
    other = load_named_chain("life_health")
    page = visitor.get("/", params={"chain": "life_health"}).text
    assert _stat(page, "产业链环节") == len(other.segments) and f"{other.name}全景" in page


@pytest.mark.parametrize("code", sorted(available_chains()))
def test_every_chain_is_reachable_from_the_switcher_and_names_its_policies(visitor, code):
    home = visitor.get("/").text
    assert f'href="/chains/{code}"' in home  # the header's chain switcher
    page = visitor.get(f"/chains/{code}")
    assert page.status_code == 200 and "《" in page.text and not re.search(r"（00\d ", page.text)


def test_the_chain_page_names_the_park_plan_by_its_policy(visitor):
    page = visitor.get("/chains/smart_terminal").text
    assert "000 一(三)" not in page and "沪松府〔2024〕129号）一(三)" in page


def test_suggestions_find_by_name_or_credit_code(visitor, firm):
    by_name = visitor.get("/api/enterprises/suggest", params={"q": firm["name"][3:9]}).json()
    assert firm["uscc"] in {s["uscc"] for s in by_name} and len(by_name) <= 8
    by_code = visitor.get("/api/enterprises/suggest", params={"q": firm["uscc"][:12].lower()}).json()
    assert by_code and all(s["uscc"].startswith(firm["uscc"][:12]) for s in by_code)
    assert visitor.get("/api/enterprises/suggest", params={"q": "%"}).json() == []  # no wildcard


def test_the_search_page_lists_links_to_enterprise_pages(visitor, firm):
    page = visitor.get("/enterprises", params={"q": firm["name"]}).text
    assert f'href="/enterprises/{firm["uscc"]}"' in page


def test_an_enterprise_page_shows_partners_and_amounts_only_to_those_allowed(visitor, admin, firm):
    public = visitor.get(f"/enterprises/{firm['uscc']}").text
    full = admin.get(f"/enterprises/{firm['uscc']}").text
    for page in (public, full):
        assert firm["name"] in page and "所属产业链环节" in page and "置信度" in page
    assert "供应商（向本企业供货）" in full and "协同奖励" in full and "履约金额" in full
    assert "供应商（向本企业供货）" not in public and "履约金额" not in public and "登录" in public
    labels = re.search(r"<b>标签</b></header>(.*?)</article>", full, re.S).group(1)
    facts = re.search(r"<b>基本情况</b></header>(.*?)</article>", full, re.S).group(1)
    assert "营业收入" not in labels and "成立于" not in labels and "营业收入" in facts  # facts under their own heading


def test_the_match_buttons_are_offered_only_where_the_match_would_be_answered(app, sign_in, visitor, admin, firm):
    other = next(
        row["uscc"]
        for row in visitor.get("/api/enterprises", params={"limit": 50}).json()["data"]
        if row["uscc"] != firm["uscc"]
    )
    with TestClient(app) as own:
        sign_in(own, Role.ENTERPRISE, uscc=firm["uscc"])
        for client, uscc, offered in ((admin, other, True), (own, firm["uscc"], True), (own, other, False)):
            page = client.get(f"/enterprises/{uscc}").text
            link = f"/match?direction=suppliers&amp;uscc={uscc}"
            assert (link in page) is offered and ("找客户" in page) is offered, (uscc, offered)
            answered = client.get(f"/match?direction=suppliers&uscc={uscc}").text
            assert ("无权操作该企业" not in answered) is offered
        assert "找供应商" not in visitor.get(f"/enterprises/{firm['uscc']}").text


def test_an_unknown_enterprise_is_a_chinese_404(visitor):
    response = visitor.get("/enterprises/913101174JURQ2839L")
    assert response.status_code == 404 and "未找到" in response.text


def test_a_malformed_address_in_a_browser_is_a_page_naming_the_field(visitor):
    html = {"Accept": "text/html"}
    for url, message in [
        ("/events/abc", "对接会编号：应为整数"),
        (f"/enterprises?q={'企' * 201}", "搜索词：最多 200 个字符"),
    ]:
        page = visitor.get(url, headers=html)
        assert page.status_code == 422 and "输入有误" in page.text and message in page.text, page.text[:300]
        assert '<html lang="zh-CN"' in page.text
    assert visitor.get("/events/abc").json()["detail"][0]["field"] == "event_id"  # programs still get JSON


def test_blank_optional_fields_are_absent_on_the_api_too(admin):
    blank = admin.get("/api/match/suppliers?max_km=&budget_yuan=&label=&k=3&need=MCU")
    assert blank.status_code == 200 and len(blank.json()["recommendations"]) == 3
    assert admin.get("/api/enterprises?q=&limit=&offset=").status_code == 200


def test_money_in_wan_on_the_api(admin):
    body = admin.get("/api/match/suppliers", params={"need": "激光雷达", "budget_yuan": "500万", "k": 2}).json()
    assert "按预算500万元测算" in body["recommendations"][0]["reward"]["note"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/match/suppliers?need=MCU&scope=mars", "scope（范围）：应为以下之一"),
        ("/api/match/suppliers?need=MCU&max_km=-1", "max_km（最大距离）：应大于 0"),
        ("/api/match/suppliers?need=MCU&budget_yuan=五百", "budget_yuan（年度预算）：应为金额"),
        ("/api/enterprises?limit=9999", "limit（每页条数）：应不大于 500"),
        (
            "/api/match/suppliers?need=MCU&max_km=30",
            "{'field': 'max_km', 'msg': '最大距离：按距离筛选需要企业统一社会信用代码",
        ),
    ],
)
def test_validation_messages_are_chinese_and_name_the_field(admin, url, message):
    response = admin.get(url)
    assert response.status_code == 422 and message in str(response.json()["detail"])


def test_an_off_chain_need_is_explained_not_padded(admin):
    body = admin.get("/api/match/suppliers", params={"need": "面包烘焙"}).json()
    assert body["recommendations"] == [] and "不在智能终端产业链的环节之内" in body["off_chain"]["message"]
    assert body["off_chain"]["inside_probability"] < 0.5
    page = admin.get("/match", params={"need": "面包烘焙"}).text
    assert "不在智能终端产业链的环节之内" in page and "协同奖励（" not in page
    inside = admin.get("/api/match/suppliers", params={"need": "MCU芯片"}).json()
    assert inside["off_chain"] is None and inside["recommendations"]


def test_the_match_form_offers_the_segments_by_direction_and_says_the_reward_once(admin):
    chain = load_named_chain("smart_terminal")
    page = admin.get("/match", params={"segment": "ST.CHIP.MCU", "budget_yuan": "500万"}).text
    assert page.count("<optgroup") == len(chain.roots) and 'value="ST.CHIP.MCU" selected' in page
    assert page.count("即可申请，奖励为合同金额的10%（最高200万元），首年约50万元") == 1
    assert page.count(">适用</td>") >= 1


def test_pages_share_one_layout_with_the_vendored_stylesheet(visitor, admin, firm):
    for path in ("/", "/chains/smart_terminal", "/enterprises", f"/enterprises/{firm['uscc']}", "/login"):
        page = visitor.get(path).text
        assert '<html lang="zh-CN"' in page and "/assets/vendor/pico/pico.min.css" in page and "示例数据" in page
        footer = page.split('<footer class="app', 1)[1]
        assert "园区位置为依据公开资料整理的示意点位" in footer and ".md" not in footer  # words, not file paths
    assert visitor.get("/assets/vendor/pico/pico.min.css").status_code == 200
    assert visitor.get("/assets/search.js").status_code == 200
    assert "区经委管理员" in admin.get("/match").text and Role.ADMIN.label == "区经委管理员"


def test_the_header_names_the_role_unless_the_name_says_it(app, sign_in):
    with TestClient(app) as named, TestClient(app) as plain:
        sign_in(named, display_name="示例区经委管理员")
        sign_in(plain, display_name="张三")
        assert "<span>示例区经委管理员</span>" in named.get("/").text
        assert "<span>张三（区经委管理员）</span>" in plain.get("/").text


def test_the_home_page_leads_to_challenges_and_conferences(visitor):
    body = visitor.get("/").text.split("<main", 1)[1]  # the page itself, not the header's navigation
    assert 'href="/challenges"' in body and 'href="/events"' in body


def test_the_header_shows_only_the_pages_one_may_open(app, sign_in, visitor, admin, firm):
    with TestClient(app) as own:
        sign_in(own, Role.ENTERPRISE, uscc=firm["uscc"])
        for client, hidden in ((visitor, {"伙伴匹配", "数据导入"}), (own, {"数据导入"}), (admin, set())):
            links = client.get("/").text.split('<ul class="links">', 1)[1].split("</ul>", 1)[0]
            for item in NAVIGATION:
                href = item.href("smart_terminal")
                opened = client.get(href, follow_redirects=False).status_code == 200
                assert (f">{item.label}</a>" in links) is (item.label not in hidden) is opened, item
