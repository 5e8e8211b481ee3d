"""揭榜挂帅 pages in a real headless chromium on the demo: the header entry, a department's scenario demand,
the shortlist with firms that did not respond, and the awarded need's printable decision without the header."""

import pytest
from playwright.sync_api import sync_playwright

from scripts.screenshot import demo_server, launch, sign_in

pytestmark = pytest.mark.browser
SLOW_MS = 300_000  # the first shortlist on a fresh server waits for the partner ranker's fit


@pytest.fixture(scope="module")
def server():
    with demo_server(enterprises=300) as running:
        yield running


def test_from_the_header_to_the_printable_decision(server, tmp_path):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, server, "demo-admin")
        page.click("header.app nav >> text=揭榜挂帅")
        page.wait_for_url(server.base + "/challenges")
        assert "区教育局" in page.locator("table").inner_text()
        page.click("text=智慧教育终端：全区 30 所中小学智慧教室（示例）")
        assert "已发榜（揭榜中）" in page.locator(".status").inner_text()
        assert page.locator("form.move button", has_text="截止揭榜").count() == 1
        assert page.locator("h2", has_text="揭榜方案").count() == 1
        page.set_default_timeout(SLOW_MS)
        page.click("text=推荐候选与揭榜企业排序")
        page.wait_for_selector("table.candidates")
        proposed = page.locator("table.candidates").last.locator("tr").all_inner_texts()
        assert len(proposed) > 5 and any("未揭榜" in row and "所需环节" in row for row in proposed)
        assert page.locator("button", has_text="邀请揭榜").count() > 0
        assert page.locator("text=打印定榜单").count() == 0  # nothing decided yet
        page.click("header.app nav >> text=揭榜挂帅")
        page.click("text=服务机器人避障用激光雷达国产化（示例）")
        assert "已定榜" in page.locator(".status").inner_text()
        page.click("text=打印定榜单")
        page.wait_for_selector("h1")
        page.emulate_media(media="print")
        assert not page.locator("header.app").is_visible() and page.locator("h1").is_visible()
        pdf = page.pdf(path=tmp_path / "decision.pdf")
        shot = page.screenshot(path=tmp_path / "print.png", full_page=True)
        browser.close()
    assert errors == []
    assert pdf.startswith(b"%PDF") and len(shot) > 20_000
