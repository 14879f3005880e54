"""The lever and assumption panels are built from the model's own metadata."""

from __future__ import annotations

import re

import pytest

from sim.levers import lever_catalogue
from ui import controls, state


@pytest.fixture(scope="module")
def baseline() -> dict:
    return state.load_preset("baseline")


def test_every_lever_of_the_catalogue_is_in_the_panel_grouped_by_pillar() -> None:
    specs = controls.lever_specs(2025, 2050)
    assert [s.id for s in specs] == [info.id for info in lever_catalogue()]
    grouped = controls.levers_by_pillar(specs)
    assert list(grouped)[: len(controls.PILLARS)] == list(controls.PILLARS)
    for pillar, levers in grouped.items():
        assert all(lever.pillar == pillar for lever in levers)
    assert sum(len(v) for v in grouped.values()) == len(specs)


def test_lever_parameters_carry_units_ranges_and_explanations() -> None:
    specs = {s.id: s for s in controls.lever_specs(2025, 2050)}
    lever = specs["collection_coverage"]
    assert lever.description and lever.evidence
    info = next(i for i in lever_catalogue() if i.id == "collection_coverage")
    assert (lever.label, lever.description) == (info.label, info.description)
    # The evidence is the model's, without the source keys of data/provenance.csv.
    assert lever.evidence == controls.plain(info.evidence) and "(pp_" not in lever.evidence
    assert "pp_collection_coverage_pop" in info.evidence
    params = {p.key: p for p in lever.params}
    coverage = params["target_coverage"]
    assert (coverage.unit, coverage.low, coverage.high, coverage.factor) == ("%", 0, 100, 100)
    assert coverage.description
    assert coverage.description == controls.plain(
        next(p.description for p in info.params if p.name == "target_coverage")
    )
    assert controls.to_display(coverage, 0.95) == pytest.approx(95)
    assert controls.from_display(coverage, 95) == pytest.approx(0.95)
    # Years are bounded by the simulated horizon, not the schema's 2000-2100.
    start = params["start_year"]
    assert (start.low, start.high, start.integer) == (2025, 2050, True)
    assert controls.from_display(start, 2031.4) == 2031
    # Lists (districts) have no simple control: they stay as the scenario sets them.
    assert "districts" not in params


def test_every_lever_parameter_control_has_a_valid_range() -> None:
    for lever in controls.lever_specs(2025, 2050):
        for p in lever.params:
            if p.kind == "slider":
                assert p.low < p.high, (lever.id, p.key)
                assert 0 < p.step <= p.high - p.low, (lever.id, p.key)


@pytest.mark.parametrize(
    ("span", "integer", "expected"),
    [
        (100, False, 1),
        (2, False, 0.02),
        (30, True, 1),
        (5000, False, 50),
        (0.9, False, 0.01),
        (1e9, False, 1e7),
    ],
)
def test_nice_step(span: float, integer: bool, expected: float) -> None:
    assert controls.nice_step(span, integer) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("levy_usd_per_bag", "Levy"),
        ("target_coverage", "Target coverage"),
        ("fee_usd_per_t", "Fee"),
        ("covered_share_of_pet", "Covered share of PET"),
        ("mrf_t_msw_per_day", "MRF"),
        ("repeat_every_years", "Repeat every"),
    ],
)
def test_humanize(name: str, label: str) -> None:
    assert controls.humanize(name) == label


@pytest.mark.parametrize(
    ("material", "label"),
    [("pet", "PET"), ("hdpe", "HDPE"), ("ps_foam", "PS foam"), ("film", "Film"), ("low_value", "Low value")],
)
def test_material_labels(material: str, label: str) -> None:
    assert controls.material_label(material) == label


def test_labels_write_polymer_codes_in_capitals(baseline: dict) -> None:
    labels = [p.label for lever in controls.lever_specs(2025, 2050) for p in lever.params]
    labels += [spec.label for _, spec in controls.assumption_specs(baseline)]
    codes = {"pet", "hdpe", "pp", "ps", "mrf", "msw"}
    assert [label for label in labels if codes & set(re.split(r"[^A-Za-z]+", label))] == []
    assert "PET waste carrying a deposit" in labels and "Sorting plant" in labels
    specs = {spec.key: spec for _, spec in controls.assumption_specs(baseline)}
    assert specs["behaviour.separation_intercept.pet"].label.endswith("mixed waste (PET)")
    assert specs["behaviour.separation_intercept.low_value"].label.endswith("(low value)")
    assert specs["materials.ps_foam.recycler_price_usd_per_t"].label.startswith("PS foam: Price recyclers pa")


