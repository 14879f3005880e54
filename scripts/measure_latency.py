"""Measure the time from a lever change to updated indicator cards, in headless Chromium.

Starts the app, switches the collection-coverage lever on, then moves its target slider one
step at a time with the keyboard (each step is a new scenario, so nothing comes from the memo)
and times each change until the cards show new numbers. The time runs, on this script's clock,
from just before the key press is sent to the browser until the page says that the
collection-rate card's text differs from before (a MutationObserver on the cards answers a
waiting WebDriver call at once). ``--poll`` instead reads the card every 10 ms, as this script
did until 2026-12-03: on two cores that polling took CPU time from the app and the browser it
measured, and added about 0.05-0.09 s to every change::

    python scripts/measure_latency.py            # 10 changes
    python scripts/measure_latency.py --changes 20
    python scripts/measure_latency.py --play     # also the pace of Play (one year per second)
    python scripts/measure_latency.py --trace    # also each change's requests, timed in the page
    python scripts/measure_latency.py --poll     # see the change by polling the card (the old way)
    sudo python scripts/measure_latency.py --server-cpu 0.5   # the server on half a core

``--server-cpu SHARE`` runs the server in a Linux control group limited to ``SHARE`` of one
core (a CPU quota of ``SHARE`` x 10 ms every 10 ms, cgroup v1 or v2; needs root), to see how
the latency holds where the model runs slower, as on a slower or busier machine.

Prints every time, then the median and the maximum. The target is a median of at most 0.5 s
and a maximum of at most 0.8 s (docs/app.md).

With ``--trace``, each change also prints, by the page's clock [ms from the start of the
change]: when the key press arrived, the callback requests until a second after the cards
changed (start, duration, bytes sent and received, outputs), and when the cards changed. The
rest of a change is the browser's work between requests, of which the long tasks (over 50 ms,
which keep the page from answering) are listed too.
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot import browser, free_port, wait_for  # noqa: E402

from ui import ids  # noqa: E402  (screenshot puts the project on the path)

CARD = f"#{ids.card('collection_rate')} .card-value"
LEVER = f"#{ids.lever_card('collection_coverage')}"
ARROW_LEFT = "\ue012"


#: Records, in the page, when the year shown changes (so the browser's own clock times play).
YEAR_WATCH = """
window._years = [];
const thumb = document.querySelector('#year-slider [role=slider]');
new MutationObserver(() => window._years.push([performance.now(), thumb.getAttribute('aria-valuenow')]))
    .observe(thumb, {attributes: true, attributeFilter: ['aria-valuenow']});
"""


#: How long a change may take before the script gives up [s].
CHANGE_TIMEOUT_S = 60
NO_CHANGE = f"the cards did not change within {CHANGE_TIMEOUT_S} s"

#: Watches, in the page, for the card's number to differ from ``arguments[1]`` (for at most
#: ``arguments[3]`` s); CARD_CHANGED then answers as soon as it does (no polling, which on a
#: 2-core machine takes CPU time from the app and the browser being measured).
CARD_WATCH = """
const selector = arguments[0], before = arguments[1], cards = document.querySelector(arguments[2]);
const limit_ms = arguments[3] * 1000;
window._cardChanged = new Promise(function (resolve) {
    const observer = new MutationObserver(function () {
        const card = document.querySelector(selector);
        if (card && card.innerText !== before) { observer.disconnect(); resolve(true); }
    });
    observer.observe(cards, {characterData: true, childList: true, subtree: true});
    setTimeout(() => { observer.disconnect(); resolve(false); }, limit_ms);
});
"""
CARD_CHANGED = "const done = arguments[arguments.length - 1]; window._cardChanged.then(done);"


#: Records, in the page, every callback request (start, duration, bytes, outputs) and when the
#: card's number changes, both by the page's clock [ms].
TRACE = """
window._trace = {requests: [], cards: [], keys: [], long: []};
new PerformanceObserver(list => list.getEntries().forEach(e => window._trace.long.push([e.startTime, e.duration])))
    .observe({type: 'longtask'});
document.addEventListener('keydown', () => window._trace.keys.push(performance.now()), true);
const original = window.fetch;
window.fetch = function (url, options) {
    const start = performance.now();
    const body = (options && options.body) || '';
    let outputs = '';
    try { outputs = JSON.parse(body).output; } catch (e) {}
    return original.apply(this, arguments).then(function (response) {
        response.clone().text().then(function (text) {
            window._trace.requests.push([start, performance.now() - start, body.length, text.length, outputs]);
        });
        return response;
    });
};
new MutationObserver(() => window._trace.cards.push(performance.now()))
    .observe(document.querySelector(arguments[0]), {characterData: true, childList: true, subtree: true});
