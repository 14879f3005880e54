"""The web app in a real browser (dash_duo, headless Chromium, the system chromedriver).

Run only these with ``pytest -m browser``; skip them with ``pytest -m "not browser"``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which("chromedriver")
        or not (shutil.which("chromium") or shutil.which("chromium-browser")),
        reason="needs chromium and chromedriver",
    ),
]

TIMEOUT = 40
CARD = "#card-{} .card-value"


@pytest.fixture
def app(tmp_path: Path):
    import dash
    import diskcache

    from ui import create_app

    return create_app(
        background_callback_manager=dash.DiskcacheManager(diskcache.Cache(str(tmp_path / "cache")))
    )


def start(dash_duo, app) -> None:
    """Serve the app on a free port (other test runs on this machine may hold Dash's default one)."""
    from scripts.screenshot import free_port

    dash_duo.start_server(app, port=free_port())


def open_app(dash_duo, app, path: str = "") -> None:
    """Start the app, open ``path`` and wait for the cards to compare with the baseline."""
    start(dash_duo, app)
    if path:
        dash_duo.driver.get(dash_duo.server_url + path)
    wait_text(dash_duo, "#card-recycling_rate .card-delta", "vs baseline")


def text(dash_duo, css: str) -> str:
    """The element's text, lower case (Mantine upper-cases badges by CSS); "" while absent."""
    script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';"
    return (dash_duo.driver.execute_script(script, css) or "").lower()


def until(dash_duo, condition, timeout: float = TIMEOUT) -> None:
    """Wait until ``condition()`` is true."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.05).until(lambda _driver: condition())


def wait_text(dash_duo, css: str, expected: str, timeout: float = TIMEOUT) -> None:
    """Wait until the text of ``css`` contains ``expected`` (case-insensitive)."""
    until(dash_duo, lambda: expected.lower() in text(dash_duo, css), timeout)


def wait_for_change(dash_duo, css: str, before: str, timeout: float = TIMEOUT) -> float:
    """Seconds until the text of ``css`` differs from ``before``."""
    start = time.perf_counter()
    until(dash_duo, lambda: text(dash_duo, css) != before, timeout)
    return time.perf_counter() - start


def click(dash_duo, css: str) -> None:
    """Click an element even when Mantine hides the native input under its styling."""
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element(css))


def side_tab(dash_duo, name: str) -> None:
    dash_duo.find_element(f"button[role=tab][id$='{name}']").click()


def severe_logs(dash_duo) -> list:
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


def test_page_loads_without_console_errors(dash_duo, app) -> None:
    open_app(dash_duo, app)
    assert text(dash_duo, CARD.format("recycling_rate")).strip()
    assert "±0.0 pp" in text(dash_duo, "#card-recycling_rate .card-delta")
    dash_duo.wait_for_element("#trends-graph .main-svg", timeout=TIMEOUT)
    assert severe_logs(dash_duo) == []


def test_moving_a_lever_changes_the_cards_and_undo_restores_them(dash_duo, app) -> None:
    open_app(dash_duo, app)
    before = text(dash_duo, CARD.format("collection_rate"))
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    seconds = wait_for_change(dash_duo, CARD.format("collection_rate"), before)
    print(f"\ncards updated {seconds:.2f} s after switching a lever on")
    assert "+" in text(dash_duo, "#card-collection_rate .card-delta")
    wait_text(dash_duo, "#scenario-badge", "1 change")

    # Move the lever's target one step down with the keyboard: the cards change again.
    after_switch = text(dash_duo, CARD.format("collection_rate"))
    thumb = dash_duo.find_element("#lever-collection_coverage [role=slider][aria-valuemax='100']")
    assert thumb.get_attribute("aria-valuenow") == "95"
    thumb.send_keys("\ue012")  # ArrowLeft
    seconds = wait_for_change(dash_duo, CARD.format("collection_rate"), after_switch)
    print(f"cards updated {seconds:.2f} s after moving a slider")

    # Another browser session starts from the baseline: nothing is shared.
    first = dash_duo.driver.current_window_handle
    dash_duo.driver.execute_script(f"window.open('{dash_duo.server_url}');")
    until(dash_duo, lambda: len(dash_duo.driver.window_handles) == 2)
    dash_duo.driver.switch_to.window(next(h for h in dash_duo.driver.window_handles if h != first))
    wait_text(dash_duo, "#card-recycling_rate .card-delta", "vs baseline")
    assert "change" not in text(dash_duo, "#scenario-badge")
    assert not dash_duo.find_element("#lever-collection_coverage input[type=checkbox]").is_selected()
    dash_duo.driver.close()
    dash_duo.driver.switch_to.window(first)

    dash_duo.find_element("#undo-button").click()
    until(dash_duo, lambda: text(dash_duo, CARD.format("collection_rate")) == after_switch)
    dash_duo.find_element("#reset-button").click()
    until(dash_duo, lambda: text(dash_duo, CARD.format("collection_rate")) == before)
    assert not dash_duo.find_element("#lever-collection_coverage input[type=checkbox]").is_selected()
    assert severe_logs(dash_duo) == []


def save_as(dash_duo, name: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = dash_duo.find_element("#save-name")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    field.send_keys(name)
    dash_duo.find_element("#save-button").click()
    wait_text(dash_duo, "#save-message", name)


def test_saving_and_comparing_two_scenarios(dash_duo, app) -> None:
    open_app(dash_duo, app)
    side_tab(dash_duo, "scenarios")
    save_as(dash_duo, "Business as usual")
    side_tab(dash_duo, "policies")
    before = text(dash_duo, CARD.format("collection_rate"))
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    wait_for_change(dash_duo, CARD.format("collection_rate"), before)
    side_tab(dash_duo, "scenarios")
    save_as(dash_duo, "Full coverage")
    dash_duo.find_element("button[role=tab][id$='compare']").click()
    wait_text(dash_duo, "#compare-table", "Full coverage")
    header = text(dash_duo, "#compare-table thead")
    assert "business as usual" in header and "full coverage" in header
    rows = text(dash_duo, "#compare-table tbody")
    assert "collection rate" in rows and "pp)" in rows
    dash_duo.wait_for_element("#compare-graph .main-svg", timeout=TIMEOUT)
    assert severe_logs(dash_duo) == []


def test_a_shared_link_restores_the_levers(dash_duo, app) -> None:
    path = "/?policies.collection_coverage.target_coverage=0.5&policies.collection_coverage.start_year=2030"
    open_app(dash_duo, app, path)
    wait_text(dash_duo, "#scenario-badge", "1 change")
    switch = dash_duo.find_element("#lever-collection_coverage input[type=checkbox]")
    assert switch.is_selected()
    values = [
        e.get_attribute("aria-valuenow")
        for e in dash_duo.find_elements("#lever-collection_coverage [role=slider]")
    ]
    assert "50" in values and "2030" in values
    side_tab(dash_duo, "scenarios")
    link = dash_duo.find_element("#share-link").get_attribute("value")
    assert "target_coverage=0.5" in link and "start_year=2030" in link

    # Export: the scenario as YAML, the run (and the baseline) as CSV.
    downloads = Path(dash_duo.download_path)
    dash_duo.find_element("#export-yaml-button").click()
    dash_duo.find_element("#export-csv-button").click()
    until(dash_duo, lambda: {p.suffix for p in downloads.iterdir()} >= {".yaml", ".csv"})
    exported = yaml.safe_load(next(downloads.glob("*.yaml")).read_text(encoding="utf-8"))
    assert exported["policies"]["collection_coverage"]["target_coverage"] == 0.5
    lines = next(downloads.glob("*.csv")).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("scenario,role,year,") and len(lines) == 1 + 2 * 26
    assert severe_logs(dash_duo) == []


def test_a_bad_yaml_import_shows_the_error_and_changes_nothing(dash_duo, app, tmp_path: Path) -> None:
    open_app(dash_duo, app)
    badge = text(dash_duo, "#scenario-badge")
    bad = tmp_path / "bad.yaml"
    bad.write_text("city:\n  plastic_share_of_msw: 3\n", encoding="utf-8")
    side_tab(dash_duo, "scenarios")
    dash_duo.find_element("#import-upload input[type=file]").send_keys(str(bad))
    wait_text(dash_duo, "#import-message", "nothing changed")
    assert "plastic_share_of_msw" in text(dash_duo, "#import-message")
    assert text(dash_duo, "#scenario-badge") == badge
    assert severe_logs(dash_duo) == []


def test_a_failing_callback_shows_a_message_and_the_app_keeps_working(
    dash_duo,
    app,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui import runs

    real = runs.run_compact

    def broken(scenario: dict, *args: object, **kwargs: object) -> dict:
        if (scenario.get("policies") or {}).get("collection_coverage") is not None:
            raise RuntimeError("the model broke")
        return real(scenario, *args, **kwargs)

    monkeypatch.setattr(runs, "run_compact", broken)
    open_app(dash_duo, app)
    before = text(dash_duo, CARD.format("collection_rate"))
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    wait_text(dash_duo, "#error-alert", "the model broke")
    assert text(dash_duo, CARD.format("collection_rate")) == before
    # The app keeps working: switch that lever off and another on; the cards follow.
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    until(dash_duo, lambda: "change" not in text(dash_duo, "#scenario-badge"))
    ghg = text(dash_duo, "#card-ghg_net_t_co2e .card-value")
    click(dash_duo, "#lever-burning_enforcement input[type=checkbox]")
    wait_for_change(dash_duo, "#card-ghg_net_t_co2e .card-value", ghg)
    wait_text(dash_duo, "#scenario-badge", "1 change")


# --------------------------------------------------------------------------- languages, layouts, exports


def js(dash_duo, script: str, *args: object):
    """Run ``script`` (a function body) in the page and return its value."""
    return dash_duo.driver.execute_script(script, *args)


def test_the_khmer_page_speaks_khmer_in_the_bundled_font(dash_duo, app) -> None:
    from sim.i18n import t

    start(dash_duo, app)
    dash_duo.driver.get(dash_duo.server_url + "/?lang=km")
    wait_text(dash_duo, "#card-recycling_rate .card-delta", t("card.vs_baseline", "km"))
    assert js(dash_duo, "return document.documentElement.lang;") == "km"
    assert t("app.title", "km") in text(dash_duo, ".app-header") or t("app.title.short", "km") in text(
        dash_duo, ".app-header"
    )
    assert t("indicator.recycling_rate.label", "km") in text(dash_duo, "#card-recycling_rate")
    assert t("lever.deposit_return.label", "km") in text(dash_duo, "#lever-deposit_return")
    family = js(
        dash_duo, "return getComputedStyle(document.querySelector('#card-recycling_rate')).fontFamily;"
    )
    assert family.split(",")[0].strip("'\" ") == "Noto Sans Khmer"
    # The font is the app's own file (served from ui/assets), loaded and used for Khmer text.
    until(dash_duo, lambda: js(dash_duo, "return document.fonts.status;") == "loaded")
    faces = js(
        dash_duo,
        "return [...document.fonts].filter(f => f.family.includes('Noto Sans Khmer')).map(f => f.status);",
    )
    assert "loaded" in faces
    assert js(dash_duo, "return document.fonts.check('16px \"Noto Sans Khmer\"', 'ក្រសួងបរិស្ថាន');")
    assert severe_logs(dash_duo) == []


def overflowing_buttons(dash_duo) -> list[str]:
    """Header buttons and switches whose text does not fit (cut or wrapped)."""
    return js(
        dash_duo,
        """
        const out = [];
        for (const e of document.querySelectorAll('.app-header button, .app-header label')) {
            if (!e.offsetParent) continue;  // hidden at this width
            const label = e.querySelector('.mantine-Button-label') || e;
            if (label.scrollWidth > label.clientWidth + 1 || e.getClientRects().length > 1
                || label.getBoundingClientRect().height > 40) out.push(e.innerText);
        }
        return out;
        """,
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_presenter_mode_fits_a_projector(dash_duo, app, width: int, height: int) -> None:
    from scripts.screenshot import emulate_viewport

    emulate_viewport(dash_duo.driver, width, height, mobile=False)
    open_app(dash_duo, app)
    click(dash_duo, "#presenter-switch")
    until(
        dash_duo, lambda: "presenter" in (js(dash_duo, "return document.getElementById('root').className;"))
    )
    assert js(dash_duo, "return window.innerWidth;") == width
    # The lever panel folds away, nothing sticks out sideways, no header button is cut or wrapped.
    until(
        dash_duo,
        lambda: (
            js(
                dash_duo,
                "return document.querySelector('.mantine-AppShell-navbar').getBoundingClientRect().right;",
            )
            <= 1
        ),
    )
    time.sleep(0.5)
    assert js(dash_duo, "return document.documentElement.scrollWidth;") <= width
    assert overflowing_buttons(dash_duo) == []
    # Card numbers stay on one line inside their card; the charts start above the fold.
    cut = js(
        dash_duo,
        """
        return [...document.querySelectorAll('.indicator-card')].filter(card => {
            const box = card.getBoundingClientRect();
            return [...card.querySelectorAll('.card-value, .card-unit, .card-delta')].some(e => {
                const r = e.getBoundingClientRect();
                return r.right > box.right + 1 || r.height > 80;
            });
        }).map(card => card.id);
        """,
    )
    assert cut == []
    assert (
        js(dash_duo, "return document.getElementById('trends-graph').getBoundingClientRect().top;") < height
    )
    assert severe_logs(dash_duo) == []


def test_a_phone_shows_the_cards_first_and_the_levers_in_a_drawer(dash_duo, app) -> None:
    from scripts.screenshot import emulate_viewport

    emulate_viewport(dash_duo.driver, 390, 844)
    open_app(dash_duo, app)
    width = js(dash_duo, "return window.innerWidth;")
    assert width == 390
    assert js(dash_duo, "return document.documentElement.scrollWidth;") <= width
    # The first card is on screen and not covered by the lever panel.
    assert js(
        dash_duo,
        """
        const card = document.getElementById('card-recycling_rate');
        const r = card.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.top >= 0 && r.bottom <= window.innerHeight && card.contains(hit);
        """,
    )
    # Header actions are in a menu; the lever drawer opens and closes with the header button.
    assert not dash_duo.find_element("#undo-button").is_displayed()
    assert dash_duo.find_element("#header-menu").is_displayed()
    dash_duo.find_element("#nav-toggle").click()
    until(dash_duo, lambda: dash_duo.find_element("#lever-deposit_return").is_displayed())
    dash_duo.find_element("#nav-toggle").click()
    until(dash_duo, lambda: not dash_duo.find_element("#lever-deposit_return").is_displayed())
    assert severe_logs(dash_duo) == []


def test_undo_goes_back_three_steps_after_three_changes_and_after_a_reset(dash_duo, app) -> None:
    open_app(dash_duo, app)
    states = [text(dash_duo, "#scenario-badge")]
    for lever in ("collection_coverage", "deposit_return", "burning_enforcement"):
        click(dash_duo, f"#lever-{lever} input[type=checkbox]")
        until(dash_duo, lambda before=states[-1]: text(dash_duo, "#scenario-badge") != before)
        wait_for_element_gone(dash_duo)
        states.append(text(dash_duo, "#scenario-badge"))
    assert "3 changes" in states[-1]
    dash_duo.find_element("#reset-button").click()
    until(dash_duo, lambda: text(dash_duo, "#scenario-badge") == states[0])
    for expected in reversed(states):
        dash_duo.find_element("#undo-button").click()
        until(dash_duo, lambda expected=expected: text(dash_duo, "#scenario-badge") == expected)
    wait_text(dash_duo, "#page-message", "undone")
    dash_duo.find_element("#undo-button").click()
    wait_text(dash_duo, "#page-message", "nothing to undo")
    assert not dash_duo.find_element("#lever-collection_coverage input[type=checkbox]").is_selected()
    assert severe_logs(dash_duo) == []


def test_the_undo_stack_keeps_the_last_twenty_changes(dash_duo, app) -> None:
    from ui.state import HISTORY_LIMIT

    open_app(dash_duo, app)
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    wait_text(dash_duo, "#scenario-badge", "1 change")
    thumb = dash_duo.find_element("#lever-collection_coverage [role=slider][aria-valuemax='100']")
    # The switch and then more slider steps than the stack holds, each a new scenario.
    for step in range(1, HISTORY_LIMIT + 2):
        thumb.send_keys("\ue012")  # ArrowLeft
        until(dash_duo, lambda step=step: thumb.get_attribute("aria-valuenow") == str(95 - step))
        # The change has come back from the server (its link has the new target) before the next
        # key press: keys pressed while a change is on its way make one change, not several.
        until(dash_duo, lambda step=step: link_target(dash_duo) == pytest.approx((95 - step) / 100))
    # Undo goes back through the last twenty scenarios (95 - 1 ... 95 - 20), not further.
    for left in range(HISTORY_LIMIT - 1, -1, -1):
        dash_duo.find_element("#undo-button").click()
        wait_text(dash_duo, "#page-message", f"({left} more step(s)")
    slider = "#lever-collection_coverage [role=slider][aria-valuemax='100']"
    assert dash_duo.find_element(slider).get_attribute("aria-valuenow") == "94"
    dash_duo.find_element("#undo-button").click()
    wait_text(dash_duo, "#page-message", "nothing to undo")
    assert dash_duo.find_element(slider).get_attribute("aria-valuenow") == "94"
    assert severe_logs(dash_duo) == []


def test_an_idle_page_runs_no_animation(dash_duo, app) -> None:
    """Nothing animates while nothing runs: a hidden spinner or striped bar still costs CPU."""
    open_app(dash_duo, app)
    dash_duo.wait_for_element("#trends-graph .main-svg", timeout=TIMEOUT)
    wait_for_element_gone(dash_duo)
    assert dash_duo.driver.execute_script("return document.getAnimations().length;") == 0


#: Records, in the page, whether the run spinner was visible each time Dash marked the status as
#: waiting for a callback, and whether it was hidden each time the mark went.
SPINNER_WATCH = """
window._spinner = [];
const status = document.getElementById('run-status'), spinner = document.getElementById('run-spinner');
new MutationObserver(() => window._spinner.push(
    [status.getAttribute('data-dash-is-loading'), getComputedStyle(spinner).visibility]))
    .observe(status, {attributes: true, attributeFilter: ['data-dash-is-loading']});
"""


def test_the_spinner_shows_while_a_lever_change_runs(dash_duo, app) -> None:
    """The spinner follows Dash's loading mark on the status: shown during the run, hidden after."""
    open_app(dash_duo, app)
    wait_for_element_gone(dash_duo)
    dash_duo.driver.execute_script(SPINNER_WATCH)
    before = text(dash_duo, CARD.format("collection_rate"))
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    wait_for_change(dash_duo, CARD.format("collection_rate"), before)
    wait_for_element_gone(dash_duo)
    seen = dash_duo.driver.execute_script("return window._spinner;")
    assert ["true", "visible"] in seen, seen
    assert seen[-1] == [None, "hidden"], seen


def link_target(dash_duo) -> float | None:
    """The collection-coverage target in the page's share link (None if the link has none)."""
    query = urlsplit(dash_duo.find_element("#share-link").get_attribute("value") or "").query
    values = parse_qs(query).get("policies.collection_coverage.target_coverage")
    return float(values[0]) if values else None


def wait_for_element_gone(dash_duo) -> None:
    """Wait until no model run is going on (the spinner is hidden)."""
    until(dash_duo, lambda: not dash_duo.find_element("#run-spinner").is_displayed())


def test_exports_are_named_after_what_they_hold(dash_duo, app) -> None:
    from sim.levers import lever_catalogue

    labels = {info.id: info.label for info in lever_catalogue()}
    open_app(dash_duo, app)
    side_tab(dash_duo, "scenarios")
    save_as(dash_duo, "deposit-only")
    side_tab(dash_duo, "policies")
    for lever in ("deposit_return", "landfill_tax"):
        before = text(dash_duo, "#scenario-badge")
        click(dash_duo, f"#lever-{lever} input[type=checkbox]")
        until(dash_duo, lambda before=before: text(dash_duo, "#scenario-badge") != before)
    wait_for_element_gone(dash_duo)
    side_tab(dash_duo, "scenarios")
    downloads = Path(dash_duo.download_path)
    dash_duo.find_element("#export-yaml-button").click()
    until(dash_duo, lambda: any(p.suffix == ".yaml" for p in downloads.iterdir()))
    path = next(downloads.glob("*.yaml"))
    assert "deposit-return" in path.name and "landfill-tax" in path.name and "deposit-only" not in path.name
    exported = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(exported["policies"]) == {"deposit_return", "landfill_tax"}
    assert labels["deposit_return"] in exported["name"] and labels["landfill_tax"] in exported["name"]
    assert labels["landfill_tax"] in exported["description"]
    # The CSV holds this scenario, the baseline and the compared one, and says so in its name.
    dash_duo.find_element("#export-csv-button").click()
    until(dash_duo, lambda: any(p.suffix == ".csv" for p in downloads.iterdir()))
    csv = next(downloads.glob("*.csv"))
    assert "deposit-return" in csv.name and "vs" in csv.name and "1-compared" in csv.name
    import csv as csv_module

    rows = list(csv_module.DictReader(csv.read_text(encoding="utf-8").splitlines()))
    assert {row["role"] for row in rows} == {"current", "baseline", "compared"} and len(rows) == 3 * 26
    current = next(row["scenario"] for row in rows if row["role"] == "current")
    assert labels["deposit_return"] in current and labels["landfill_tax"] in current
    assert severe_logs(dash_duo) == []


def test_saving_over_a_saved_name_asks_first(dash_duo, app) -> None:
    from selenium.webdriver.common.keys import Keys

    open_app(dash_duo, app)
    side_tab(dash_duo, "scenarios")
    save_as(dash_duo, "Plan")
    field = dash_duo.find_element("#save-name")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Plan")
    dash_duo.find_element("#save-button").click()
    dash_duo.wait_for_element("#save-cancel", timeout=TIMEOUT)
    assert "plan" in text(dash_duo, "#save-confirm-modal-text")
    dash_duo.find_element("#save-cancel").click()
    wait_text(dash_duo, "#save-message", "unchanged")
    dash_duo.find_element("#save-button").click()
    dash_duo.wait_for_element("#save-confirm", timeout=TIMEOUT)
    until(dash_duo, lambda: dash_duo.find_element("#save-confirm").is_displayed())
    dash_duo.find_element("#save-confirm").click()
    wait_text(dash_duo, "#save-message", "saved")
    assert severe_logs(dash_duo) == []


def test_a_shared_link_restores_year_comparison_and_language(dash_duo, app) -> None:
    from sim.i18n import t

    start(dash_duo, app)
    dash_duo.driver.get(dash_duo.server_url + "/?lang=ja")
    wait_text(dash_duo, "#card-recycling_rate .card-delta", t("card.vs_baseline", "ja"))
    click(dash_duo, "#lever-collection_coverage input[type=checkbox]")
    wait_for_element_gone(dash_duo)
    side_tab(dash_duo, "scenarios")
    save_as(dash_duo, "Plan A")
    until(dash_duo, lambda: "plan a" in text(dash_duo, "#compare-select-wrapper, .mantine-MultiSelect-root"))
    thumb = dash_duo.find_element("#year-slider [role=slider]")
    for _ in range(5):
        thumb.send_keys("\ue014")  # ArrowRight: 2035 -> 2040
    until(dash_duo, lambda: thumb.get_attribute("aria-valuenow") == "2040")
    until(dash_duo, lambda: "year=2040" in dash_duo.find_element("#share-link").get_attribute("value"))
    link = dash_duo.find_element("#share-link").get_attribute("value")
    assert "lang=ja" in link and "compare.1=Plan+A" in link

    # A colleague's browser: nothing saved, the link alone.
    js(dash_duo, "window.localStorage.clear();")
    dash_duo.driver.get(link)
    wait_text(dash_duo, "#card-recycling_rate .card-delta", t("card.vs_baseline", "ja"))
    assert js(dash_duo, "return document.documentElement.lang;") == "ja"
    until(
        dash_duo,
        lambda: dash_duo.find_element("#year-slider [role=slider]").get_attribute("aria-valuenow") == "2040",
    )
    dash_duo.find_element("button[role=tab][id$='compare']").click()
    wait_text(dash_duo, "#compare-table", "Plan A")
    assert "2040" in text(dash_duo, "#compare-table thead")
    assert dash_duo.find_element("#lever-collection_coverage input[type=checkbox]").is_selected()
    assert severe_logs(dash_duo) == []


def test_a_refused_clipboard_says_so_on_the_page(dash_duo, app) -> None:
    from sim.i18n import t

    open_app(dash_duo, app)
    side_tab(dash_duo, "scenarios")
    js(dash_duo, "navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));")
    dash_duo.find_element("#share-copy").click()
    wait_text(dash_duo, "#page-message", t("scenario.copy_failed")[:30])


def test_a_policy_package_is_one_click_away(dash_duo, app) -> None:
    open_app(dash_duo, app)
    before = text(dash_duo, CARD.format("mismanaged_rate"))
    dash_duo.find_element("#packages-bar button[id*='moc_pollution_control']").click()
    wait_text(dash_duo, "#scenario-badge", "MoC pollution control")
    wait_text(dash_duo, "#scenario-badge", "from phnom penh baseline")
    wait_for_change(dash_duo, CARD.format("mismanaged_rate"), before)
    wait_text(dash_duo, "#page-message", "MoC pollution control")
    assert severe_logs(dash_duo) == []


def test_the_tour_walks_through_four_steps(dash_duo, app) -> None:
    open_app(dash_duo, app)
    dash_duo.find_element("#tour-hint-open").click()
    wait_text(dash_duo, "#tour-step", "1 of 4")
    for step in (2, 3, 4):
        dash_duo.find_element("#tour-next").click()
        wait_text(dash_duo, "#tour-step", f"{step} of 4")
    dash_duo.find_element("#tour-next").click()
    shown = "const e = document.getElementById(arguments[0]); return !!(e && e.offsetParent);"
    until(dash_duo, lambda: not js(dash_duo, shown, "tour-step"))
    # Taking the tour also retires the first-use hint in this browser.
    until(dash_duo, lambda: not js(dash_duo, shown, "tour-hint"))
    assert severe_logs(dash_duo) == []


@pytest.mark.parametrize("how", [[], ["--poll"]], ids=["told-by-the-page", "polling"])
def test_the_latency_script_times_each_change(how: list[str], capsys) -> None:
    """``scripts/measure_latency.py`` runs the real app and times every change it makes."""
    from scripts import measure_latency

    times = measure_latency.main(["--changes", "3", *how])
    assert len(times) == 3 and all(0 < seconds < TIMEOUT for seconds in times)
    assert capsys.readouterr().out.splitlines()[-1].endswith("over 3 changes")
