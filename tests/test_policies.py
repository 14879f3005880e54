"""Policy levers: catalogue metadata, timing, validation, and each lever's effect on the model.

Effects are checked against the baseline run with the same seed, for three seeds, in 2030
(levers start in 2026-2029); every seed must move the indicator the documented way.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pytest

from sim import RunResult, ScenarioError, load_scenario, run_scenario
from sim import network as net
from sim.conditions import Conditions
from sim.io import provenance_table
from sim.levers import Lever, Policies, lever_catalogue
from sim.model import PlasticModel

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SEEDS = (1, 2, 3)
SCALE = 0.01
YEAR = 2030
PILLARS = {"circular_economy", "pollution_control", "climate"}


def short(path: Path):
    return load_scenario(path).with_overrides({"time.end_year": YEAR})


@pytest.fixture(scope="module")
def baseline_runs():
    sc = short(SCENARIOS / "phnom_penh_baseline.yaml")
    return {seed: run_scenario(sc, seed=seed, scale=SCALE) for seed in SEEDS}


def material_flow(result, material: str, target_prefix: str) -> float:
    """Tonnes of ``material`` moving into nodes whose name starts with ``target_prefix`` in YEAR."""
    f = result.flows
    rows = f[(f["year"] == YEAR) & (f["material"] == material) & f["target"].str.startswith(target_prefix)]
    return float(rows["tonnes"].sum())


# --------------------------------------------------------------------------- catalogue


def test_every_lever_is_documented_with_units_bounds_and_evidence():
    catalogue = lever_catalogue()
    assert [lever.id for lever in catalogue] == list(Policies.model_fields)
    assert len(catalogue) >= 14
    for lever in catalogue:
        assert lever.pillar in PILLARS, lever.id
        assert lever.label and lever.description and lever.evidence, lever.id
        for p in lever.params:
            assert p.unit and p.description, (lever.id, p.name)
            if isinstance(p.default, float) or p.name in ("start_year", "ramp_years"):
                assert p.minimum is not None and p.maximum is not None, (lever.id, p.name)
                assert p.minimum <= p.default <= p.maximum, (lever.id, p.name)


KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9*]+)+$")
KEY_PREFIXES = (
    "assumption_",
    "derived_",
    "drs_",
    "bag_",
    "pledge_",
    "info_only",
    "recycling_interventions",
    "subdecree",
    "kh_",
    "pp_",
    "jp_",
    "warm_",
    "price_",
    "no_plastic",
)


def cited_keys() -> set[str]:
    """Provenance keys cited by lever evidence, parameter descriptions and the curves' docs."""
    texts = []
    for lever in lever_catalogue():
        texts.append(lever.evidence)
        texts.extend(p.description for p in lever.params)
    cited = set()
    for text in texts:
        for group in re.findall(r"\(([^)]*)\)", text):
            cited.update(
                t for t in re.split(r"[\s,;]+", group) if KEY.match(t) and t.startswith(KEY_PREFIXES)
            )
    behaviour_src = (ROOT / "sim" / "behaviour.py").read_text()
    cited.update(t for t in re.findall(r"``([a-z0-9_]+)``", behaviour_src) if t.startswith(KEY_PREFIXES))
    return cited


def test_every_source_key_levers_and_curves_cite_is_in_the_provenance_table():
    keys = {row["key"] for row in provenance_table()}
    cited = cited_keys()
    assert len(cited) > 20
    missing = sorted(c for c in cited if not any(re.fullmatch(c.replace("*", ".*"), k) for k in keys))
    assert not missing, f"cited but not in data/provenance.csv: {missing}"


def test_each_lever_has_a_scenario_file_and_a_docs_entry():
    docs = (ROOT / "docs" / "levers.md").read_text()
    for lever in lever_catalogue():
        assert (SCENARIOS / f"lever_{lever.id}.yaml").is_file(), lever.id
        assert f"`{lever.id}`" in docs, lever.id


# --------------------------------------------------------------------------- timing


def cond_at(year: int, month: int = 1) -> Conditions:
    return Conditions(
        step=0,
        year=year,
        month=month,
        days=365.25 / 12,
        year_fraction=(month - 1) / 12,
        population=1.0,
        plastic_kg_per_person_step=1.0,
        plastic_share_of_msw=0.2,
        composition=np.full(7, 1 / 7),
        household_price_usd_per_t=np.zeros(7),
        junkshop_price_usd_per_t=np.zeros(7),
        recycler_price_usd_per_t=np.zeros(7),
        export_price_usd_per_t=np.zeros(7),
        income_multiplier=1.0,
        fee_usd_per_household_month=1.0,
        coverage={"a": 0.5},
        leak_multiplier=1.0,
    )