def test_assumptions_span_their_plausible_range_and_name_their_source(baseline: dict) -> None:
    specs = dict((spec.key, (section, spec)) for section, spec in controls.assumption_specs(baseline))
    assert not any(key.startswith("time.") for key in specs)
    section, growth = specs["city.income_growth_per_yr"]
    assert section == "city"
    assert growth.unit == "1/year"
    assert (growth.low, growth.high) == (0.02, 0.06)
    assert growth.source  # from data/provenance.csv
    assert growth.source == "ASSUMPTION"  # the source text of its provenance row, not the row's key
    for key, (_, spec) in specs.items():
        if spec.kind == "slider":
            value = controls.to_display(spec, state.value_at(baseline, key))
            assert spec.low <= value <= spec.high, key


def test_material_prices_are_assumptions_too(baseline: dict) -> None:
    prices = [spec for section, spec in controls.assumption_specs(baseline) if section == "prices"]
    materials = {spec.key.split(".")[1] for spec in prices}
    assert materials == set(baseline["materials"])
    assert all(spec.unit == "USD/t" and spec.kind == "number" for spec in prices)


def test_field_meta_reads_units_from_the_schema() -> None:
    unit, description = controls.field_meta("behaviour.separation_intercept.pet")
    assert unit == "logit"
    assert description.endswith("(pet)")
    assert controls.field_meta("city.plastic_share_of_msw")[0] == "fraction"


@pytest.mark.parametrize(
    ("value", "label"), [(2.3e6, "2.3 M"), (0.005, "0.005"), (100, "100"), (2050, "2050")]
)
def test_slider_end_labels(value: float, label: str) -> None:
    from ui.panels import mark_label

    assert mark_label(value) == label


def test_levers_speak_the_language_of_the_page() -> None:
    from sim.i18n import t
    from ui.text import use_language

    with use_language("ja"):
        specs = {s.id: s for s in controls.lever_specs(2025, 2050)}
    deposit = specs["deposit_return"]
    assert deposit.label == t("lever.deposit_return.label", "ja")
    assert deposit.evidence == t("lever.deposit_return.evidence", "ja")
    params = {p.key: p for p in deposit.params}
    assert params["deposit_usd_per_container"].label == t(
        "lever.deposit_return.deposit_usd_per_container.label", "ja"
    )
    assert params["deposit_usd_per_container"].unit == t("unit.USD/container", "ja")
    assert params["start_year"].label == t("param.start_year.label", "ja")


def test_plain_drops_source_keys_and_code_names() -> None:
    text = "Lithuania 2016: PET return 92% (drs_lithuania_*); curve in sim.behaviour.deposit_return_rate."
    assert controls.plain(text) == "Lithuania 2016: PET return 92%."
    assert (
        controls.plain("New facilities opening in ``start_year``.") == "New facilities opening in start year."
    )
    cited = "Fitted on 27 schemes (data/behaviour, docs/behaviour.md): ceilings (pp_signup; 30-50% sign up)."
    assert controls.plain(cited) == "Fitted on 27 schemes: ceilings (30-50% sign up)."
    assert controls.plain("A fee of EUR 0.027/container (1996).") == "A fee of EUR 0.027/container (1996)."


def test_lever_specs_are_built_once_per_language_and_years_and_never_mixed() -> None:
    from ui.text import use_language

    english = controls.lever_specs(2025, 2050)
    with use_language("km"):
        khmer = controls.lever_specs(2025, 2050)
    with use_language("ja"):
        japanese = controls.lever_specs(2025, 2050)
    assert [s.label for s in khmer] != [s.label for s in english] != [s.label for s in japanese]
    assert controls.lever_specs(2025, 2050) == english  # the same texts again, in English
    later = {s.id: s for s in controls.lever_specs(2030, 2040)}["collection_coverage"]
    start = next(p for p in later.params if p.key == "start_year")
    assert (start.low, start.high) == (2030, 2040)  # year bounds follow the years asked for
    english.clear()  # a caller's list is its own
    assert controls.lever_specs(2025, 2050)
