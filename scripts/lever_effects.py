"""Measure each single lever's effect in 2035 against the baseline, with 90 % intervals over seeds.

Runs ``scenarios/phnom_penh_baseline.yaml`` and every ``scenarios/lever_*.yaml`` for the same
seeds (common random numbers, so each lever's effect is a paired difference), and writes a
Markdown table of the mean effect and its 90 % interval (Student's t over the seeds) on the
recycling rate, the mismanaged share, the PET market price, recycling capacity, exports and
waste pickers' income, beside the evidence each effect should be read against. Nothing is
tuned: the table is whatever the mechanisms give.

Usage::

    python scripts/lever_effects.py [--scale 0.1] [--seeds 5] [--workers 2] [--out docs/lever_effects.md]

The table is also put between the ``lever-effects`` markers of ``docs/levers.md``.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim import load_scenario, run_scenario

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2035
#: Indicator, heading, how a difference is shown.
COLUMNS = [
    ("recycling_rate", "Recycling rate", "pp"),
    ("mismanaged_rate", "Mismanaged share", "pp"),
    ("recycler_price_pet_usd_per_t", "PET price (USD/t)", "abs"),
    ("recycling_capacity_t_per_day", "Recycling capacity (t/day)", "abs"),
    ("exported_t", "Exports (t)", "abs"),
    ("picker_income_usd_per_month", "Picker income (USD/month)", "abs"),
]
#: What each lever's effect should be read against (sources in data/provenance.csv).
EVIDENCE = {
    "lever_deposit_return": "Returned containers are sold and recycled in every scheme of the behaviour panel "
    "(data/behaviour): here the operator sells them and recyclers expand to take them; a deposit can take "
    "pickers' income (Kiribati, Ecuador notes).",
    "lever_epr_fee": "Japan: producer fees funded PET recycling from 3.5 % (1996) to 77 % (2010) "
    "(jp_cprl_pro_cost_vs_municipal).",
    "lever_recycling_subsidy": "Prices drive informal recovery (price_pet_to_street_picker, pp_scrap_dealers): "
    "higher prices, more picking and recycling.",
    "lever_recycled_content": "Mandates raise recyclate prices (assumption_recycled_content_premium): higher "
    "prices down the chain, more recycling.",
    "lever_carbon_credits": "JCM credits add a few USD per tonne (warm_recycling_net_*): a small effect.",
    "lever_export_restriction": "2018 import bans in Vietnam and Thailand (kh_plastic_exported_2017): exports "
    "stop and local prices fall at first (tests/test_market.py); by 2035 domestic capacity built on the low "
    "prices takes the exported tonnes.",
    "lever_collection_coverage": "Households without service burn or dump (kh_share_unmanaged_derived): "
    "mismanaged share falls.",
    "lever_source_separation": "Japan's municipal separation collects 94 % of PET (jp_pet_collection_rate_fy2022).",
    "lever_landfill_tax": "Fee non-payment is the main barrier to collection (pp_service_signup_rate): a tax "
    "passed on in fees can raise dumping.",
    "lever_bag_levy": "Bag charges cut bags where charged (data/behaviour); film is a low-value stream.",
    "lever_awareness_campaign": "Pledge field study: +9.5 pp sorting at first, +4.8 pp in the long run "
    "(pledge_effect_sorting_longrun).",
    "lever_informal_integration": "Small dealers earn about 100 USD/month (pp_scrap_dealers); cooperatives raise "
    "pickers' access and prices (labelled assumptions).",
    "lever_burning_enforcement": "Burning moves to dumping where there is no collection "
    "(assumption_enforcement_response); recycling is not its aim.",
    "lever_single_use_reduction": "Less film and foam put on the market; the recycling rate rises only through "
    "its denominator.",
    "lever_new_facilities": "A recycler of 100 t/day exists (pp_recycler_lim_vanny_capacity): new capacity "
    "raises recycling if supply follows.",
}


def _run(job: tuple[str, int, float]) -> tuple[str, int, dict[str, float]]:
    path, seed, scale = job
    sc = load_scenario(path).with_overrides({"time.end_year": YEAR})
    year = run_scenario(sc, seed=seed, scale=scale).annual.loc[YEAR]
    return Path(path).stem, seed, {k: float(year[k]) for k, _, _ in COLUMNS}


def _cell(diffs: np.ndarray, kind: str) -> str:
    mean = diffs.mean()
    half = (
        stats.t.ppf(0.95, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    )
    if kind == "pp":
        return f"{100 * mean:+.1f} [{100 * (mean - half):+.1f}, {100 * (mean + half):+.1f}]"
    return f"{mean:+,.0f} [{mean - half:+,.0f}, {mean + half:+,.0f}]"


def main() -> None:
    """Run the lever library and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "lever_effects.md")
    args = parser.parse_args()
    paths = [
        ROOT / "scenarios" / "phnom_penh_baseline.yaml",
        *sorted((ROOT / "scenarios").glob("lever_*.yaml")),
    ]
    jobs = [(str(p), seed, args.scale) for p in paths for seed in range(1, args.seeds + 1)]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(_run, jobs))
    seconds = time.perf_counter() - start
    table = pd.DataFrame([{"scenario": s, "seed": k, **v} for s, k, v in rows]).set_index(
        ["scenario", "seed"]
    )
    base = table.loc["phnom_penh_baseline"]
    lines = [
        f"Effect of each single lever in {YEAR} against the Phnom Penh baseline: mean over {args.seeds} seeds "
        f"(paired, same seeds) and 90 % interval, scale {args.scale} "
        f"({len(jobs)} runs in {seconds:.0f} s on {args.workers} workers). "
        "Made by `python scripts/lever_effects.py`; do not edit by hand.",
        "",
        "| Baseline | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
        "| value | "
        + " | ".join(
            f"{100 * base[k].mean():.1f} %" if kind == "pp" else f"{base[k].mean():,.0f}"
            for k, _, kind in COLUMNS
        )
        + " |",
        "",
        "| Lever | " + " | ".join(h for _, h, _ in COLUMNS) + " | Evidence to read it against |",
        "|---|" + "---|" * (len(COLUMNS) + 1),
    ]
    for path in paths[1:]:
        name = path.stem
        diffs = table.loc[name] - base
        cells = [_cell(diffs[k].to_numpy(), kind) for k, _, kind in COLUMNS]
        lines.append(f"| `{name}.yaml` | " + " | ".join(cells) + f" | {EVIDENCE.get(name, '')} |")
    lines.append("")
    lines.append(
        "Rates in percentage points (pp), the others in their units; [low, high] is the 90 % interval of "
        "the mean paired difference over seeds. Paired runs share their random numbers, so these intervals "
        "are narrow: they hold the agents' sampling noise only. For the uncertainty of the assumptions and "
        "fitted behaviour parameters, run `python -m sim compare scenarios/phnom_penh_baseline.yaml "
        "scenarios/lever_<id>.yaml --uncertainty 20` ([uncertainty.md](uncertainty.md))."
    )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table.to_csv(args.out.with_suffix(".csv"))
    _splice(ROOT / "docs" / "levers.md", "\n".join(lines))
    print("\n".join(lines))
    print(f"written: {args.out} and {args.out.with_suffix('.csv')} ({len(jobs)} runs, {seconds:.0f} s)")


def _splice(path: Path, text: str) -> None:
    """Put ``text`` between the lever-effects markers of ``path``."""
    start, end = "<!-- lever-effects:start -->", "<!-- lever-effects:end -->"
    doc = path.read_text(encoding="utf-8")
    if start in doc and end in doc:
        head, rest = doc.split(start, 1)
        _, tail = rest.split(end, 1)
        path.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
