"""Open the demo's pages in a real headless chromium."""

import pytest
from playwright.sync_api import sync_playwright

from scripts.screenshot import demo_server, launch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url():
    with demo_server(enterprises=300) as base:
        yield base


def test_home_page_renders_the_directions_in_chinese(base_url, tmp_path):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(base_url + "/")
        rows = page.locator("table tr").all_inner_texts()
        screenshot = page.screenshot(path=tmp_path / "home.png")
        browser.close()
    assert any("智能机器人" in row for row in rows)
    assert len(rows) == 1 + 9  # header + the chain's nine top-level directions
    assert len(screenshot) > 10_000
