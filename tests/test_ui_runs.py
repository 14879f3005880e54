"""Model runs for the app: compact results, memo, uncertainty bands, chances of targets."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import DEFAULT_SEED, run_scenario
from sim.i18n import format_percent
from sim.scenario import validate_scenario
from sim.uncertainty import make_design
from ui import runs, state
from ui.logic import Card

ROOT = Path(__file__).resolve().parent.parent

SCALE = 0.002


def preset_until(preset: str, end_year: int) -> dict:
    """A preset scenario of the app, cut to end in ``end_year``."""
    data = state.load_preset(preset)
    data["time"]["end_year"] = end_year
    return state.validated(data)


@pytest.fixture(scope="module")
def short() -> dict:
    """The baseline cut to 2025-2027."""
    return preset_until("baseline", 2027)


@pytest.fixture(scope="module")
def result(short: dict) -> dict:
    return runs.run_compact(short, seed=3, scale=SCALE)


def test_compact_result_is_json_and_covers_every_year(short: dict, result: dict) -> None:
    json.dumps(result)  # storable in a dcc.Store
    assert result["annual"]["year"] == [2025, 2026, 2027]
    assert result["flows"]["years"] == [2025, 2026, 2027]
    assert result["digest"] == state.digest(short)
    assert result["households"] > 0 and result["seed"] == 3
    # City households (population / household size) times the scale, to within rounding by district.
    households = short["city"]["population"] / short["city"]["household_size_persons"]
    assert result["households"] == pytest.approx(SCALE * households, rel=0.01)
    assert result["scale"] == SCALE


def test_compact_flows_add_up_to_what_was_generated(result: dict) -> None:
    flows = runs.flows_frame(result["flows"])
    annual = runs.annual_frame(result)
    kinds = result["flows"]["nodes"]
    for year in annual.index:
        generated = flows[(flows["year"] == year) & (flows["source"].map(kinds) == "consumption")][
            "tonnes"
        ].sum()
        assert generated == pytest.approx(annual.loc[year, "generated_t"], rel=1e-4)
    assert set(flows["source"]) | set(flows["target"]) <= set(kinds)


def test_memo_returns_independent_copies(short: dict, result: dict) -> None:
    again = runs.run_compact(short, seed=3, scale=SCALE)
    assert again == result
    again["annual"]["recycling_rate"][0] = -1.0
    assert runs.run_compact(short, seed=3, scale=SCALE) == result


def test_split_keeps_flows_apart(result: dict) -> None:
    head, flows = runs.split(result)
    assert "flows" not in head and flows is result["flows"]
    assert head["annual"] is result["annual"]


def test_interactive_scale_simulates_a_few_thousand_households(short: dict) -> None:
    scale = runs.interactive_scale(short)
    households = short["city"]["population"] / short["city"]["household_size_persons"]
    assert scale * households == pytest.approx(runs.INTERACTIVE_HOUSEHOLDS)
    tiny = {**short, "city": {**short["city"], "population": 1000.0}}
    assert runs.interactive_scale(tiny) == 1.0
    assert runs.run_scale("full", short) == 1.0
    assert runs.run_scale("interactive", short) == scale


def test_replications_give_a_band_and_report_progress(short: dict) -> None:
    reported: list[float] = []
    band = runs.replicate(short, 2, SCALE, lambda share, run, total: reported.append(share), every_steps=6)
    assert band["n"] == 2 and band["years"] == [2025, 2026, 2027]
    assert band["digest"] == state.digest(short)
    for low, high in zip(band["low"]["recycling_rate"], band["high"]["recycling_rate"], strict=True):
        assert low <= high
    assert reported == sorted(reported) and reported[-1] == pytest.approx(1.0)


# ------------------------------------------------------------------ uncertainty band


@pytest.fixture(scope="module")
def island() -> dict:
    """The island workshop to 2035 (a whole city of a few thousand households, fast runs)."""
    return preset_until("island", 2035)


@pytest.fixture(scope="module")
def island_band(island: dict) -> dict:
    fines = copy.deepcopy(island)
    fines["policies"]["burning_enforcement"] = {"start_year": 2026}
    return runs.replicate(state.validated(fines), 4, 1.0, baseline=island)


def test_the_central_run_is_the_run_the_band_is_drawn_around(short: dict, result: dict) -> None:
    """The app's run and a direct run of the same scenario are one run (keys keep their order)."""
    assert list(short["districts"]) != sorted(short["districts"])  # an order sorting would change
    shown = runs.annual_frame(result)
    direct = run_scenario(validate_scenario(short, "test"), seed=3, scale=SCALE).annual
    pd.testing.assert_frame_equal(shown, direct[shown.columns], check_names=False, rtol=1e-5)


