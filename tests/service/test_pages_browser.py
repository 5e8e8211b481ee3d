"""Open the demo's pages in a real headless chromium."""

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from scripts.screenshot import PAGES, demo_server, launch, sign_in, take

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


def _ring_directions(page) -> list[list[int]]:
    """For every cluster icon on screen, the directions its ring shows."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.cm-cluster')]"
        ".map(c => [...c.querySelectorAll('.cm-seg')].map(s => +s.dataset.direction))"
    )


def test_map_clusters_are_rings_of_directions_and_the_legend_filters_them(server, base_url, tmp_path, chain):
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
        before = _ring_directions(page)
        colours = page.locator(".cm-cluster .cm-seg").evaluate_all("els => els.map(e => e.getAttribute('stroke'))")
        first = page.locator(".cm-legend label").first
        direction = first.inner_text().strip()
        first.locator("input").uncheck()
        after = _ring_directions(page)
        header = page.locator("header.app nav a").all_inner_texts()
        title, lang = page.title(), page.evaluate("document.documentElement.lang")
        scales = page.locator(".leaflet-control-scale-line").all_inner_texts()
        browser.close()
    assert errors == [] and len(image) > 50_000
    assert direction == next(r.name for r in chain.roots if r.tier.value != "scenario")
    assert any(len(set(ring)) >= 3 for ring in before)  # one cluster shows several directions at once
    assert set(colours) <= set(PALETTE) and len(set(colours)) >= 5
    assert any(0 in ring for ring in before) and not any(0 in ring for ring in after) and any(after)
    assert "全景地图" in header and lang == "zh-CN" and "全景地图" in title
    assert len(scales) == 1 and scales[0].strip().endswith(("km", "m"))  # metric only


def _blend(colour: str, opacity: float, under: str) -> np.ndarray:
    def rgb(c):
        return np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)])

    return np.round(opacity * rgb(colour) + (1 - opacity) * rgb(under))


def test_offline_map_shades_the_town_areas_with_their_names(base_url):
    from chainmap.panorama_map import TOWN_FILLS

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base_url + "/map?tiles=none")
        page.locator(".cm-cluster").first.wait_for()
        shot = np.asarray(Image.open(io.BytesIO(page.locator(".folium-map").screenshot())).convert("RGB")).astype(int)
        towns = page.locator(".cm-town div").all_inner_texts()
        parks = page.locator(".cm-park div").all_inner_texts()
        visible = page.locator(".cm-town div").evaluate_all(
            "els => els.filter(e => { const r = e.getBoundingClientRect();"
            " return r.width > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight; })"
            ".length"
        )
        page.wait_for_timeout(500)  # names move off the rings on the next frame
        clear = page.evaluate(
            "() => { const rings = [...document.querySelectorAll('.cm-cluster')].map(e => e.getBoundingClientRect());"
            " return [...document.querySelectorAll('.cm-town div')].map(e => e.getBoundingClientRect())"
            ".filter(t => !rings.some(r => t.left < r.right && r.left < t.right"
            " && t.top < r.bottom && r.top < t.bottom))"
            ".length; }"
        )
        background = page.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor")
        browser.close()
    # areas are drawn on canvas: look for their colours (over the offline background) in the pixels
    shares = [(np.abs(shot - _blend(fill, 0.85, "#e9eef2")).sum(axis=2) < 16).mean() for fill in TOWN_FILLS]
    assert sum(share > 0.01 for share in shares) >= 4 and sum(shares) > 0.15
    assert len(towns) == 17 and "方松街道" in towns and visible == 17
    assert clear >= 15  # names beside the rings, not under them
    assert "临港松江科技城" in parks
    assert background != "rgba(0, 0, 0, 0)"


def test_map_search_lists_every_hit_and_a_click_opens_that_one(base_url):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base_url + "/map?tiles=none")
        page.locator(".cm-cluster").first.wait_for()
        names = page.evaluate("() => D.rows.map(r => r[2])")
        word = "科技"
        page.fill("#cm-search", word)
        page.press("#cm-search", "Enter")
        listed = page.locator("#cm-hits li").all_inner_texts()
        found = page.locator("#cm-found").inner_text()
        page.locator("#cm-hits button").nth(2).click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        browser.close()
    expected = [n for n in names if word in n]
    assert len(expected) >= 3 and [n.strip() for n in listed] == expected
    assert found.startswith(f"找到 {len(expected)} 家")
    assert expected[2] in text and "查找供应商" in text


def test_the_schedule_columns_share_the_width_and_the_filter_button_is_not_stretched(server, base_url):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 800, "height": 900})
        sign_in(page, server, "demo-admin")
        page.goto(base_url + "/events")
        page.get_by_role("link", name="已举办").click()
        heads = page.locator("table.schedule-grid tr").first.locator("th")
        widths = heads.evaluate_all("els => els.slice(1).map(e => e.getBoundingClientRect().width)")
        scrolls = page.locator(".schedule-scroll").evaluate("e => e.scrollWidth > e.clientWidth")
        page.goto(base_url + "/challenges")
        button, select = (page.locator(f"form.filters {tag}").bounding_box() for tag in ("button", "select"))
        browser.close()
    assert len(widths) > 3 and max(widths) - min(widths) < 1 and min(widths) > 100  # no column squeezed
    assert scrolls  # a narrow window scrolls the grid sideways instead
    assert button and select and button["width"] < 150 and abs(button["y"] - select["y"]) < 5  # in line


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