"""


def print_trace(driver, start_ms: float) -> None:
    """Print the requests and card changes recorded since ``start_ms`` (page clock) [ms]."""
    trace = driver.execute_script(
        "const t = window._trace; window._trace = {requests: [], cards: [], keys: [], long: []}; return t;"
    )
    for at in trace["keys"][:1]:
        print(f"    key pressed at {at - start_ms:6.0f} ms")
    for begin, duration, sent, received, outputs in sorted(trace["requests"]):
        print(
            f"    request at {begin - start_ms:6.0f} ms, {duration:5.0f} ms, "
            f"sent {sent / 1000:6.1f} kB, got {received / 1000:6.1f} kB: {str(outputs)[:90]}"
        )
    for begin, duration in trace["long"]:
        print(f"    long task at {begin - start_ms:6.0f} ms, {duration:5.0f} ms")
    for at in trace["cards"][:1]:
        print(f"    cards changed at {at - start_ms:6.0f} ms")


def time_play(driver) -> list[float]:
    """Press Play and print the gaps between the years shown, timed by the page itself [s]."""
    from selenium.webdriver.common.by import By

    driver.execute_script(YEAR_WATCH)
    driver.find_element(By.ID, ids.PLAY).click()
    deadline = time.time() + 90
    while time.time() < deadline:
        years = driver.execute_script("return window._years;")
        if years and years[-1][1] == driver.execute_script(
            "return document.querySelector('#year-slider [role=slider]').getAttribute('aria-valuemax');"
        ):
            break
        time.sleep(0.5)
    years = driver.execute_script("return window._years;")[1:]  # from the first year on
    gaps = [(b[0] - a[0]) / 1000 for a, b in itertools.pairwise(years)]
    if gaps:
        print(
            f"play: {len(gaps)} years, gap median {statistics.median(gaps):.2f} s, "
            f"min {min(gaps):.2f} s, max {max(gaps):.2f} s"
        )
    return gaps


#: Length of the period of the CPU quota of ``--server-cpu`` [us]: short, so that the limit
#: slows the server evenly rather than stopping it for tens of milliseconds at a time.
QUOTA_PERIOD_US = 10_000


def cpu_limited(share: float) -> Path:
    """A new control group whose processes get at most ``share`` of one core; its folder.

    Raises:
        SystemExit: Where control groups cannot be made (not Linux, not root).
    """
    quota = max(1000, round(share * QUOTA_PERIOD_US))
    name = f"plastic-latency-{os.getpid()}"
    v2, v1 = Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/cpu")
    try:
        if (v2 / "cgroup.controllers").exists():
            group = v2 / name
            group.mkdir()
            (group / "cpu.max").write_text(f"{quota} {QUOTA_PERIOD_US}")
        else:
            group = v1 / name
            group.mkdir()
            (group / "cpu.cfs_period_us").write_text(str(QUOTA_PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
    except OSError as exc:
        raise SystemExit(f"--server-cpu needs Linux control groups and root: {exc}") from None
    return group


def main(argv: list[str] | None = None) -> list[float]:
    """Run the measurement and return the times [s]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10, help="number of lever changes timed")
    parser.add_argument(
        "--trace", action="store_true", help="also print each change's requests, timed in the page"
    )
    parser.add_argument(
        "--poll",
        action="store_true",
        help="see the change by reading the card every 10 ms (the old way) instead of being told by the page",
    )
    parser.add_argument(
        "--play", action="store_true", help="also time Play: the gap between years shown (target 1.0 s)"
    )
    parser.add_argument(
        "--server-cpu",
        type=float,
        metavar="SHARE",
        help="run the server on this share of one core (Linux control groups, needs root)",
    )
    args = parser.parse_args(argv)
    if args.server_cpu is not None and not 0 < args.server_cpu <= 1:
        parser.error("--server-cpu must be in (0, 1]")

    from selenium.webdriver.common.by import By

    port = free_port()
    # The server runs in its own process, as with `python app.py`, so that this script's
    # WebDriver calls do not compete with it for the interpreter lock.
    env = {**os.environ, "PLASTIC_APP_PORT": str(port), "PYTHONPATH": str(ROOT)}
    limited = cpu_limited(args.server_cpu) if args.server_cpu else None
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if limited:
        (limited / "cgroup.procs").write_text(str(server.pid))
    deadline = time.time() + 60
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        if time.time() > deadline:
            server.terminate()
            server.wait(timeout=10)
            if limited:
                limited.rmdir()
            raise RuntimeError("the app did not start")
        time.sleep(0.2)
    driver = browser(1400, 1000)
    driver.set_script_timeout(CHANGE_TIMEOUT_S + 10)

    def card() -> str:
        script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';"
        return driver.execute_script(script, CARD)

    def timed(action) -> float:
        before = card()
        start_ms = driver.execute_script("return performance.now();") if args.trace else 0.0
        if not args.poll:
            driver.execute_script(CARD_WATCH, CARD, before, f"#{ids.CARDS}", CHANGE_TIMEOUT_S)
        start = time.perf_counter()
        action()
        if args.poll:
            while card() == before:
                if time.perf_counter() - start > CHANGE_TIMEOUT_S:
                    raise TimeoutError(NO_CHANGE)
                time.sleep(0.01)
        elif not driver.execute_async_script(CARD_CHANGED):
            raise TimeoutError(NO_CHANGE)
        elapsed = time.perf_counter() - start
        if args.trace:
            time.sleep(1.0)  # the requests after the cards (charts)
            print_trace(driver, start_ms)
        return elapsed

    times = []
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        wait_for(driver, f"#{ids.card('recycling_rate')} .card-delta")
        time.sleep(3)  # let the baseline run finish
        if args.trace:
            driver.execute_script(TRACE, f"#{ids.CARDS}")
        switch = driver.find_element(By.CSS_SELECTOR, f"{LEVER} input[type=checkbox]")
        times.append(timed(lambda: driver.execute_script("arguments[0].click();", switch)))
        print(f"switch on: {times[-1]:.2f} s")
        wait_for(driver, f"{LEVER} [role=slider][aria-valuemax='100']")
        thumb = driver.find_element(By.CSS_SELECTOR, f"{LEVER} [role=slider][aria-valuemax='100']")
        for i in range(args.changes - 1):
            time.sleep(1.0)
            times.append(timed(lambda: thumb.send_keys(ARROW_LEFT)))
            print(f"slider step {i + 1}: {times[-1]:.2f} s")
        if args.play:
            time_play(driver)
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)
        if limited:
            limited.rmdir()
    print(f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} changes")
    return times


if __name__ == "__main__":
    main()
