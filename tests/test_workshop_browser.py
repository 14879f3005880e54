"""The workshop role-play in a real browser: setup, one round of moves, the room, the debrief.

dash_duo with the system Chromium (see tests/test_app_browser.py); run with ``pytest -m browser``.
The runs are those of the app (its interactive scale), so the numbers checked here are compared
with a run of the same scenario made by the test itself.
"""

from __future__ import annotations

from sim import i18n
from sim import workshop as ws
from tests import test_app_browser as app_browser
from ui import workshop as ui_ws

pytestmark = app_browser.pytestmark  # browser tests: headless Chromium, skipped without it
app = app_browser.app  # the app with a background-callback cache in the test's folder

TIMEOUT = 90
THREE_TEAMS = "phnom_penh_three_teams.yaml"


def text(dash_duo, css: str) -> str:
    """The element's text ("" while absent)."""
    script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';"
    return dash_duo.driver.execute_script(script, css) or ""


def until(dash_duo, condition, timeout: float = TIMEOUT) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.1).until(lambda _driver: condition())


def wait_text(dash_duo, css: str, expected: str, timeout: float = TIMEOUT) -> None:
    until(dash_duo, lambda: expected in text(dash_duo, css), timeout)


def click(dash_duo, css: str) -> None:
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element(css))


def printed_pages(dash_duo, body_class: str) -> int:
    """Pages of the page printed to PDF by Chromium, with ``body_class`` on ``<body>``."""
    import base64
    import re

    from selenium.webdriver.common.print_page_options import PrintOptions

    dash_duo.driver.execute_script("document.body.className = arguments[0];", body_class)
    pdf = base64.b64decode(dash_duo.driver.print_page(PrintOptions()))
    dash_duo.driver.execute_script("document.body.className = '';")
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def choose_setup(dash_duo, label: str) -> None:
    """Pick a setup in the Mantine select by its label."""
    dash_duo.find_element(f"#{ui_ws.SETUP_SELECT}").click()
    option = f"//div[@role='option'][normalize-space()='{label}']"
    until(dash_duo, lambda: dash_duo.driver.find_elements("xpath", option))
    dash_duo.driver.find_element("xpath", option).click()


def test_a_round_from_setup_to_debrief(dash_duo, app) -> None:
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1280, 720)
    wait_text(dash_duo, f"#{ui_ws.OPEN}", i18n.t("action.workshop"))
    click(dash_duo, f"#{ui_ws.OPEN}")

    # Setup: the six-team file by default; switch to the three-team one.
    setup = ws.load_setup(ui_ws.SETUPS_DIR / THREE_TEAMS)
    six = ws.load_setup(ui_ws.SETUPS_DIR / ui_ws.DEFAULT_SETUP)
    wait_text(dash_duo, f"#{ui_ws.TEAM_CARDS}", ws.text(six.teams[-1].name, "en"))
    choose_setup(dash_duo, ws.text(setup.title, "en"))
    communities = setup.team("communities")
    wait_text(dash_duo, f"#{ui_ws.TEAM_CARDS}", ws.text(communities.brief, "en"))
    assert ws.text(six.teams[-1].name, "en") not in text(dash_duo, f"#{ui_ws.TEAM_CARDS}")

    # Start: the rounds tab opens with every team's own levers.
    click(dash_duo, f"#{ui_ws.START}")
    wait_text(dash_duo, f"#{ui_ws.ROUND_HEAD}", "Round 1 of 3")
    until(dash_duo, lambda: "Baseline" in text(dash_duo, f"#{ui_ws.ROOM}"))
    switch = "#ws-propose-communities input[type=checkbox]"
    assert len(dash_duo.find_elements(switch)) == len(communities.levers)
    assert dash_duo.find_elements("#ws-lever-government-bag_levy")  # the government owns the bag levy
    assert not dash_duo.find_elements("#ws-lever-communities-bag_levy")

    # The waste pickers' team integrates pickers (lever on with its default settings).
    lever = "informal_integration"
    click(dash_duo, f"#ws-lever-communities-{lever} input[type=checkbox]")
    click(dash_duo, f"#{ui_ws.RUN}")
    wait_text(dash_duo, f"#{ui_ws.ROUND_MSG}", "Round 1 run: 1 lever changes.")
    wait_text(dash_duo, f"#{ui_ws.ROUND_HEAD}", "Round 2 of 3")
    until(dash_duo, lambda: "Round 1" in text(dash_duo, f"#{ui_ws.ROOM}"))
    room = text(dash_duo, f"#{ui_ws.ROOM}")
    assert ws.text(setup.targets[0].label, "en") in room

    # Debrief: the pickers' income as the model gives it for this very scenario.
    click(dash_duo, f"#{ui_ws.TO_DEBRIEF}")
    wait_text(dash_duo, "#ws-debrief-communities", "What they did")
    card = text(dash_duo, "#ws-debrief-communities")
    base = ws.base_scenario(setup)
    scenario = ws.combine(setup, base, [{"communities": {lever: {}}}], setup.team_ids())
    baseline_table = ui_ws.runs.annual_frame(ui_ws.runs.run_compact(base))
    final_table = ui_ws.runs.annual_frame(ui_ws.runs.run_compact(scenario))
    name = "picker_income_usd_per_month"
    before = ws.value_at(baseline_table, setup.year, name)
    after = ws.value_at(final_table, setup.year, name)
    assert after != before
    expected = i18n.t(
        "workshop.debrief.goal",
        "en",
        indicator=ui_ws.indicator_name(name, "en"),
        baseline=ui_ws.fmt(name, before, "en"),
        value=ui_ws.fmt(name, after, "en"),
        change=ui_ws.change_text(name, before, after, "en"),
    )
    assert expected in card
    verdict = ws.goal_outcome(communities.goals[0], before, after).verdict
    assert i18n.t(f"workshop.verdict.{verdict}", "en").lower() in card.lower()  # badges are upper case
    assert "Round 1: " + ui_ws.lever_name(lever, "en") + ": " in card
    debrief = text(dash_duo, f"#{ui_ws.DEBRIEF}").lower()
    assert i18n.t("workshop.verdict.unknown", "en").lower() not in debrief  # every goal has numbers
    assert "No moves." in text(dash_duo, "#ws-debrief-government")

    # The guide is one tab away, and prints in full (the print stylesheet lifts the window's
    # scrolling; without it only what is on the screen would print).
    dash_duo.find_element(f"#{ui_ws.TAB_IDS['guide']}").click()
    wait_text(dash_duo, f"#{ui_ws.GUIDE}", "Agenda")
    assert printed_pages(dash_duo, "ws-printing") > 2 * printed_pages(dash_duo, "")
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []


