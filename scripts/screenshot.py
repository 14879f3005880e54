"""Make ``docs/screenshot.png`` from the real app in headless Chromium.

Starts the app on a free local port, opens it in headless Chromium (Selenium with the system
chromedriver), switches on two policy levers so the baseline and the scenario differ, waits for
the charts, and saves a screenshot::

    python scripts/screenshot.py                      # docs/screenshot.png
    python scripts/screenshot.py --out /tmp/app.png --presenter --tab flows --lang km
    python scripts/screenshot.py --docs               # every screenshot of docs/ (Khmer, presenter, phone)

Needs ``chromium`` and ``chromedriver`` (Debian: ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Headless Chromium without background traffic; shared with the browser tests (tests/conftest.py).
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(port: int) -> None:
    """Serve the app in a daemon thread."""
    import logging

    from ui import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app()
    thread = threading.Thread(
        target=lambda: app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False), daemon=True
    )
    thread.start()
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the app did not start")


def chrome_options(width: int, height: int, *extra: str):
    """Options of headless Chromium (the system ``chromium``) with a window of ``width`` x ``height`` px."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in (*CHROME_ARGS, *extra, f"--window-size={width},{height}"):
        options.add_argument(arg)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        options.binary_location = chromium
    return options


def browser(width: int, height: int):
    """Headless Chromium driven by the system chromedriver (scrollbars hidden for screenshots)."""
    from selenium import webdriver

    return webdriver.Chrome(options=chrome_options(width, height, "--hide-scrollbars"))


def emulate_viewport(driver, width: int, height: int, mobile: bool = True) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` (a phone: headless windows are wider)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def wait_for(driver, css: str, timeout: float = 30) -> None:
    """Wait until an element matching ``css`` is on the page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


#: Below this width a screenshot emulates a phone (headless windows cannot be narrower).
PHONE_WIDTH = 600
#: The screenshots of docs/, made by ``--docs``: (file, width, height, language, presenter, levers).
DOCS_SHOTS: tuple[tuple[str, int, int, str, bool, tuple[str, ...]], ...] = (
    ("screenshot.png", 1600, 1250, "en", False, ("deposit_return", "collection_coverage")),
    ("screenshot_km.png", 1600, 1100, "km", False, ("deposit_return", "collection_coverage")),
    ("screenshot_presenter_1280x720.png", 1280, 720, "en", True, ("deposit_return", "collection_coverage")),
    ("screenshot_phone_390x844.png", 390, 844, "km", False, ()),
)


def shoot(
    port: int,
    out: Path,
    width: int,
    height: int,
    lang: str = "en",
    presenter: bool = False,
    levers: tuple[str, ...] = ("deposit_return", "collection_coverage"),
    panel: str = "policies",
    tab: str = "trends",
) -> Path:
    """Open the app in a window of ``width`` x ``height``, set it up, and save a screenshot."""
    from selenium.webdriver.common.by import By

    from ui import ids

    driver = browser(width, height)
    try:
        emulate_viewport(driver, width, height, mobile=width < PHONE_WIDTH)  # exactly this viewport
        driver.get(f"http://127.0.0.1:{port}/?lang={lang}")
        wait_for(driver, f"#{ids.card('recycling_rate')} .card-delta")
        for lever in levers:
            switch = driver.find_element(By.CSS_SELECTOR, f"#{ids.lever_card(lever)} input[type=checkbox]")
            driver.execute_script("arguments[0].click();", switch)
            time.sleep(0.5)
            wait_for(driver, f"#{ids.RUN_SPINNER}[style*='hidden']", timeout=60)
        if presenter:
            driver.execute_script("arguments[0].click();", driver.find_element(By.ID, ids.PRESENTER))
        if panel != "policies":
            driver.find_element(By.XPATH, f"//button[@role='tab' and contains(@id, '{panel}')]").click()
        if tab != "trends":
            driver.find_element(By.XPATH, f"//button[@role='tab' and contains(@id, '{tab}')]").click()
        time.sleep(3)
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()
    print(f"wrote {out}")
    return out


def main(argv: list[str] | None = None) -> list[Path]:
    """Take the screenshot(s) and return their paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1250)
    parser.add_argument("--lang", default="en", help="language of the page: km, en, ja")
    parser.add_argument("--presenter", action="store_true", help="presenter mode")
    parser.add_argument(
        "--tab", default="trends", help="result tab: trends, flows, network, households, budget, compare"
    )
    parser.add_argument("--panel", default="policies", help="side panel: policies, assumptions, scenarios")
    parser.add_argument(
        "--lever",
        action="append",
        help="lever switched on (repeat for several; default: deposit_return and collection_coverage)",
    )
    parser.add_argument("--docs", action="store_true", help="make every screenshot of docs/ (DOCS_SHOTS)")
    args = parser.parse_args(argv)

    port = free_port()
    serve(port)
    if args.docs:
        return [
            shoot(port, ROOT / "docs" / name, w, h, lang, presenter, levers)
            for name, w, h, lang, presenter, levers in DOCS_SHOTS
        ]
    levers = tuple(args.lever or ["deposit_return", "collection_coverage"])
    return [
        shoot(
            port, args.out, args.width, args.height, args.lang, args.presenter, levers, args.panel, args.tab
        )
    ]


if __name__ == "__main__":
    main()
