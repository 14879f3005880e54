"""Fitting the deposit-return and bag-charge responses on the cross-jurisdiction panel.

The panel (``data/behaviour/``, copied from the shared reference with its sources) pairs a charge
with an outcome: a deposit in days of GDP per capita with a container return rate, a carrier-bag
charge with the reported cut in bag use. This module turns those rows into arrays, fits the
response curves of :mod:`sim.behaviour` by maximum likelihood in logit space (normal residuals,
censored likelihood for bounds such as "<50"), bootstraps them over jurisdictions and
cross-validates them leaving one jurisdiction out. ``python -m sim behaviour fit`` writes the result
to ``data/behaviour_fit.csv``, the only place the model reads fitted numbers from.

Functions are pure except the readers and the writer at the boundary (:func:`read_pairs`,
:func:`read_settings`, :func:`write_fit`). Every charge is in days of GDP per capita of the price
year, the panel's income measure (see ``docs/behaviour.md``).

Time since launch comes from the ``label`` column (:func:`parse_label`); the forms read are listed
there and in ``docs/behaviour.md``.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim import behaviour as bh
from sim.atomic import write_file
from sim.errors import DataError
from sim.io import behaviour_replicates, read_csv

BEHAVIOUR_DIR = Path(__file__).resolve().parent.parent / "data" / "behaviour"
FIT_FILE = BEHAVIOUR_DIR.parent / "behaviour_fit.csv"

DEPOSIT_COLUMNS = [
    "case_id",
    "jurisdiction",
    "price_year",
    "deposit_usd",
    "deposit_days_gdppc",
    "outcome_year",
    "outcome_measure",
    "outcome_value",
    "label",
    "return_model",
]
BAG_COLUMNS = [
    "case_id",
    "jurisdiction",
    "price_year",
    "charge_usd",
    "charge_days_gdppc",
    "outcome_year",
    "outcome_measure",
    "outcome_value",
    "label",
]
FIT_COLUMNS = ["curve", "parameter", "replicate", "value", "unit"]
SETTINGS_COLUMNS = ["key", "value", "unit", "notes"]
#: The panel files of each curve (shared extract first, then the project's additions).
PANEL_FILES = {
    "deposit": ("pairs_deposit.csv", "additions_deposit.csv"),
    "bags": ("pairs_bags.csv", "additions_bags.csv"),
}
CURVES = ("deposit", "bags")
MEASURES = {"deposit": "deposit_return_rate", "bags": "bag_use_cut"}


# --------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class Window:
    """The period an outcome covers, in years since launch (or since a change of the charge)."""

    start_years: float
    end_years: float
    after_change: bool = False


#: A mature scheme: no ramp-up left.
MATURE = Window(math.inf, math.inf)


class LabelError(ValueError):
    """A label names a time since launch in a form :func:`parse_label` does not read."""


_NUM = r"(\d+(?:\.\d+)?)"
_TIME_WORD = re.compile(r"(year|yr|month|half|week|day)")


def _checked(start: float, end: float, label: str, after: bool = False) -> Window:
    if not 0 <= start < end:
        raise LabelError(f"label {label!r}: the time since launch must be positive")
    return Window(start, end, after)


def parse_label(label: str) -> Window:
    """Read the period an outcome covers from a panel ``label``.

    Forms (case-insensitive, first match wins; unit fragments such as ``/yr`` are ignored):

    - ``mature ...`` or ``before ...``: mature (no ramp-up);
    - ``first half-year``: years 0-0.5; ``first month``: 0-1/12;
    - ``N-M month ...`` (a trial): 0 to M months;
    - ``N months``: 0 to N months since launch; ``N months after``: since a change of the deposit;
    - ``yearN-M`` / ``yrN-M``: from the start of year N to the end of year M;
    - ``yearN H1`` / ``yearN H2``: the first or second half of year N;
    - ``yearN`` / ``yrN`` / ``~yrN``: year N (N - 1 to N years);
    - ``N yrs after ...`` / ``N yr after ...``: the N-th year after a change of the deposit;
      ``~N yrs``: the N-th year since launch;
    - anything else without a time word (``post-covid``, ``self-reported``, ...): mature.

    Raises:
        LabelError: If the label has a time word (year, yr, month, half, week, day) in a form
            not listed above, or a time that is not positive.
    """
    text = re.sub(r"/\s*[a-z]+", "", label.strip().lower())
    if re.search(r"\b(mature|before)\b", text):
        return MATURE
    if "first half-year" in text:
        return Window(0.0, 0.5)
    if "first month" in text:
        return Window(0.0, 1 / 12)
    if m := re.search(rf"{_NUM}\s*-\s*{_NUM}\s*months?\b", text):
        return _checked(0.0, float(m[2]) / 12, label)
    if m := re.search(rf"{_NUM}\s*months?\b(\s+after)?", text):
        return _checked(0.0, float(m[1]) / 12, label, after=bool(m[2]))
    if m := re.search(rf"\b(?:year|yr)\s*{_NUM}\s*-\s*{_NUM}\b", text):
        return _checked(float(m[1]) - 1, float(m[2]), label)
    if m := re.search(rf"\b(?:year|yr)\s*{_NUM}\s+h([12])\b", text):
        start = float(m[1]) - 1 + (int(m[2]) - 1) / 2
        return _checked(start, start + 0.5, label)
    if m := re.search(rf"(?:\b|~)(?:year|yr)\s*{_NUM}", text):
        return _checked(float(m[1]) - 1, float(m[1]), label)
    if m := re.search(rf"{_NUM}\s*yrs?\b(\s+after)?", text):
        return _checked(float(m[1]) - 1, float(m[1]), label, after=bool(m[2]))
    if _TIME_WORD.search(text):
        raise LabelError(
            f"label {label!r} names a time since launch in a form that cannot be read; allowed: "
            "'mature', 'before', 'first half-year', 'first month', 'N-M month', 'N months (after)', "
            "'yearN', 'yrN', 'yearN-M', 'yearN H1', 'N yrs after', '~N yrs', or no time word (mature)"
        )
    return MATURE


# --------------------------------------------------------------------------- cases


def parse_return_model(text: str) -> str | None:
    """The return model named by ``text`` (``retail``, ``depot``, ``centres``, ``mixed``), or None.

    ``retail (RVM hubs)`` is retail, ``collection centres`` is centres; a text naming both
    retail and depots or centres is mixed.
    """
    t = text.lower()
    retail = "retail" in t
    depot = "depot" in t
    centres = "centre" in t or "center" in t
    if "mixed" in t or (retail and (depot or centres)):
        return "mixed"
    if retail:
        return "retail"
    if depot:
        return "depot"
    if centres:
        return "centres"
    return None


@dataclass(frozen=True)
class Unpredictable:
    """A row the curves cannot predict, and why."""

    case_id: str
    jurisdiction: str
    outcome_year: str
    observed: str
    reason: str


@dataclass
class Cases:
    """Rows of a pairs file the curves can predict, as arrays (one entry per row)."""

    curve: str
    case_id: list[str] = field(default_factory=list)
    jurisdiction: list[str] = field(default_factory=list)
    outcome_year: list[int] = field(default_factory=list)
    days: list[float] = field(default_factory=list)  # charge [days of GDP per capita]
    previous_days: list[float] = field(default_factory=list)  # charge before a change (0 = launch)
    start_years: list[float] = field(default_factory=list)
    end_years: list[float] = field(default_factory=list)
    model: list[str] = field(default_factory=list)  # return model (deposits)
    observed: list[float] = field(default_factory=list)  # [fraction]
    bound: list[int] = field(default_factory=list)  # 0 value, -1 "<" (upper bound), +1 ">"
    gdp_per_capita_usd: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.case_id)

    def subset(self, index: Sequence[int]) -> Cases:
        """The rows at ``index`` (repeats allowed), in that order."""
        out = Cases(self.curve)
        for name in _ROW_FIELDS:
            setattr(out, name, [getattr(self, name)[i] for i in index])
        return out

    def array(self, name: str) -> np.ndarray:
        """A numeric column as a float array."""
        return np.asarray(getattr(self, name), dtype=float)


_ROW_FIELDS = [
    "case_id",
    "jurisdiction",
    "outcome_year",
    "days",
    "previous_days",
    "start_years",
    "end_years",
    "model",
    "observed",
    "bound",
    "gdp_per_capita_usd",
]


def _number(text: str, path: Path, line: int, column: str, *, allow_empty: bool) -> float | None:
    text = text.strip()
    if text == "":
        if allow_empty:
            return None
        raise DataError(f"{path}, line {line}, column {column}: a value is required, the cell is empty.")
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{path}, line {line}, column {column}: {text!r} is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise DataError(f"{path}, line {line}, column {column}: {text!r} must be a finite number >= 0.")
    return value


def parse_outcome(curve: str, measure: str, value: str) -> tuple[float, int] | str:
    """The observed outcome [fraction] and its bound flag, or the reason it cannot be used.

    Deposits: a return rate in percent (``outcome_measure`` names a rate), ``<N`` and ``>N`` are
    bounds. Bags: a cut in percent (``outcome_measure`` starts with ``reduction``), or a count
    before and after (``A -> B``, cut = 1 - B/A) for any measure.
    """
    text = value.strip()
    if curve == "bags" and (m := re.fullmatch(rf"{_NUM}\s*->\s*{_NUM}", text)):
        before, after = float(m[1]), float(m[2])
        if before <= 0 or after > before:
            return f"outcome {text!r}: a count before and after must fall from a positive number"
        return 1.0 - after / before, 0
    wanted = "rate" in measure if curve == "deposit" else measure.startswith("reduction")
    if not wanted:
        what = "a return rate" if curve == "deposit" else "a cut in bag use (reduction_*) or 'A -> B'"
        return f"outcome measure {measure!r} is not {what}"
    m = re.fullmatch(rf"([<>])?\s*{_NUM}", text)
    if m is None:
        return f"outcome {text[:60]!r} is not a number in percent"
    pct = float(m[2])
    if not 0 < pct < 100:
        return f"outcome {pct:g}% is outside (0, 100) (rates above 100% are lags, not behaviour)"
    return pct / 100.0, {"<": -1, ">": 1, None: 0}[m[1]]


def cases_from_rows(
    curve: str, rows: Iterable[dict[str, str]], path: Path
) -> tuple[Cases, list[Unpredictable]]:
    """Turn pairs-file rows into predictable :class:`Cases` and a list of unpredictable rows.

    Raises:
        DataError: If a year or charge cell is not a number (file, line, column and value named).
    """
    usd_col, days_col = (
        ("deposit_usd", "deposit_days_gdppc") if curve == "deposit" else ("charge_usd", "charge_days_gdppc")
    )
    parsed = []
    for line, row in enumerate(rows, start=2):
        outcome_year = _number(row["outcome_year"], path, line, "outcome_year", allow_empty=False)
        price_year = _number(row["price_year"], path, line, "price_year", allow_empty=True)
        usd = _number(row[usd_col], path, line, usd_col, allow_empty=True)
        days = _number(row[days_col], path, line, days_col, allow_empty=True)
        parsed.append((line, row, int(outcome_year or 0), price_year, usd, days))
    cases, skipped = Cases(curve), []
    for _line, row, year, price_year, usd, days in parsed:

        def skip(reason: str, row: dict[str, str] = row, year: int = year) -> None:
            skipped.append(
                Unpredictable(row["case_id"], row["jurisdiction"], str(year), row["outcome_value"], reason)
            )

        if days is None or days <= 0:
            skip(f"no charge in {days_col} (e.g. a price set by each retailer)")
            continue
        outcome = parse_outcome(curve, row["outcome_measure"], row["outcome_value"])
        if isinstance(outcome, str):
            skip(outcome)
            continue
        try:
            window = parse_label(row["label"])
        except LabelError as exc:
            skip(str(exc))
            continue
        model = parse_return_model(row["return_model"]) if curve == "deposit" else "retail"
        if model is None:
            skip(f"return model {row['return_model']!r} unknown; allowed: retail, depot, centres, mixed")
            continue
        previous = 0.0
        if window.after_change:
            earlier = [
                (p[3], p[5])
                for p in parsed
                if p[1]["case_id"] == row["case_id"]
                and p[3] is not None
                and price_year is not None
                and p[3] < price_year
                and p[5]
            ]
            previous = max(earlier)[1] if earlier else 0.0
        cases.case_id.append(row["case_id"])
        cases.jurisdiction.append(row["jurisdiction"])
        cases.outcome_year.append(year)
        cases.days.append(days)
        cases.previous_days.append(previous)
        cases.start_years.append(window.start_years)
        cases.end_years.append(window.end_years)
        cases.model.append(model)
        cases.observed.append(outcome[0])
        cases.bound.append(outcome[1])
        cases.gdp_per_capita_usd.append(365.0 * usd / days if usd else math.nan)
    return cases, skipped


# --------------------------------------------------------------------------- readers (boundary)


def read_rows(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """Rows of a CSV file that must have exactly ``columns``.

    Raises:
        DataError: If the file is missing, unreadable, empty or has other columns.
    """
    rows, found = read_csv(path, "file not found.")
    missing = [c for c in columns if c not in found]
    extra = [c for c in found if c not in columns]
    if missing or extra:
        raise DataError(
            f"{path}: columns must be exactly {columns}; "
            + "; ".join(
                p
                for p in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "")
                if p
            )
            + "."
        )
    if not rows:
        raise DataError(f"{path}: no rows after the header.")
    for line, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{path}, line {line}: the row has a different number of cells than the header.")
    return rows


def read_pairs(path: Path, curve: str) -> tuple[Cases, list[Unpredictable]]:
    """Read a pairs file (columns of ``behaviour_pairs_deposit.csv`` or ``..._bags.csv``)."""
    columns = DEPOSIT_COLUMNS if curve == "deposit" else BAG_COLUMNS
    return cases_from_rows(curve, read_rows(path, columns), path)


def read_panel(curve: str, data_dir: Path = BEHAVIOUR_DIR) -> Cases:
    """The fitting panel of ``curve``: the shared extract plus the project's additions."""
    columns = DEPOSIT_COLUMNS if curve == "deposit" else BAG_COLUMNS
    rows: list[dict[str, str]] = []
    for name in PANEL_FILES[curve]:
        rows.extend(read_rows(data_dir / name, columns))
    cases, _ = cases_from_rows(curve, rows, data_dir / PANEL_FILES[curve][0])
    return cases