def test_strength_starts_ramps_and_ends():
    lever = Lever(start_year=2030, ramp_years=2, end_year=2035)
    assert lever.strength(cond_at(2029, 12)) == 0
    assert lever.strength(cond_at(2030, 1)) == pytest.approx(1 / 24)
    assert lever.strength(cond_at(2031, 1)) == pytest.approx(13 / 24)
    assert lever.strength(cond_at(2033, 6)) == 1
    assert lever.strength(cond_at(2036, 1)) == 0


def test_a_lever_that_never_starts_changes_nothing(baseline_runs):
    sc = short(SCENARIOS / "lever_deposit_return.yaml").with_overrides(
        {"policies.deposit_return.start_year": YEAR + 1}
    )
    run = run_scenario(sc, seed=SEEDS[0], scale=SCALE)
    assert run.annual.equals(baseline_runs[SEEDS[0]].annual)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        (
            {"deposit_return": {"deposit_usd_per_container": 5}},
            [
                "policies.deposit_return.deposit_usd_per_container",
                "5",
                "less than or equal to 1",
                "USD/container",
            ],
        ),
        (
            {"bag_levy": {"covered_share": -0.1}},
            ["policies.bag_levy.covered_share", "-0.1", "greater than or equal to 0"],
        ),
        (
            {"burning_enforcement": {"fine": 10}},
            ["policies.burning_enforcement.fine", "detection_probability"],
        ),
        ({"carbon_tax": {}}, ["policies.carbon_tax", "carbon_credits"]),
        (
            {"landfill_tax": {"start_year": 2030, "end_year": 2028}},
            ["policies.landfill_tax", "before start_year"],
        ),
        (
            {"single_use_reduction": {"materials": ["glass"]}},
            ["policies.single_use_reduction.materials", "glass"],
        ),
        ({"collection_coverage": {"districts": ["Nowhere"]}}, ["Nowhere", "Chamkar Mon"]),
    ],
)
def test_bad_lever_parameters_give_a_clear_scenario_error(write_scenario, policies, expected):
    path = write_scenario({"policies": policies})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, (fragment, message)


# --------------------------------------------------------------------------- effects


@functools.cache
def lever_run(lever: str, seed: int) -> RunResult:
    """The run of ``scenarios/lever_<lever>.yaml`` to YEAR (cached: tests only read it)."""
    return run_scenario(short(SCENARIOS / f"lever_{lever}.yaml"), seed=seed, scale=SCALE)


def changes(lever: str, indicator: str, baseline_runs) -> list[float]:
    """Lever minus baseline of ``indicator`` in YEAR, one value per seed."""
    return [
        lever_run(lever, seed).annual.at[YEAR, indicator] - baseline_runs[seed].annual.at[YEAR, indicator]
        for seed in SEEDS
    ]


@pytest.mark.parametrize(
    ("lever", "indicator", "sign"),
    [
        ("collection_coverage", "collection_rate", +1),
        ("collection_coverage", "mismanaged_rate", -1),
        ("bag_levy", "film_generated_t", -1),
        ("single_use_reduction", "generated_t", -1),
        ("deposit_return", "collected_informal_t", +1),
        ("epr_fee", "collection_rate", +1),
        ("epr_fee", "generated_t", -1),
        ("recycled_content", "collected_for_recycling_t", +1),
        ("recycling_subsidy", "collected_for_recycling_t", +1),
        ("carbon_credits", "collected_for_recycling_t", +1),
        ("landfill_tax", "households_using_formal_share", -1),
        ("source_separation", "households_separating_rigid_share", +1),
        ("awareness_campaign", "households_separating_pet_share", +1),
        ("informal_integration", "picker_income_usd_per_month", +1),
        ("burning_enforcement", "open_burned_t", -1),
        ("new_facilities", "recycled_t", +1),
    ],
)
def test_each_lever_moves_its_direct_indicator(baseline_runs, lever, indicator, sign):
    diffs = changes(lever, indicator, baseline_runs)
    assert all(sign * d > 0 for d in diffs), diffs


