"""The baseline loads and a short run balances."""

from sim import default_scenario, run_scenario


def test_short_run_generates_and_balances():
    sc = default_scenario().with_overrides({"time.end_year": 2026})
    result = run_scenario(sc, seed=1, scale=0.02)
    years = result.annual
    assert list(years.index) == [2025, 2026]
    assert (years["generated_t"] > 0).all()