@dataclass(frozen=True)
class Settings:
    """Settings of the fit (``data/behaviour/fit_settings.csv``)."""

    bootstrap_replicates: int
    bootstrap_seed: int
    return_model_shrinkage_sd_logit: float
    extrapolation_sd_per_doubling: float


def read_settings(data_dir: Path = BEHAVIOUR_DIR) -> Settings:
    """Read the fit settings."""
    path = data_dir / "fit_settings.csv"
    values: dict[str, float] = {}
    for line, row in enumerate(read_rows(path, SETTINGS_COLUMNS), start=2):
        values[row["key"]] = _number(row["value"], path, line, "value", allow_empty=False) or 0.0
    try:
        return Settings(
            bootstrap_replicates=int(values["bootstrap_replicates"]),
            bootstrap_seed=int(values["bootstrap_seed"]),
            return_model_shrinkage_sd_logit=float(values["return_model_shrinkage_sd_logit"]),
            extrapolation_sd_per_doubling=float(values["extrapolation_sd_per_doubling"]),
        )
    except KeyError as exc:
        raise DataError(f"{path}: key {exc} is missing.") from None


# --------------------------------------------------------------------------- parameters

#: Fitted parameters of each curve and their units, in the order of the optimiser's vector.
PARAMETERS: dict[str, list[tuple[str, str]]] = {
    "deposit": [
        ("ceiling_retail", "fraction"),
        ("ceiling_depot", "fraction"),
        ("ceiling_centres", "fraction"),
        ("logit_at_reference_retail", "logit"),
        ("logit_at_reference_depot", "logit"),
        ("logit_at_reference_centres", "logit"),
        ("slope_per_log_days", "logit per ln(days of GDP per capita)"),
        ("ramp_years", "years"),
        ("residual_sd_logit", "logit"),
    ],
    "bags": [
        ("salience_logit", "logit"),
        ("slope_per_log_days", "logit per ln(days of GDP per capita)"),
        ("residual_sd_logit", "logit"),
    ],
}
#: Parameters of a new place, the same for both curves (see :func:`new_place_shift`).
PLACE_PARAMETERS = [
    ("new_place_z", "standard normal draw"),
    ("extrapolation_sd_per_doubling", "residual sd per doubling"),
    ("panel_max_days", "days of GDP per capita"),
    ("panel_min_gdp_per_capita_usd", "USD/person/year"),
]
_SLOPE_MAX = 20.0
FITTED_MODELS = bh.FITTED_RETURN_MODELS