def test_a_bad_setup_file_is_refused_in_place_and_a_good_one_opens(dash_duo, app, tmp_path) -> None:
    dash_duo.start_server(app)
    wait_text(dash_duo, f"#{ui_ws.OPEN}", i18n.t("action.workshop"))
    click(dash_duo, f"#{ui_ws.OPEN}")
    six = ws.load_setup(ui_ws.SETUPS_DIR / ui_ws.DEFAULT_SETUP)
    wait_text(dash_duo, f"#{ui_ws.TEAM_CARDS}", ws.text(six.teams[-1].name, "en"))
    cards = text(dash_duo, f"#{ui_ws.TEAM_CARDS}")

    bad = tmp_path / "our_teams.yaml"
    bad.write_text("title: {en: Ours}\nroom_indicators: [recycling_rate]\nteams: []\n", encoding="utf-8")
    dash_duo.find_element(f"#{ui_ws.UPLOAD} input[type=file]").send_keys(str(bad))
    wait_text(dash_duo, f"#{ui_ws.ERROR}", "our_teams.yaml: the workshop setup is not valid.")
    assert "field 'teams' = []" in text(dash_duo, f"#{ui_ws.ERROR}")
    assert text(dash_duo, f"#{ui_ws.TEAM_CARDS}") == cards  # nothing changed

    good = tmp_path / "three.yaml"
    good.write_text((ui_ws.SETUPS_DIR / THREE_TEAMS).read_text(encoding="utf-8"), encoding="utf-8")
    dash_duo.find_element(f"#{ui_ws.UPLOAD} input[type=file]").send_keys(str(good))
    three = ws.load_setup(ui_ws.SETUPS_DIR / THREE_TEAMS)
    wait_text(dash_duo, f"#{ui_ws.TEAM_CARDS}", ws.text(three.team("communities").brief, "en"))
    wait_text(dash_duo, f"#{ui_ws.SETUP_MSG}", "Nothing was saved on the server.")
    shown = "const e = document.getElementById(arguments[0]); return !!(e && e.offsetParent);"
    until(dash_duo, lambda: not dash_duo.driver.execute_script(shown, ui_ws.ERROR))  # the error is gone


def test_a_reload_keeps_the_workshop(dash_duo, app) -> None:
    dash_duo.start_server(app)
    wait_text(dash_duo, f"#{ui_ws.OPEN}", i18n.t("action.workshop"))
    click(dash_duo, f"#{ui_ws.OPEN}")
    wait_text(dash_duo, f"#{ui_ws.TEAM_CARDS}", "Japanese partners")
    click(dash_duo, f"#{ui_ws.START}")
    wait_text(dash_duo, f"#{ui_ws.ROOM}", "Baseline")  # the baseline has run (Run is disabled till then)
    click(dash_duo, "#ws-lever-city-collection_coverage input[type=checkbox]")
    click(dash_duo, f"#{ui_ws.RUN}")
    wait_text(dash_duo, f"#{ui_ws.ROUND_HEAD}", "Round 2 of 3")
    dash_duo.driver.refresh()
    wait_text(dash_duo, f"#{ui_ws.OPEN}", i18n.t("action.workshop"))
    click(dash_duo, f"#{ui_ws.OPEN}")
    wait_text(dash_duo, f"#{ui_ws.ROUND_HEAD}", "Round 2 of 3")
    assert "Round 1" in text(dash_duo, f"#{ui_ws.ROOM}")


def test_closing_and_opening_the_workshop_keeps_its_round(dash_duo, app) -> None:
    """What the workshop window holds survives closing it, though it is not in the page while closed.

    Kept in the page, its components would take part in every lever change of the main page.
    """
    dash_duo.start_server(app)
    wait_text(dash_duo, f"#{ui_ws.OPEN}", i18n.t("action.workshop"))
    click(dash_duo, f"#{ui_ws.OPEN}")
    wait_text(dash_duo, f"#{ui_ws.TEAM_CARDS}", "Japanese partners")
    click(dash_duo, f"#{ui_ws.START}")
    wait_text(dash_duo, f"#{ui_ws.ROOM}", "Baseline")
    click(dash_duo, "#ws-lever-city-collection_coverage input[type=checkbox]")
    click(dash_duo, f"#{ui_ws.RUN}")
    wait_text(dash_duo, f"#{ui_ws.ROUND_HEAD}", "Round 2 of 3")
    click(dash_duo, ".ws-modal .mantine-Modal-close")
    until(dash_duo, lambda: not dash_duo.driver.find_elements("css selector", f"#{ui_ws.ROUND_HEAD}"))
    click(dash_duo, f"#{ui_ws.OPEN}")
    wait_text(dash_duo, f"#{ui_ws.ROUND_HEAD}", "Round 2 of 3")
    assert "Round 1" in text(dash_duo, f"#{ui_ws.ROOM}")
