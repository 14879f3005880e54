"""Result tables, ``summary.json`` and atomic writing; the public Python API."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import network as net
from sim.errors import OutputError
from sim.materials import MATERIALS
from sim.metrics import INDICATORS
from sim.results import RunResult, is_result_dir

#: Keys every year of ``summary.json`` must have (the stable interface of the issue).
YEAR_KEYS = {
    "generated_t",
    "collected_t",
    "collection_rate",
    "recycled_t",
    "recycling_rate",
    "landfilled_t",
    "incinerated_t",
    "open_burned_t",
    "dumped_t",
    "leaked_to_water_t",
    "mismanaged_rate",
    "ghg_t_co2e",
}
TABLE_NAMES = ("timeseries", "flows", "stocks")


@pytest.fixture(scope="module")
def result(short_run) -> RunResult:
    """The result of the shared short run (read-only)."""
    return short_run[1]


def test_python_api_runs_a_scenario_file(write_scenario):
    from sim import load_scenario, run_scenario

    path = write_scenario({"name": "api", "time": {"end_year": 2025}})
    res = run_scenario(load_scenario(path), seed=5, scale=0.005)
    assert isinstance(res, RunResult)
    assert len(res.timeseries) == 12
    assert list(res.annual.index) == [2025]
    assert res.summary["scenario"] == "api"
    assert res.summary["seed"] == 5
    assert res.summary["scale"] == 0.005


def test_timeseries_columns_carry_units(result, short_baseline):
    ts = result.timeseries
    assert list(ts.columns[:4]) == ["step", "year", "month", "date"]
    assert len(ts) == short_baseline.time.n_steps
    assert ts["step"].tolist() == list(range(len(ts)))
    assert ts["date"].iloc[0] == pd.Timestamp("2025-01-01")
    assert ts["date"].iloc[-1] == pd.Timestamp("2026-12-01")
    unknown = [c for c in ts.columns[4:] if c not in INDICATORS]
    assert not unknown, f"columns without an indicator definition (unit): {unknown}"
    assert set(ts.columns) >= YEAR_KEYS


def test_flows_table(result, short_run):
    model = short_run[0]
    flows = result.flows
    assert list(flows.columns) == ["step", "year", "source", "target", "material", "tonnes"]
    assert set(flows["material"]) <= {m.value for m in MATERIALS}
    assert set(zip(flows["source"], flows["target"], strict=True)) <= set(model.graph.edges)
    assert (flows["tonnes"] > 0).all()
    assert (flows["year"] == 2025 + flows["step"] // 12).all()
    assert not flows.duplicated(["step", "source", "target", "material"]).any()
    generated = flows[flows["source"] == net.CONSUMPTION].groupby("step")["tonnes"].sum()
    np.testing.assert_allclose(generated.to_numpy(), result.timeseries["generated_t"].to_numpy(), rtol=1e-12)


def test_stocks_table_has_every_fate_and_holding_node_every_step(result, short_run):
    model = short_run[0]
    stocks = result.stocks
    assert list(stocks.columns) == ["step", "year", "node", "material", "tonnes"]
    fates = set(net.nodes_of_kind(model.graph, *net.FATE_KINDS))
    holding = set(net.nodes_of_kind(model.graph, *net.HOLDING_KINDS))
    assert holding == {net.AGGREGATORS, net.DEPOSIT_POINTS}
    assert set(stocks["node"]) == fates | holding
    assert {net.OPEN_BURNING, net.DUMPED, net.WATER, net.EXPORT, net.MARKET} <= fates
    assert len(stocks) == model.n_steps * len(fates | holding) * len(MATERIALS)
    # Sinks only grow.
    totals = stocks.groupby(["node", "step"])["tonnes"].sum().unstack("step")
    for sink in (net.OPEN_BURNING, net.DUMPED, net.WATER, net.EXPORT, net.MARKET):
        assert (np.diff(totals.loc[sink].to_numpy()) >= 0).all(), sink


def test_summary(result, short_baseline):
    s = result.summary
    for key in ("scenario", "scenario_hash", "seed", "scale", "versions", "units", "indicators_by_year"):
        assert key in s
    assert s["scenario"] == short_baseline.name
    assert s["scenario_hash"] == short_baseline.digest()
    assert (s["seed"], s["scale"]) == (7, 0.01)
    assert set(s["indicators_by_year"]) == {"2025", "2026"}
    for year, values in s["indicators_by_year"].items():
        missing = YEAR_KEYS - set(values)
        assert not missing, f"{year} lacks {missing}"
        for key in YEAR_KEYS:
            assert math.isfinite(values[key]), (year, key)
        for key in ("collection_rate", "recycling_rate", "mismanaged_rate"):
            assert 0 <= values[key] <= 1
    json.dumps(s)  # serialisable as it stands


def test_annual_sums_tonnes_and_recomputes_rates(result):
    ts, years = result.timeseries, result.annual
    for year in (2025, 2026):
        month = ts[ts["year"] == year]
        assert years.loc[year, "generated_t"] == pytest.approx(month["generated_t"].sum(), rel=1e-12)
        assert years.loc[year, "collection_rate"] == pytest.approx(
            month["collected_t"].sum() / month["generated_t"].sum(), rel=1e-12
        )
        mismanaged = month[["open_burned_t", "dumped_t", "leaked_to_water_t"]].to_numpy().sum()
        assert years.loc[year, "mismanaged_rate"] == pytest.approx(
            mismanaged / month["generated_t"].sum(), rel=1e-12
        )


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_and_read_back(result, tmp_path, fmt):
    out = result.write(tmp_path / "run", fmt)
    assert out == tmp_path / "run"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{fmt}" for n in TABLE_NAMES] + ["summary.json"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temporary folder left
    summary = json.loads((out / "summary.json").read_text())
    assert summary["indicators_by_year"] == result.summary["indicators_by_year"]
    for name in TABLE_NAMES:
        expected = getattr(result, name)
        if fmt == "parquet":
            back = pd.read_parquet(out / f"{name}.parquet")
            pd.testing.assert_frame_equal(back, expected, check_dtype=False)
        else:
            back = pd.read_csv(out / f"{name}.csv")
            assert list(back.columns) == list(expected.columns)
            np.testing.assert_array_equal(back["step"], expected["step"])
            value = "tonnes" if name != "timeseries" else "generated_t"
            np.testing.assert_array_equal(back[value], expected[value])  # floats round-trip exactly


def test_write_replaces_a_previous_result_only_with_force(result, tmp_path):
    out = tmp_path / "run"
    result.write(out, "csv")
    with pytest.raises(OutputError, match="earlier result"):
        result.write(out, "parquet")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.csv" for n in TABLE_NAMES] + ["summary.json"]
    )
    result.write(out, "parquet", force=True)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.parquet" for n in TABLE_NAMES] + ["summary.json"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def fail_on_stocks(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """Make writing the ``stocks`` table fail half-way through a write.

    Args:
        monkeypatch: The test's monkeypatch.
        method: ``to_parquet`` or ``to_csv``.
    """
    original = getattr(pd.DataFrame, method)

    def failing(self, path, *args, **kwargs):
        if Path(path).name.startswith("stocks"):
            Path(path).write_text("half a table")
            raise OSError("disk full")
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, method, failing)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_failed_write_leaves_no_output(result, tmp_path, monkeypatch, fmt):
    fail_on_stocks(monkeypatch, "to_parquet" if fmt == "parquet" else "to_csv")
    with pytest.raises(OSError, match="disk full"):
        result.write(tmp_path / "run", fmt)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_result(result, tmp_path, monkeypatch):
    out = tmp_path / "run"
    result.write(out, "parquet")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    fail_on_stocks(monkeypatch, "to_parquet")
    with pytest.raises(OSError, match="disk full"):
        result.write(out, "parquet", force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def strict_json(text: str) -> object:
    """Parse JSON as the standard defines it: NaN and Infinity are not JSON."""

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_summary_json_is_strict_json(result, tmp_path):
    out = result.write(tmp_path / "run")
    assert strict_json((out / "summary.json").read_text()) == json.loads(json.dumps(result.summary))
    assert is_result_dir(out)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_value_that_is_not_a_finite_number_is_never_written_to_summary_json(result, tmp_path, bad):
    broken = RunResult(result.timeseries, result.record, json.loads(json.dumps(result.summary)))
    broken.summary["indicators_by_year"]["2026"]["recycled_t"] = bad
    with pytest.raises(ValueError, match=r"indicators_by_year\.2026\.recycled_t = .* not a finite number"):
        broken.write(tmp_path / "run")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary folder left


@pytest.mark.parametrize("steps_per_year", [1, 4, 12, 52])
def test_each_step_is_dated_the_first_of_its_month_as_pandas_dates_it(steps_per_year: int) -> None:
    from types import SimpleNamespace

    from sim.results import _date_columns

    n_steps = 3 * steps_per_year + 1
    model = SimpleNamespace(
        n_steps=n_steps,
        scenario=SimpleNamespace(time=SimpleNamespace(start_year=2024, steps_per_year=steps_per_year)),
    )
    table = _date_columns(pd.DataFrame({"x": np.arange(n_steps, dtype=float)}), model)
    expected = pd.to_datetime({"year": table["year"], "month": table["month"], "day": 1})
    pd.testing.assert_series_equal(table["date"], expected, check_names=False)
    assert table["date"].iloc[0] == pd.Timestamp("2024-01-01")
    assert table["date"].iloc[-1] == pd.Timestamp("2027-01-01")
