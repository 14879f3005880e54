"""Model runs for the app: compact results, memo, replication bands."""

from __future__ import annotations

import json

import pytest

from ui import runs, state

SCALE = 0.002


@pytest.fixture(scope="module")
def short() -> dict:
    """The baseline cut to 2025-2027."""
    data = state.load_preset("baseline")
    data["time"]["end_year"] = 2027
    return state.validated(data)


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
