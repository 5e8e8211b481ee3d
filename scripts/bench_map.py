"""Map benchmark: HTML size and time to first render in headless chromium at district scale.

    python scripts/bench_map.py                 # 3,000, 30,000 and 100,000 enterprises
    python scripts/bench_map.py --sizes 3000    # one size

Enterprises are the demo district scaled up (chainmap.demo.scale_up); the page is the
offline map (no tiles), opened from a file. "First render" is the time from navigation
start until the first marker cluster is on screen; "build" is the Python side.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from chainmap.demo import generate_demo, scale_up
from chainmap.panorama_map import MapFrame, MapLayers, map_html, panorama_map
from chainmap.taxonomy import load_named_chain
from geodata.boundaries import schematic_town_areas
from scripts.screenshot import launch


def measure(sizes: list[int], runs: int) -> list[dict]:
    chain = load_named_chain("smart_terminal")
    demo = generate_demo(chain, 3000, seed=42)
    layers = MapLayers(schematic_town_areas().assign(official=False))
    results = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = launch(playwright)
        for size in sizes:
            enterprises = scale_up(demo, size, seed=size).enterprises
            started = time.perf_counter()
            html = map_html(panorama_map(chain, enterprises, layers, frame=MapFrame("none")))
            build = time.perf_counter() - started
            path = Path(folder) / f"map-{size}.html"
            path.write_text(html, encoding="utf-8")
            renders, loads = [], []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(path.as_uri(), wait_until="commit")
                page.locator(".cm-cluster").first.wait_for(timeout=120_000)
                renders.append(page.evaluate("performance.now()") / 1000)
                page.wait_for_load_state("load")
                loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
                page.close()
            results.append(
                {
                    "enterprises": size,
                    "html_mb": path.stat().st_size / 1e6,
                    "build_s": build,
                    "first_render_s": sorted(renders)[len(renders) // 2],
                    "load_s": sorted(loads)[len(loads) // 2],
                }
            )
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 30_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="Page loads per size; the median is printed")
    args = parser.parse_args()
    print("| enterprises | HTML (MB) | build in Python (s) | first render in chromium (s) | load event (s) |")
    print("|---:|---:|---:|---:|---:|")
    for r in measure(args.sizes, args.runs):
        print(
            f"| {r['enterprises']:,} | {r['html_mb']:.1f} | {r['build_s']:.1f} | {r['first_render_s']:.2f} |"
            f" {r['load_s']:.2f} |"
        )


if __name__ == "__main__":
    main()