def _unpack(curve: str, v: np.ndarray) -> dict[str, float]:
    if curve == "bags":
        return {"salience_logit": v[0], "slope_per_log_days": v[1], "residual_sd_logit": math.exp(v[2])}
    out = {}
    for i, m in enumerate(FITTED_MODELS):
        out[f"ceiling_{m}"] = float(bh.logistic(v[i]))
        out[f"logit_at_reference_{m}"] = v[3 + i]
    out.update(slope_per_log_days=v[6], ramp_years=math.exp(v[7]), residual_sd_logit=math.exp(v[8]))
    return out


def _start(curve: str) -> np.ndarray:
    if curve == "bags":
        return np.array([1.0, 0.2, math.log(0.5)])
    return np.array([2.5, 2.5, 2.5, 1.0, 1.0, 1.0, 1.0, math.log(0.5), math.log(0.5)])


def _bounds(curve: str) -> list[tuple[float, float]]:
    if curve == "bags":
        return [(-10, 10), (0, _SLOPE_MAX), (math.log(0.02), math.log(5))]
    return (
        [(-3, 7)] * 3
        + [(-10, 10)] * 3
        + [(0, _SLOPE_MAX), (math.log(0.02), math.log(10)), (math.log(0.02), math.log(5))]
    )


def predict(curve: str, params: dict[str, float], cases: Cases) -> np.ndarray:
    """Predicted outcome of every row [fraction] (return rate, or cut in bag use)."""
    days = cases.array("days")
    if curve == "bags":
        return bh.bag_use_cut(days, params["salience_logit"], params["slope_per_log_days"])
    ceiling = np.empty(len(cases))
    intercept = np.empty(len(cases))
    ceilings = {m: params[f"ceiling_{m}"] for m in FITTED_MODELS}
    intercepts = {m: params[f"logit_at_reference_{m}"] for m in FITTED_MODELS}
    for i, m in enumerate(cases.model):
        ceiling[i], intercept[i] = bh.deposit_curve_for(ceilings, intercepts, m)
    start = cases.array("start_years")
    window = np.where(np.isinf(start), 0.0, cases.array("end_years") - np.where(np.isinf(start), 0.0, start))
    return bh.deposit_return_rate(
        days,
        start,
        ceiling,
        intercept,
        params["slope_per_log_days"],
        params["ramp_years"],
        previous_days=cases.array("previous_days"),
        window_years=window,
    )


