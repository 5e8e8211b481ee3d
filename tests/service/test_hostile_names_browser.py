"""Enterprises with hostile names, registered through the API, neither run nor break /map, /match, the chain page
and the home page in a real headless chromium."""

import pytest
from playwright.sync_api import sync_playwright

from scripts.screenshot import demo_server, launch, sign_in

pytestmark = pytest.mark.browser

HOSTILE = {
    "91350100M000100Y43": "示例</script><script>window.__pwned=1</script>",
    "913101174JURQ2839L": '示例<img src=x onerror="window.__pwned=2">',
    "91310000MA1FL0ABCD": "示例<!--\u2028\u2029 注释",
}
# Elements the names would have created had they been parsed as markup.
INJECTED = (
    "document.querySelectorAll('[onerror]').length"
    " + [...document.scripts].filter(s => s.textContent.trim() === 'window.__pwned=1').length"
)
PAGES = ("/map?tiles=none", "/", "/chains/smart_terminal", "/match?uscc={asker}&k=100")  # asker: the script name


def _valid(codes):
    from chainmap.uscc import check_character

    return {code[:17] + check_character(code[:17]): name for code, name in codes.items()}


def test_hostile_names_are_shown_as_text_and_never_run(tmp_path):
    hostile = _valid(HOSTILE)
    with demo_server(enterprises=200) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        sign_in(page, server, "demo-admin")
        csrf = page.request.get(server.base + "/api/me").json()["csrf_token"]
        for uscc, name in hostile.items():
            body = {
                "uscc": uscc,
                "name": name,
                "town": "九亭镇",
                "lon": 121.32,
                "lat": 31.12,
                "location_precision": "surveyed",
                "segments": {"ST.CHIP.MCU": 0.9},
            }
            created = page.request.post(server.base + "/api/enterprises", data=body, headers={"X-CSRF-Token": csrf})
            assert created.status == 201, created.text()
        seen = {}
        asker = next(uscc for uscc, name in hostile.items() if "</script>" in name)
        for path in (p.format(asker=asker) for p in PAGES):
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(server.base + path, wait_until="networkidle")
            if path.startswith("/map"):
                page.locator(".cm-cluster").first.wait_for()
                page.fill("#cm-search", "示例<")
                page.press("#cm-search", "Enter")  # every hit listed by name, as text
                page.locator("#cm-hits button").first.click()
                page.locator(".leaflet-popup-content").wait_for()
            injected = page.evaluate(INJECTED)
            seen[path] = (page.evaluate("window.__pwned === undefined"), errors, injected, page.content())
        browser.close()
    for path, (clean, errors, injected, _) in seen.items():
        assert clean and errors == [] and injected == 0, (path, errors, injected)
    match_html = seen[PAGES[3].format(asker=asker)][3]
    assert "示例&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in match_html