@pytest.mark.parametrize(
    ("lever", "indicator", "sign"),
    [
        # A landfill tax passed on in fees, without enforcement, pushes waste to dumping.
        ("landfill_tax", "dumped_t", +1),
        # Fines against burning, where there is no collection, turn burning into dumping.
        ("burning_enforcement", "dumped_t", +1),
        # Returned bottles bypass itinerant buyers and street pickers.
        ("deposit_return", "itinerant_income_usd", -1),
        ("deposit_return", "picker_income_usd_per_month", -1),
        # Less film put on the market is less film for pickers to sell.
        ("bag_levy", "picker_income_usd_per_month", -1),
    ],
)
def test_documented_side_effects_show(baseline_runs, lever, indicator, sign):
    diffs = changes(lever, indicator, baseline_runs)
    assert all(sign * d > 0 for d in diffs), diffs


def test_deposit_return_raises_pet_recycling_and_tracks_the_money(baseline_runs):
    for seed in SEEDS:
        run = lever_run("deposit_return", seed)
        base = baseline_runs[seed]
        assert material_flow(run, "pet", "secondary_market") > material_flow(base, "pet", "secondary_market")
        year = run.annual.loc[YEAR]
        assert 0 < year["deposit_refunds_usd"] < year["deposits_paid_usd"]
        assert year["unredeemed_deposits_usd"] == pytest.approx(
            year["deposits_paid_usd"] - year["deposit_refunds_usd"]
        )
        assert year["deposit_return_rate"] > base.annual.at[YEAR, "households_separating_pet_share"]
        assert 0 < year["deposit_return_rate"] < 1


def test_pickers_who_may_redeem_deposits_earn_more():
    sc = short(SCENARIOS / "lever_deposit_return.yaml")
    redeem = sc.with_overrides({"policies.deposit_return.picker_redemption_share": 1.0})
    for seed in SEEDS:
        without = lever_run("deposit_return", seed).annual.loc[YEAR]
        with_ = run_scenario(redeem, seed=seed, scale=SCALE).annual.loc[YEAR]
        assert with_["picker_income_usd_per_month"] > without["picker_income_usd_per_month"]
        assert with_["deposit_refunds_usd"] > without["deposit_refunds_usd"]


def test_money_levers_record_their_flows():
    for lever, key in [
        ("epr_fee", "producer_fees_usd"),
        ("recycling_subsidy", "subsidies_usd"),
        ("carbon_credits", "carbon_credit_revenue_usd"),
        ("landfill_tax", "landfill_tax_usd"),
        ("awareness_campaign", "programme_cost_usd"),
    ]:
        years = lever_run(lever, SEEDS[0]).annual
        assert years[key].sum() > 0, lever
        assert years.at[2025, key] == 0, lever  # nothing before the lever starts


def test_new_facilities_join_the_graph_and_close_after_end_year(check_invariants):
    sc = short(SCENARIOS / "lever_new_facilities.yaml").with_overrides(
        {
            "policies.new_facilities.start_year": 2026,
            "policies.new_facilities.end_year": 2028,
            "policies.new_facilities.incinerator_t_msw_per_day": 500,
        }
    )
    names = set(sc.all_facilities())
    assert {"new_mrf", "new_recycler", "new_incinerator"} <= names
    model = PlasticModel(sc, seed=1, scale=SCALE)
    assert net.facility_node("mrf", "new_mrf") in model.graph
    model.run()
    from sim.results import collect

    result = collect(model, 1, 0.0)
    check_invariants(model, result)
    f = result.flows
    into_mrf = f[f["target"] == "mrf:new_mrf"].groupby("year")["tonnes"].sum()
    assert set(into_mrf.index) == {2026, 2027, 2028}
    assert result.annual.at[2027, "energy_recovered_mwh"] > 0


def test_ramp_counts_the_step_length_not_a_month():
    """Weekly steps: the first step of a two-year ramp is one week's worth of strength."""
    lever = Lever(start_year=2030, ramp_years=2)
    weekly = cond_at(2030, 1)
    weekly = type(weekly)(**{**weekly.__dict__, "days": 365.25 / 52, "year_fraction": 0.0})
    assert lever.strength(weekly) == pytest.approx(1 / 52 / 2)
    later = type(weekly)(**{**weekly.__dict__, "year_fraction": 10 / 52})
    assert lever.strength(later) == pytest.approx(11 / 52 / 2)
