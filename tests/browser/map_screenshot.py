"""The README's map screenshot, taken on the running demo city (not a test).

    .venv/bin/python tests/browser/map_screenshot.py [http://127.0.0.1:8000]

Logs in as the demo dispatcher, zooms into central Porto Alegre, draws a selection
polygon and saves docs/screenshot-map.png.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from conftest import CHROMIUM, CHROMIUM_ARGS

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-map.png"
CENTER, ZOOM = (-51.2185, -30.0345), 15.3
POLYGON = [(-51.2225, -30.0375), (-51.2150, -30.0380), (-51.2140, -30.0320), (-51.2190, -30.0305),
           (-51.2232, -30.0330)]


def main(base_url):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=base_url, locale="pt-BR", viewport={"width": 1440, "height": 900})
        page.set_default_timeout(30000)
        page.goto("/login/")
        page.fill("#id_username", "despachante")
        page.fill("#id_password", "malha-demo")
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        page.goto("/map/")
        page.wait_for_selector("#map[data-ready]")
        page.evaluate("([center, zoom]) => malhaMap.jumpTo({center, zoom})", [CENTER, ZOOM])
        page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")
        page.click("#selection-draw")
        canvas = page.locator("#map canvas").bounding_box()
        for lon, lat in [*POLYGON, POLYGON[0]]:
            pixel = page.evaluate("(point) => malhaMap.project(point)", [lon, lat])
            x, y = canvas["x"] + pixel["x"], canvas["y"] + pixel["y"]
            page.mouse.move(x, y)
            page.mouse.click(x, y)
            page.wait_for_timeout(200)
        page.wait_for_selector("#selection-result:not([hidden])")
        page.wait_for_function("() => malhaMap.loaded() && !malhaMap.isMoving()")
        page.screenshot(path=str(OUTPUT))
        browser.close()
    print(OUTPUT)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