def _neg_log_likelihood(v: np.ndarray, curve: str, cases: Cases, settings: Settings) -> float:
    params = _unpack(curve, v)
    p = np.clip(predict(curve, params, cases), 1e-6, 1 - 1e-6)
    sigma = params["residual_sd_logit"]
    z = (bh.logit(cases.array("observed")) - bh.logit(p)) / sigma
    bound = np.asarray(cases.bound)
    from scipy.special import log_ndtr  # imported here: the CLI starts without scipy

    ll = np.where(bound == 0, -0.5 * z**2 - math.log(sigma), log_ndtr(np.where(bound < 0, z, -z)))
    penalty = 0.0
    if curve == "deposit":
        s = settings.return_model_shrinkage_sd_logit
        penalty = 0.5 * float(np.sum((v[1:3] - v[0]) ** 2) + np.sum((v[4:6] - v[3]) ** 2)) / s**2
    return -float(ll.sum()) + penalty


def fit_curve(curve: str, cases: Cases, settings: Settings, start: np.ndarray | None = None) -> np.ndarray:
    """Maximum (penalised) likelihood estimate of a curve's parameter vector on ``cases``."""
    from scipy.optimize import minimize  # imported here: the CLI starts without scipy

    x0 = _start(curve) if start is None else start
    result = minimize(
        _neg_log_likelihood, x0, args=(curve, cases, settings), method="L-BFGS-B", bounds=_bounds(curve)
    )
    return result.x


