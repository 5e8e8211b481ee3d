"""Screenshots for the README: runs `chainmap demo` on a throw-away database, opens the
pages in Debian's headless chromium and writes docs/*.png; docs/brief.png shows the first
pages of the briefing PDF (rendered with poppler's pdftoppm).

    python scripts/screenshot.py                       # all pages
    python scripts/screenshot.py map.png brief.png     # some of them
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Shot:
    path: str
    width: int = 1100
    hover: str | None = None  # CSS selector to hover before the shot
    element: str | None = None  # CSS selector to crop to; else the full page
    ready: str | None = None  # CSS selector that must be visible before the shot
    account: str | None = None  # demo account to sign in as first
    click: str | None = None  # CSS selector of a link to follow before the shot


@dataclass(frozen=True)
class DemoServer:
    base: str
    passwords: dict[str, str]  # demo account -> password, as `chainmap demo` printed them


PAGES = {
    "home.png": Shot("/"),
    "chain.png": Shot("/chains/smart_terminal", 1680, hover='.segment[data-code="ST.CHIP.MCU"]', element=".diagram"),
    "map.png": Shot("/map?tiles=none", 1280, ready=".cm-cluster"),
    "match.png": Shot(
        "/match?need=激光雷达，用于服务机器人避障&scope=local&budget_yuan=500万&k=5", 1280, account="demo-admin"
    ),
    "enterprise.png": Shot("/enterprises?q=传感", 1280, account="demo-admin", click="main table a"),
}
DOCS = Path(__file__).resolve().parent.parent / "docs"
BRIEF = "brief.png"
BRIEF_PAGES = 3  # the briefing's first pages, side by side


def launch(playwright):
    """Debian's chromium with the flags this closed network needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def demo_server(enterprises: int = 3000, timeout: float = 60) -> Iterator[DemoServer]:
    """`chainmap demo` on a temporary SQLite file; yields its URL and demo passwords once healthy."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "CHAINMAP_DATABASE_URL": f"sqlite:///{folder}/demo.db", "CHAINMAP_PORT": str(port)}
        command = [sys.executable, "-m", "service", "demo", "--enterprises", str(enterprises)]
        output = Path(folder) / "demo.out"
        with output.open("w") as sink:
            server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, server, timeout)
            passwords = dict(re.findall(r"示例账户 (\S+)（.*?）密码：(\S+)", output.read_text()))
            yield DemoServer(base, passwords)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_healthy(base: str, server: subprocess.Popen, timeout: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
            if response.status == 200:
                return
        if server.poll() is not None:
            raise RuntimeError(f"demo server exited: {server.stderr.read() if server.stderr else ''}")
        time.sleep(0.3)
    raise TimeoutError(f"{base}/api/health not healthy within {timeout} s")


def main() -> None:
    from playwright.sync_api import sync_playwright

    names = sys.argv[1:] or [*PAGES, BRIEF]
    DOCS.mkdir(exist_ok=True)
    with demo_server() as server, sync_playwright() as playwright:
        browser = launch(playwright)
        for name in names:
            if name == BRIEF:
                brief_sheet(browser, server, DOCS / name)
            else:
                take(browser, server, PAGES[name], DOCS / name)
            print(f"wrote {DOCS / name}")
        browser.close()


def brief_sheet(browser, server: DemoServer, path: Path, pages: int = BRIEF_PAGES) -> None:
    """The briefing as the chain page's button serves it to an administrator: its first pages side by side."""
    from PIL import Image

    page = browser.new_page()
    sign_in(page, server, "demo-admin")
    pdf = page.request.get(server.base + "/api/chains/smart_terminal/brief.pdf").body()
    page.close()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "brief.pdf").write_bytes(pdf)
        command = ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", str(pages), "brief.pdf", "page"]
        subprocess.run(command, cwd=folder, check=True)
        images = [Image.open(p).convert("RGB") for p in sorted(Path(folder).glob("page*.png"))]
    gap = 24
    sheet = Image.new(
        "RGB",
        (sum(i.width for i in images) + gap * (len(images) + 1), max(i.height for i in images) + 2 * gap),
        "#d9e2ec",
    )
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    sheet.save(path)


def sign_in(page, server: DemoServer, account: str) -> None:
    """Sign in through the login page as one of the demo accounts."""
    page.goto(server.base + "/login")
    page.fill("#username", account)
    page.fill("#password", server.passwords[account])
    page.click("button[type=submit]")
    page.wait_for_url(server.base + "/")


def take(browser, server: DemoServer, shot: Shot, path: Path) -> bytes:
    """Open a page (signed in if the shot asks), hover what it asks for, and save the page or one element."""
    page = browser.new_page(viewport={"width": shot.width, "height": 800})
    page.set_default_timeout(300_000)  # the first match fits the ranker: minutes on a busy machine
    if shot.account:
        sign_in(page, server, shot.account)
    page.goto(server.base + shot.path, wait_until="networkidle")
    if shot.click:
        page.locator(shot.click).first.click()
        page.wait_for_load_state("networkidle")
    if shot.ready:
        page.locator(shot.ready).first.wait_for()
    if shot.element:
        page.locator(shot.element).scroll_into_view_if_needed()  # before hovering: scrolling moves the content
    if shot.hover:
        page.hover(shot.hover)
    if shot.element:
        image = page.locator(shot.element).screenshot(path=path)
    else:
        image = page.screenshot(path=path, full_page=True)
    page.close()
    return image


if __name__ == "__main__":
    main()
