"""Regenerate ``tests/golden/baseline.json``, the seeded golden values of the baseline.

When to run it: after a deliberate change that moves the baseline's numbers (a model rule, the
calibration in ``data/``, the baseline scenario), once you understand why they moved. Never run
it just to make ``tests/test_golden.py`` pass. Commit the new ``baseline.json`` together with the
change that caused it and say in the commit message which indicators moved and why.

How::

    .venv/bin/python tests/golden/regenerate.py [--dry-run] [--allow-drop] [--allow-widen]

It prints, for every indicator and year, the old value, the new one and the move in units of
the old tolerance (``+2.3 tol``: the new value is 2.3 old tolerances above the old one), and
every tolerance that changed. It refuses (exit 2, nothing written) to drop an indicator or a
year the old file had unless given ``--allow-drop``, and to widen any tolerance unless given
``--allow-widen``: both weaken the test, and the commit must say why. ``--dry-run`` prints the
comparison and writes nothing. The file records the commit the values were measured on (and
whether the working tree had uncommitted changes) and the versions of Python and the libraries.

What is stored: the Phnom Penh baseline (``scenarios/phnom_penh_baseline.yaml``), seed 42, scale
0.1 (about 60,000 households), its full horizon (2025-2050, monthly); the headline indicators of ``INDICATORS`` in the
years of ``YEARS``, each with the absolute tolerance the test allows.

Tolerances: the same run repeated gives identical numbers, so a tolerance only has to absorb
what legitimately moves a seeded result without changing the model: floating-point differences
between machines and library versions, which at the float32 precision of the household arrays
can flip a rare household decision and from there reshuffle the random stream, and refactors
that draw the same random numbers in another order. In both cases the new result is another
draw from the same distribution as the golden one. So the tolerance of each indicator in each
year is set from the spread of that distribution, measured here over ``N_SEEDS`` other seeds:

    tolerance = max(Z * sd, RTOL_FLOOR * |value|, ATOL_FLOOR)

with ``Z = 4 * sqrt(2)``: the golden value and a re-run are two independent draws, so their
difference has standard deviation ``sqrt(2) * sd``, and four of those leave a false alarm
chance well under 1e-3 per value. ``RTOL_FLOOR = 1e-6`` covers values that do not depend on the
draw at all (generation is deterministic at city scale: its spread is ~1e-10), and
``ATOL_FLOOR = 1e-6`` (in the indicator's unit) covers values that are exactly zero. A change to
the model's behaviour larger than about 5.7 standard deviations of sampling noise fails the test.
At scale 0.1 that is a relative change of about 1 % in collection, landfilling, informal income
and the collection rate; 3-5 % in open burning, leakage and GHG (a household's burning
propensity is fixed, so this is the noisiest route); under 0.1 % in generation, recycling and
export (deterministic, or held at a capacity). The script prints the range for each indicator.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from sim import __version__, load_scenario, run_scenario  # noqa: E402
from sim.atomic import write_json  # noqa: E402
from sim.results import versions  # noqa: E402

SCENARIO = "scenarios/phnom_penh_baseline.yaml"
SEED = 42
SCALE = 0.1
N_SEEDS = 10  # seeds 1..N_SEEDS measure the sampling spread
Z = 4 * math.sqrt(2)
RTOL_FLOOR = 1e-6
ATOL_FLOOR = 1e-6
YEARS = (2025, 2030, 2035, 2040, 2045, 2050)
INDICATORS = (
    "generated_t",
    "collected_t",
    "collection_rate",
    "collected_for_recycling_rate",
    "recycled_t",
    "recycling_rate",
    # exported_t is left out: once recyclers expand, export is a small residual whose
    # seed-to-seed spread is too wide for a useful tolerance.
    "landfilled_t",
    "incinerated_t",
    "open_burned_t",
    "dumped_t",
    "leaked_to_water_t",
    "mismanaged_rate",
    "ghg_t_co2e",
    "ghg_net_t_co2e",
    "informal_income_usd",
    "households_served_share",
    "landfill_remaining_msw_t",
)
OUTPUT = HERE / "baseline.json"
#: A value whose tolerance would exceed this share of it (or of 1, for values near 0) cannot
#: test anything: its seed-to-seed spread is too wide, typically in the year a landfill fills
#: (some seeds before, some after). It is left out, and reported as dropped.
MAX_TOLERANCE_SHARE = 0.25


def headline(seed: int) -> dict[int, dict[str, float]]:
    """The stored indicators of one baseline run.

    Args:
        seed: Random seed.

    Returns:
        ``{year: {indicator: value}}``.
    """
    result = run_scenario(load_scenario(ROOT / SCENARIO), seed=seed, scale=SCALE)
    annual = result.annual
    return {year: {name: float(annual.loc[year, name]) for name in INDICATORS} for year in YEARS}


Values = dict[str, dict[str, dict[str, float]]]  # year -> indicator -> value, tolerance, seed_sd


def measure() -> Values:
    """Run the golden seed and the spread seeds: every stored value with its tolerance."""
    golden = headline(SEED)
    spread = [headline(seed) for seed in range(1, N_SEEDS + 1)]
    values: Values = {}
    for year in YEARS:
        values[str(year)] = {}
        for name in INDICATORS:
            value = golden[year][name]
            sd = statistics.stdev(run[year][name] for run in spread)
            tolerance = max(Z * sd, RTOL_FLOOR * abs(value), ATOL_FLOOR)
            if tolerance > MAX_TOLERANCE_SHARE * max(abs(value), 1.0):
                continue  # too spread to test anything (see MAX_TOLERANCE_SHARE)
            values[str(year)][name] = {"value": value, "tolerance": tolerance, "seed_sd": sd}
    return values


@dataclass
class Changes:
    """What a regeneration changes against the old file."""

    lines: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    widened: list[str] = field(default_factory=list)


def compare(old: Values, new: Values) -> Changes:
    """Old -> new for every stored value, moves in units of the old tolerance.

    Args:
        old: The ``values`` of the old golden file (empty if there is none).
        new: The newly measured values.

    Returns:
        One printable line per value, and the cells dropped and the tolerances widened.
    """
    changes = Changes()
    for year in sorted(set(old) | set(new)):
        for name in dict.fromkeys([*old.get(year, {}), *new.get(year, {})]):
            was, now = old.get(year, {}).get(name), new.get(year, {}).get(name)
            cell = f"{year} {name}"
            if now is None:
                changes.dropped.append(cell)
                changes.lines.append(f"  {cell}: {was['value']:.6g} -> DROPPED")
                continue
            if was is None:
                changes.lines.append(f"  {cell}: new, {now['value']:.6g} (tolerance {now['tolerance']:.3g})")
                continue
            moved = (now["value"] - was["value"]) / was["tolerance"]
            line = f"  {cell}: {was['value']:.6g} -> {now['value']:.6g} ({moved:+.2f} tol)"
            if now["tolerance"] != was["tolerance"]:
                line += f"; tolerance {was['tolerance']:.3g} -> {now['tolerance']:.3g}"
                if now["tolerance"] > was["tolerance"]:
                    changes.widened.append(f"{cell} (x{now['tolerance'] / was['tolerance']:.3g})")
                    line += " WIDER"
            changes.lines.append(line)
    return changes


def provenance() -> dict[str, object]:
    """The commit the values are measured on, and the versions of Python and the libraries."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "versions": versions(),
    }