def test_the_band_is_the_quantiles_of_runs_on_drawn_parameters_and_seeds(island: dict) -> None:
    """The band is the 5-95 % quantiles over runs on joint draws of parameters and seeds.

    The central line (the run at the parameters' values, default seed) is not one of the draws,
    so it may lie outside a band of a few runs; what is checked is that the band is made of the
    draws, recomputed here run by run.
    """
    band = runs.replicate(island, 6, 1.0)
    assert band["n"] == 6 and band["varied"] > 0
    model_input = validate_scenario(island, "test")
    design = make_design([model_input], 6, DEFAULT_SEED)
    assert len(set(design.seeds)) == 6  # the seeds vary too
    annuals = [
        run_scenario(design.scenario(i, model_input), seed=design.seeds[i], scale=1.0).annual
        for i in range(6)
    ]
    for indicator in ("collection_rate", "recycling_rate", "mismanaged_rate", "ghg_net_t_co2e"):
        values = pd.concat([a[indicator] for a in annuals], axis=1)
        low = pd.Series(band["low"][indicator], index=band["years"])
        high = pd.Series(band["high"][indicator], index=band["years"])
        assert (low < high).all(), indicator
        pd.testing.assert_series_equal(low, values.quantile(0.05, axis=1), check_names=False, rtol=1e-5)
        pd.testing.assert_series_equal(high, values.quantile(0.95, axis=1), check_names=False, rtol=1e-5)


def test_the_band_says_what_it_contains(island_band: dict) -> None:
    label = runs.band_label(island_band)
    assert label == f"5–95 % over 4 runs varying {island_band['varied']} parameters and seeds"
    assert runs.band_label({"quantiles": [0.05, 0.95], "n": 12}) == "5–95 % of 12 runs"
    assert "5–95" in runs.band_label(island_band, "ja") and "4" in runs.band_label(island_band, "km")


def test_the_message_names_households_not_a_fraction_as_a_percent(short: dict) -> None:
    band = {"n": 10, "varied": 41, "households": 5000, "scale": runs.interactive_scale(short)}
    message = runs.band_message(band)
    assert "10 runs of 5,000 households each (0.85% of the city's)" in message
    assert "varying 41 parameters and seeds" in message


def test_cards_with_a_target_give_the_chance_of_meeting_it(island: dict, island_band: dict) -> None:
    assert set(island_band["chances"]) == {"ghg_net_t_co2e", "mismanaged_rate"}
    assert all(0.0 <= p <= 1.0 for p in island_band["chances"].values())
    result = {"digest": island_band["digest"]}
    cards = [
        Card("ghg_net_t_co2e", "GHG", "-5", "%", "x", "good", "", "", note="10 % of the way"),
        Card("mismanaged_rate", "Mismanaged", "30", "%", "x", "good", "", ""),
        Card("collection_rate", "Collection", "60", "%", "x", "good", "", ""),
    ]
    ghg, mismanaged, collection = runs.with_target_chances(cards, island_band, result)
    chance = format_percent(island_band["chances"]["ghg_net_t_co2e"], decimals=0)
    assert ghg.note == "10 % of the way"
    assert ghg.lines == (f"Chance of meeting the 2035 target: {chance} (over 4 runs)",)
    assert mismanaged.lines[-1].startswith("Chance of meeting an assumed 2035 target (50% below the baseline")
    assert collection == cards[2]
    stale = runs.with_target_chances(cards, island_band, {"digest": "another scenario"})
    assert stale == cards


def test_warm_up_loads_every_compiled_path_a_lever_change_can_take() -> None:
    """After warm_up, in a fresh process, every compiled function a lever change uses is loaded.

    The one-pass and two-pass household kernels, the hand-on, the ledger batch and the market:
    no lever change waits for them.
    """
    probe = (
        "from ui.runs import warm_up; warm_up()\n"
        "from sim import agents, kernels, ledger, market\n"
        "fns = (kernels._choose_serial, kernels._route_serial, agents._hand_on, ledger._apply_batch,"
        " market._clear_all, market._trade_all)\n"
        "print(' '.join(str(len(f.signatures)) for f in fns))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, timeout=300
    )
    counts = [int(n) for n in out.stdout.split()]
    assert len(counts) == 6 and all(n >= 1 for n in counts), out.stdout
