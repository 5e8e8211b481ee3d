"""Open the demo's pages in a real headless chromium."""

import pytest
from playwright.sync_api import sync_playwright

from scripts.screenshot import PAGES, demo_server, launch, take

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with demo_server(enterprises=300) as running:
        yield running


@pytest.fixture(scope="module")
def base_url(server):
    return server.base


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


def test_hovering_a_segment_highlights_its_supply_edges(server, base_url, tmp_path, chain):
    shot = PAGES["chain.png"]
    code = "ST.CHIP.MCU"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        image = take(browser, server, shot, tmp_path / "chain.png")
        page = browser.new_page(viewport={"width": shot.width, "height": 800})
        page.goto(base_url + shot.path)
        page.hover(f'.segment[data-code="{code}"]')
        outgoing = page.locator(".edge.on").evaluate_all("els => els.map(e => e.dataset.to)")
        incoming = page.locator(".edge.in").evaluate_all("els => els.map(e => e.dataset.from)")
        browser.close()
    assert sorted(outgoing) == sorted(e.buyer for e in chain.edges if e.supplier == code)
    assert sorted(incoming) == sorted(e.supplier for e in chain.edges if e.buyer == code)
    assert len(image) > 50_000


def _clusters_by_colour(page, colours):
    return page.evaluate(
        "colours => colours.map(c => [...document.querySelectorAll('.cm-cluster')]"
        ".filter(e => e.innerHTML.includes(c)).length)",
        colours,
    )


def test_map_page_toggles_a_direction_layer_and_finds_an_enterprise(server, base_url, tmp_path, chain):
    from chainmap.panorama_map import PALETTE

    shot = PAGES["map.png"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        image = take(browser, server, shot, tmp_path / "map.png")
        page = browser.new_page(viewport={"width": shot.width, "height": 800})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base_url + shot.path)
        page.locator(shot.ready).first.wait_for()
        first = page.locator(".leaflet-control-layers-overlays label").nth(3)  # after boundary, towns, parks
        direction = first.inner_text().strip()
        before = _clusters_by_colour(page, PALETTE[:3])
        first.locator("input").uncheck()
        after = _clusters_by_colour(page, PALETTE[:3])
        name = page.evaluate(r"""() => document.documentElement.innerHTML.match(/\[[\d.]+,[\d.]+,"([^"]+)"/)[1]""")
        page.fill("#cm-search", name)
        page.press("#cm-search", "Enter")
        found = page.locator("#cm-found").inner_text()
        popup = page.locator(".leaflet-popup-content").inner_text()
        browser.close()
    assert direction == next(r.name for r in chain.roots if r.tier.value != "scenario") and errors == []
    assert before[0] > 0 and after[0] == 0 and after[1:] == before[1:]
    assert found.startswith("找到") and name in popup and "查找供应商" in popup
    assert len(image) > 50_000


def test_the_past_demo_conference_prints_one_page_per_agenda_in_chinese(base_url, tmp_path):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(base_url + "/events")
        page.get_by_role("link", name="已举办").click()
        outcomes = page.locator("table").last.inner_text()
        page.get_by_role("link", name="打印日程").click()
        agendas = page.locator("section.agenda")
        first = agendas.first.locator("tr").all_inner_texts()
        sheets = page.locator("section.sheet").count()
        page.emulate_media(media="print")
        breaks = agendas.evaluate_all("els => els.map(e => getComputedStyle(e).breakAfter)")
        header_hidden = page.locator("header.app").is_hidden()
        pdf = page.pdf(path=tmp_path / "agendas.pdf")
        browser.close()
    assert "签约" in outcomes and "继续跟进" in outcomes
    assert first[0].split("\t")[:3] == ["时间", "桌号", "会面对象"] and "示例" in first[1]
    assert len(breaks) > 10 and set(breaks) == {"page"} and header_hidden
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= sheets  # one page per agenda and table at least
