"""The web app in a real browser (dash_duo, headless Chromium, the system chromedriver).

Run only these with ``pytest -m browser``; skip them with ``pytest -m "not browser"``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

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


def open_app(dash_duo, app, path: str = "") -> None:
    """Start the app, open ``path`` and wait for the cards to compare with the baseline."""
    dash_duo.start_server(app)
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
    assert lines[0].startswith("scenario,year,") and len(lines) == 1 + 2 * 26
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
