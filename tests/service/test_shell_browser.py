"""The application shell in a real headless chromium: navigation, the /match form, enterprise search."""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from chainmap.taxonomy import load_named_chain
from scripts.screenshot import demo_server, launch, sign_in
from service.web.navigation import NAVIGATION

pytestmark = pytest.mark.browser
FIRST_MATCH_MS = 300_000  # the first match fits the ranker, minutes on a busy machine
expect.set_options(timeout=FIRST_MATCH_MS)


@pytest.fixture(scope="module")
def server():
    with demo_server(enterprises=300) as running:
        yield running


@pytest.fixture
def page(server):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(FIRST_MATCH_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, server, "demo-admin")
        yield page
        browser.close()
        assert errors == []


def test_the_header_leads_to_every_page_and_every_chain(server, page):
    for item in NAVIGATION:
        page.goto(server.base + "/")
        page.locator("header.app .links a", has_text=item.label).click()
        page.wait_for_load_state()
        assert page.url == server.base + item.href("smart_terminal"), item
        if item.path != "/map":  # the map page is not a layout page (its own work package)
            assert page.title().endswith("· chainmap") and page.locator("header.app").count() == 1, item
    page.goto(server.base + "/")
    page.locator("details.chain-switch summary").click()
    page.locator("details.chain-switch a", has_text="生命健康").click()
    chain = load_named_chain("life_health")
    expect(page.locator("h1")).to_have_text(f"{chain.name}图谱")
    expect(page.locator("details.chain-switch summary")).to_have_text(chain.name)
    page.locator("header.app .links a", has_text="首页").click()
    expect(page.locator("h1")).to_have_text(f"{chain.name}全景")  # the switcher's chain stays in view
    assert "区经委管理员" in page.locator("header.app .account").inner_text()


def test_the_match_form_with_empty_optional_fields(server, page):
    page.goto(server.base + "/match")
    page.fill("input[name=need]", "激光雷达，用于服务机器人避障")
    page.click("form.match-form button[type=submit]")
    expect(page.locator("main table tbody tr")).to_have_count(10)
    assert "max_km=&" in page.url and page.locator(".field-error").count() == 0


def test_the_match_form_with_every_field_filled(server, page):
    page.goto(server.base + "/match")
    page.select_option("select[name=segment]", "ST.SENS.LIDAR")
    page.select_option("select[name=scope]", "local")
    page.select_option("select[name=label]", "高新技术企业")
    page.fill("input[name=budget_yuan]", "500万")
    page.fill("input[name=k]", "5")
    page.click("form.match-form button[type=submit]")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("激光雷达")
    assert 1 <= rows.count() <= 5
    expect(page.locator("p.reward")).to_contain_text(
        "年度履约满300万元即可申请，奖励为合同金额的10%（最高200万元），首年约50万元"
    )
    assert page.locator("input[name=budget_yuan]").input_value() == "500万"
    page.fill("input[name=budget_yuan]", "五百万")
    page.click("form.match-form button[type=submit]")
    expect(page.locator(".field-error")).to_have_text(re.compile("年度预算：应为金额"))


def test_enterprise_search_suggests_and_opens_the_enterprise_page(server, page):
    page.goto(server.base + "/chains/smart_terminal")
    page.locator("#enterprise-search").press_sequentially("传感", delay=30)
    suggestion = page.locator("#enterprise-suggestions a").first
    expect(suggestion).to_be_visible()
    boxes = [a.bounding_box() for a in page.locator("#enterprise-suggestions a").all()[:3]]
    assert len(boxes) == 3 and boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]  # a list, one under the other
    name = suggestion.evaluate("a => a.firstChild.textContent")
    suggestion.click()
    expect(page.locator("h1")).to_have_text(name)
    assert "/enterprises/" in page.url
    expect(page.locator("main")).to_contain_text("所属产业链环节")
    page.locator("a[role=button]", has_text="找供应商").click()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    assert page.locator("main").inner_text().count(name) >= 1


def test_enter_in_the_search_box_lists_the_matches(server, page):
    page.goto(server.base + "/")
    page.fill("#enterprise-search", "示例")
    page.press("#enterprise-search", "Enter")
    expect(page.locator("h1")).to_have_text("企业查询")
    assert page.locator("main table tbody tr a").count() == 50


def test_a_missing_page_is_a_page_with_the_header_and_a_way_home(server, page):
    response = page.goto(server.base + "/enterprises/913101174JURQ2839L")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("main")).to_contain_text("913101174JURQ2839L")
    expect(page.locator("header.app nav a").first).to_be_visible()
    page.locator("main a", has_text="返回首页").click()
    expect(page.locator("h1")).to_contain_text("全景")


def test_the_gap_table_keeps_segment_names_and_grades_on_one_line(server, page):
    page.goto(server.base + "/chains/smart_terminal")
    lines = page.locator("table.gaps tr").evaluate_all(
        """rows => rows.flatMap(row => [...row.cells].slice(1, 3).map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        }))"""
    )
    assert lines and all(n == 1 for n in lines), lines  # 新型显示 was wrapped character by character