def main(argv: list[str] | None = None, run: Callable[[], Values] = measure, output: Path = OUTPUT) -> int:
    """Measure the golden values, compare them with the old file, and write it if allowed.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).
        run: Measures the values (the baseline runs, by default).
        output: The golden file.

    Returns:
        The exit code: 0 written (or a dry run), 2 refused.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allow-drop", action="store_true", help="allow dropping an indicator or year")
    parser.add_argument("--allow-widen", action="store_true", help="allow widening a tolerance")
    parser.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    args = parser.parse_args(argv)
    old = json.loads(output.read_text(encoding="utf-8"))["values"] if output.is_file() else {}
    values = run()
    changes = compare(old, values)
    print("old -> new (move in units of the old tolerance):")
    print("\n".join(changes.lines))
    refusals = []
    if changes.dropped and not args.allow_drop:
        refusals.append(f"drops {', '.join(changes.dropped)}; pass --allow-drop if that is intended")
    if changes.widened and not args.allow_widen:
        refusals.append(
            f"widens the tolerance of {', '.join(changes.widened)}; pass --allow-widen if intended"
        )
    if refusals:
        print(
            f"Refused, {output.name} is unchanged: this regeneration " + "; it ".join(refusals) + ".",
            file=sys.stderr,
        )
        return 2
    if args.dry_run:
        print(f"dry run: {output.name} is unchanged")
        return 0
    document = {
        "about": "Seeded golden values of the baseline; see tests/golden/regenerate.py for when and how to regenerate.",
        "scenario": SCENARIO,
        "seed": SEED,
        "scale": SCALE,
        "model_version": __version__,
        **provenance(),
        "spread_seeds": list(range(1, N_SEEDS + 1)),
        "z": Z,
        "rtol_floor": RTOL_FLOOR,
        "atol_floor": ATOL_FLOOR,
        "values": values,
    }
    write_json(output, document, indent=1)
    print(f"wrote {output}")
    for name in dict.fromkeys(n for cells in values.values() for n in cells):
        cells = [c[name] for c in values.values() if name in c]
        relative = [c["tolerance"] / abs(c["value"]) for c in cells if abs(c["value"]) > 1e3 * ATOL_FLOOR]
        shown = f"{min(relative):.2%} to {max(relative):.2%}" if relative else "zero (absolute 1e-6)"
        print(f"  {name}: relative tolerance {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