def fit_parameters(curve: str, cases: Cases, settings: Settings) -> dict[str, float]:
    """The fitted parameters of ``curve`` on ``cases`` by name."""
    return _unpack(curve, fit_curve(curve, cases, settings))


# --------------------------------------------------------------------------- bootstrap and CV


def jurisdiction_index(cases: Cases) -> dict[str, list[int]]:
    """Rows of each jurisdiction, in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(cases.jurisdiction):
        groups.setdefault(name, []).append(i)
    return groups


def bootstrap_draws(cases: Cases, n: int, seed: int) -> list[list[int]]:
    """Row indices of ``n`` cluster-bootstrap samples (jurisdictions drawn with replacement)."""
    groups = list(jurisdiction_index(cases).values())
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n):
        picked = rng.integers(0, len(groups), len(groups))
        draws.append([i for g in picked for i in groups[g]])
    return draws


def place_parameters(curve: str, cases: Cases, settings: Settings, n: int) -> list[dict[str, float]]:
    """The new-place parameters of replicates 0..n (replicate 0: no deviation)."""
    rng = np.random.default_rng([settings.bootstrap_seed, CURVES.index(curve)])
    z = np.concatenate([[0.0], rng.standard_normal(n)])
    income = cases.array("gdp_per_capita_usd")
    common = {
        "extrapolation_sd_per_doubling": settings.extrapolation_sd_per_doubling,
        "panel_max_days": float(np.max(cases.array("days"))),
        "panel_min_gdp_per_capita_usd": float(np.nanmin(income)),
    }
    return [{"new_place_z": float(zk), **common} for zk in z]


def fit_replicates(
    curve: str, cases: Cases, settings: Settings, replicates: Sequence[int] | None = None
) -> dict[int, dict[str, float]]:
    """Fitted parameters of replicate 0 (the point estimate) and of bootstrap replicates.

    Args:
        curve: ``deposit`` or ``bags``.
        cases: The panel.
        settings: Fit settings (number of replicates, seed, priors).
        replicates: Which replicates to fit (default: all, 0..n); the draws do not depend on it.
    """
    n = settings.bootstrap_replicates
    wanted = range(n + 1) if replicates is None else replicates
    draws = bootstrap_draws(cases, n, settings.bootstrap_seed + CURVES.index(curve))
    places = place_parameters(curve, cases, settings, n)
    point = fit_curve(curve, cases, settings)
    out = {}
    for k in wanted:
        v = point if k == 0 else fit_curve(curve, cases.subset(draws[k - 1]), settings, start=point)
        out[k] = {**_unpack(curve, v), **places[k]}
    return out


@dataclass(frozen=True)
class CrossValidation:
    """Leave-one-jurisdiction-out predictions of a curve and their errors."""

    curve: str
    cases: Cases
    predicted: np.ndarray  # [fraction], each row predicted by the fit without its jurisdiction

    @property
    def error_pp(self) -> np.ndarray:
        """Error of each row [percentage points]; for a bound, the distance outside it."""
        return error_pp(self.predicted, self.cases)

    @property
    def mae_pp(self) -> float:
        """Mean absolute error over rows [percentage points]."""
        return float(np.mean(np.abs(self.error_pp)))

    @property
    def worst_pp(self) -> float:
        """Largest absolute error [percentage points]."""
        return float(np.max(np.abs(self.error_pp)))


def error_pp(predicted: np.ndarray, cases: Cases) -> np.ndarray:
    """Predicted minus observed [percentage points]; 0 inside a bound, the excess outside it."""
    diff = 100.0 * (np.asarray(predicted) - cases.array("observed"))
    bound = np.asarray(cases.bound)
    return np.where(bound < 0, np.maximum(diff, 0.0), np.where(bound > 0, np.minimum(diff, 0.0), diff))


def cross_validate(curve: str, cases: Cases, settings: Settings) -> CrossValidation:
    """Fit without each jurisdiction in turn and predict its rows."""
    predicted = np.empty(len(cases))
    for rows in jurisdiction_index(cases).values():
        keep = [i for i in range(len(cases)) if i not in rows]
        params = _unpack(curve, fit_curve(curve, cases.subset(keep), settings))
        predicted[rows] = predict(curve, params, cases.subset(rows))
    return CrossValidation(curve, cases, predicted)


# --------------------------------------------------------------------------- the fit file


#: Scenario section holding the fitted parameters (``behaviour_response.deposit.*`` and ``.bags.*``).
SECTION = "behaviour_response"


def field_path(curve: str, name: str) -> str:
    """The scenario field of a fitted parameter, by dotted path."""
    return f"{SECTION}.{curve}.{name}"


def fit_table(fits: dict[str, dict[int, dict[str, float]]]) -> list[list[str]]:
    """Long-format rows ``curve, parameter, replicate, value, unit`` of fitted replicates."""
    rows = []
    for curve, replicates in fits.items():
        for name, unit in PARAMETERS[curve] + PLACE_PARAMETERS:
            for k in sorted(replicates):
                rows.append(
                    [curve, field_path(curve, name), str(k), f"{float(replicates[k][name]):.10g}", unit]
                )
    return rows


def write_csv(path: Path, header: list[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a CSV file all or nothing (:func:`sim.atomic.write_file`)."""

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)

    return write_file(path, write)


def read_fit(data_dir: Path = FIT_FILE.parent) -> dict[str, dict[str, np.ndarray]]:
    """Fitted parameters by curve and name, each an array over replicates (index 0 = point estimate).

    Read through :func:`sim.io.behaviour_replicates` (the fit file ``data/behaviour_fit.csv``).

    Raises:
        DataError: If the file is missing or malformed, or a curve lacks a parameter.
    """
    replicates = behaviour_replicates(data_dir)
    out: dict[str, dict[str, np.ndarray]] = {}
    for curve in CURVES:
        out[curve] = {}
        for name, _ in PARAMETERS[curve] + PLACE_PARAMETERS:
            path = field_path(curve, name)
            if path not in replicates:
                raise DataError(f"{data_dir / FIT_FILE.name}: no {path}; run `python -m sim behaviour fit`.")
            out[curve][name] = np.array(replicates[path])
    return out
