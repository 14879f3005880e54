"""Workshop role-play: stakeholder teams, their levers and goals, rounds of moves, the debrief.

In the spirit of En-ROADS' *Climate Action Simulation*: the room splits into stakeholder teams
(a ministry, the city, producers, recyclers, waste pickers, foreign partners...). Each team owns
some policy levers and wants some indicators to move one way. In each round every team proposes
its moves (settings of its own levers); the moves of all teams so far make one scenario, which
is run and read against the baseline and the targets. The debrief shows what each team wanted,
what happened to its indicators, and who gained and who lost.

A *setup* file (``workshop/teams/*.yaml``) holds the teams, the scenario the workshop starts
from, the year the room reads, the indicators the room follows and the targets. It is validated
by :class:`Setup`; a mistake is one :class:`WorkshopError` naming the file, the field, the value
and what is allowed. Texts in a setup file are keys of the catalogue (:mod:`sim.i18n`, file
``workshop.yaml``) or written inline in the three languages (``{en: ..., km: ..., ja: ...}``).

Everything here is plain data and pure functions of scenario dicts and yearly indicator tables:
the app (:mod:`ui.workshop`) runs the model and draws the result; tests use it without a browser.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)

from sim import i18n
from sim.errors import InputError, ScenarioError
from sim.levers import lever_catalogue
from sim.loader import SCENARIOS_DIR, load_scenario, parse_yaml, read_yaml, shipped_scenarios
from sim.metrics import INDICATORS
from sim.scenario import format_validation_error, validate_scenario
from sim.sections import Section

#: Team colours a setup may use (names of the app's palette).
Colour = Literal[
    "blue", "teal", "grape", "orange", "red", "green", "cyan", "indigo", "pink", "lime", "violet"
]
COLOURS: tuple[str, ...] = get_args(Colour)
MIN_TEAMS, MAX_TEAMS = 3, 6
MAX_ROUNDS = 6
#: A goal counts as unchanged when its indicator moved less than this share of its baseline...
UNCHANGED_WITHIN_SHARE = 0.01
#: ...or, for indicators that are fractions (rates, shares), less than this many points [fraction].
UNCHANGED_WITHIN_POINTS = 0.002

Want = Literal["up", "down"]
Verdict = Literal["gained", "lost", "mixed", "unchanged", "unknown"]
#: A team's move: lever id -> its parameters (lever on) or None (lever off).
Move = dict[str, dict[str, Any] | None]
#: One round: team id -> its move.
Round = dict[str, Move]


class WorkshopError(InputError):
    """A setup file, or a move, that cannot be used (one readable paragraph)."""


# --------------------------------------------------------------------------- catalogue look-ups


@cache
def lever_params() -> Mapping[str, tuple[str, ...]]:
    """Every lever id with the names of its numeric parameters (the ones a team may set)."""
    out = {}
    for info in lever_catalogue():
        numeric = tuple(
            p.name
            for p in info.params
            if isinstance(p.default, int | float) and not isinstance(p.default, bool)
        )
        out[info.id] = numeric
    return out


def _text_ref(value: Any) -> str | dict[str, str]:
    """A text of a setup file: a catalogue key, or inline texts by language (English required)."""
    if isinstance(value, str):
        if not i18n.has(value):
            raise ValueError(
                f"{value!r} is not a key of the text catalogue (sim/i18n/*.yaml); write the text "
                "inline instead, as {en: ..., km: ..., ja: ...}"
            )
        return value
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in i18n.LANGS)
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}; allowed: {', '.join(i18n.LANGS)}")
        if not isinstance(value.get("en"), str) or not value["en"].strip():
            raise ValueError("the English text (en) is required")
        if not all(isinstance(v, str) for v in value.values()):
            raise ValueError("every text must be a string")
        return {str(k): v for k, v in value.items()}
    raise ValueError("must be a catalogue key or {en: ..., km: ..., ja: ...}")


def _known_indicator(name: str) -> str:
    if name not in INDICATORS:
        raise ValueError(f"unknown indicator {name!r}; allowed: {', '.join(sorted(INDICATORS))}")
    return name


TextRef = Annotated[str | dict[str, str], PlainValidator(_text_ref)]
IndicatorName = Annotated[str, AfterValidator(_known_indicator)]


def text(ref: str | Mapping[str, str] | None, lang: str) -> str:
    """A setup text in ``lang`` (English where that language is missing; "" for None)."""
    if ref is None:
        return ""
    if isinstance(ref, str):
        return i18n.t(ref, lang)
    return ref.get(lang) or ref["en"]


# --------------------------------------------------------------------------- the setup schema


class Goal(Section):
    """An indicator a team cares about and which way it wants it to go."""

    indicator: IndicatorName = Field(description="Indicator name (sim.metrics.INDICATORS).")
    want: Want = Field(description="Which way the team wants it: up or down.")


class Target(Section):
    """A target the room is read against, e.g. net GHG 55 % below the baseline in 2035."""

    indicator: IndicatorName = Field(description="Indicator name (sim.metrics.INDICATORS).")
    year: int = Field(ge=2000, le=2100, description="Year of the target.")
    cut_vs_baseline: float | None = Field(
        None, gt=0, le=1, description="Share the indicator must fall below the baseline [fraction]."
    )
    at_least: float | None = Field(None, description="Value the indicator must reach, in its unit.")
    at_most: float | None = Field(None, description="Value the indicator must not exceed, in its unit.")
    label: TextRef = Field(description="What the target is called.")
    source: str = Field(
        min_length=1, description="Provenance key (data/provenance.csv) or 'ASSUMPTION: why'."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Target:
        given = [k for k in ("cut_vs_baseline", "at_least", "at_most") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of cut_vs_baseline, at_least, at_most (got {', '.join(given) or 'none'})"
            )
        return self

    @property
    def direction(self) -> Want:
        """Which way the indicator must move to meet the target."""
        return "up" if self.at_least is not None else "down"

    def threshold(self, baseline: float | None) -> float | None:
        """The value that meets the target exactly (None if it depends on a missing baseline)."""
        if self.cut_vs_baseline is not None:
            return None if baseline is None else baseline - self.cut_vs_baseline * abs(baseline)
        return self.at_least if self.at_least is not None else self.at_most


class Team(Section):
    """A stakeholder team: who it is, what it may change, what it wants."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Short id: lower case, digits, _.")
    name: TextRef = Field(description="The team's name.")
    brief: TextRef = Field(description="The team's brief: who they are and what they face.")
    colour: Colour = Field("blue", description="Colour of the team's cards and lines.")
    levers: dict[str, list[str] | None] = Field(
        min_length=1,
        description="Levers the team owns, each with the parameters it may set (empty: all of them).",
    )
    goals: list[Goal] = Field(min_length=1, max_length=6, description="Indicators the team cares about.")

    @field_validator("levers")
    @classmethod
    def _levers_known(cls, levers: dict[str, list[str] | None]) -> dict[str, list[str] | None]:
        known = lever_params()
        for lever, params in levers.items():
            if lever not in known:
                raise ValueError(f"unknown lever {lever!r}; allowed: {', '.join(known)}")
            bad = [p for p in params or [] if p not in known[lever]]
            if bad:
                raise ValueError(
                    f"lever {lever!r} has no settable parameter {', '.join(map(repr, bad))}; "
                    f"allowed: {', '.join(known[lever])}"
                )
        return levers

    def params_of(self, lever: str) -> tuple[str, ...]:
        """The parameters of one of the team's levers that it may set."""
        return tuple(self.levers[lever] or lever_params()[lever])


class Setup(Section):
    """A workshop: the scenario it starts from, the teams, what the room reads, the targets."""

    title: TextRef = Field(description="Name of the workshop setup.")
    description: TextRef | None = Field(None, description="One or two sentences for the facilitator.")
    scenario: str = Field(
        "phnom_penh_baseline.yaml", description="Scenario file in scenarios/ the workshop starts from."
    )
    year: int = Field(2035, ge=2000, le=2100, description="Year the room reads the results in.")
    rounds: int = Field(3, ge=1, le=MAX_ROUNDS, description="Number of rounds.")
    room_indicators: list[IndicatorName] = Field(
        min_length=1, max_length=10, description="Indicators the room follows each round."
    )
    targets: list[Target] = Field(default_factory=list, description="Targets the room is read against.")
    teams: list[Team] = Field(
        min_length=MIN_TEAMS, max_length=MAX_TEAMS, description=f"{MIN_TEAMS} to {MAX_TEAMS} teams."
    )

    @field_validator("scenario")
    @classmethod
    def _shipped(cls, scenario: str) -> str:
        names = shipped_scenarios()
        if scenario not in names:
            raise ValueError(f"not a scenario file in scenarios/; allowed: {', '.join(names)}")
        return scenario

    @field_validator("teams")
    @classmethod
    def _teams_apart(cls, teams: list[Team]) -> list[Team]:
        ids = [team.id for team in teams]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"team id {', '.join(map(repr, twice))} is used more than once")
        owner: dict[str, str] = {}
        for team in teams:
            for lever in team.levers:
                if lever in owner:
                    raise ValueError(
                        f"lever {lever!r} is owned by both {owner[lever]!r} and {team.id!r}; "
                        "each lever belongs to one team"
                    )
                owner[lever] = team.id
        return teams

    def team(self, team_id: str) -> Team:
        """The team with this id.

        Raises:
            WorkshopError: If the setup has no such team.
        """
        for team in self.teams:
            if team.id == team_id:
                return team
        raise WorkshopError(f"no team {team_id!r} in this setup; teams: {', '.join(self.team_ids())}")

    def team_ids(self) -> list[str]:
        """Ids of every team, in the file's order."""
        return [team.id for team in self.teams]

    def indicators(self) -> list[str]:
        """Every indicator the workshop reads: the room's, the targets' and the teams' goals."""
        names = [*self.room_indicators, *(t.indicator for t in self.targets)]
        names += [g.indicator for team in self.teams for g in team.goals]
        return list(dict.fromkeys(names))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _field_info(loc: tuple[Any, ...]) -> tuple[str | None, str | None, list[str] | None]:
    """Unit, description and allowed field names at a location of the setup schema."""
    model: type[BaseModel] | None = Setup
    description = None
    for i, part in enumerate(loc):
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None, None, sorted(model.model_fields) if i == len(loc) - 1 else None
        description = field.description
        model = _model_in(field.annotation)
    return None, description, None


def validate_setup(data: Any, source: str) -> Setup:
    """Validate a setup mapping.

    Raises:
        WorkshopError: Naming the file, the field, the value and what is allowed.
    """
    if not isinstance(data, dict):
        raise WorkshopError(f"{source}: a workshop setup must be a mapping of fields (title, teams, ...).")
    try:
        setup = Setup.model_validate(data)
    except ValidationError as exc:
        raise WorkshopError(format_validation_error(exc, source, "the workshop setup", _field_info)) from None
    _check_years(setup, source)
    return setup


def _check_years(setup: Setup, source: str) -> None:
    """The setup's years must lie within its scenario's simulated years."""
    time = base_scenario(setup)["time"]
    first, last = time["start_year"], time["end_year"]
    years = [("year", setup.year)] + [(f"targets.{i}.year", t.year) for i, t in enumerate(setup.targets)]
    for field, year in years:
        if not first <= year <= last:
            raise WorkshopError(
                f"{source}: field '{field}' = {year}: the scenario {setup.scenario} simulates "
                f"{first} to {last}; choose a year in that range."
            )


def load_setup(path: Path) -> Setup:
    """Read and validate a setup file.

    Raises:
        WorkshopError: If the file is missing, is not YAML, or does not validate.
    """
    data = read_yaml(path, "workshop setup", WorkshopError, allow_empty=False)
    return validate_setup(data, str(path.name))


def parse_setup(content: str | bytes, source: str) -> Setup:
    """Validate a setup from text (a file uploaded to the app; nothing is written).

    Raises:
        WorkshopError: As :func:`load_setup`.
    """
    return validate_setup(parse_yaml(content, source, "workshop setup", WorkshopError, False), source)


def setup_files(folder: Path) -> list[Path]:
    """The setup files of a folder, by name."""
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


@cache
def _base_json(scenario: str) -> str:
    return json.dumps(load_scenario(SCENARIOS_DIR / scenario).model_dump(mode="json"))


def base_scenario(setup: Setup) -> dict[str, Any]:
    """The scenario the workshop starts from, as a JSON dict (a fresh copy).

    Raises:
        WorkshopError: If that scenario file does not load (its own message inside).
    """
    try:
        return json.loads(_base_json(setup.scenario))
    except ScenarioError as exc:
        problem = str(exc).replace(str(SCENARIOS_DIR), "scenarios")  # no server paths in the app
        raise WorkshopError(f"the workshop's scenario {setup.scenario} cannot be used: {problem}") from None


# --------------------------------------------------------------------------- rounds


def check_move(setup: Setup, team_id: str, move: Move) -> None:
    """Refuse a move that touches a lever or a parameter the team does not own.

    Raises:
        WorkshopError: Naming the team, the lever or parameter, and what it owns.
    """
    team = setup.team(team_id)
    for lever, params in move.items():
        if lever not in team.levers:
            raise WorkshopError(
                f"team {team_id!r} does not own lever {lever!r}; its levers: {', '.join(team.levers)}."
            )
        allowed = team.params_of(lever)
        bad = [p for p in (params or {}) if p not in allowed]
        if bad:
            raise WorkshopError(
                f"team {team_id!r} may not set {', '.join(bad)} of lever {lever!r}; it may set: "
                f"{', '.join(allowed)}."
            )


def apply_move(scenario: dict[str, Any], move: Move) -> dict[str, Any]:
    """A scenario with one move applied: a lever switched off, or on with the given parameters.

    Parameters not given keep the scenario's values (or the lever's defaults if it was off).
    """
    out = copy.deepcopy(scenario)
    policies = out.setdefault("policies", {})
    for lever, params in move.items():
        if params is None:
            policies[lever] = None
        else:
            policies[lever] = {**(policies.get(lever) or {}), **params}
    return out


def combine(
    setup: Setup, base: dict[str, Any], rounds: Sequence[Round], playing: Sequence[str]
) -> dict[str, Any]:
    """The scenario of the rounds so far: every playing team's moves, round by round, over ``base``.

    A later move on a lever replaces an earlier one; teams apply in the setup's order.

    Args:
        setup: The workshop setup.
        base: The scenario the workshop starts from (JSON dict).
        rounds: The moves of each round, in order.
        playing: Ids of the teams taking part (moves of others are refused).

    Returns:
        The validated scenario (JSON dump) named after the last round.

    Raises:
        WorkshopError: If a move is not the team's, or makes an invalid scenario (naming the
            round, the team and the field).
    """
    scenario = copy.deepcopy(base)
    for number, moves in enumerate(rounds, start=1):
        for team_id in moves:
            setup.team(team_id)  # refuses a team the setup does not have
        for team_id in [t for t in setup.team_ids() if t in moves]:
            if team_id not in playing:
                raise WorkshopError(f"round {number}: team {team_id!r} is not playing in this workshop.")
            check_move(setup, team_id, moves[team_id])
            scenario = apply_move(scenario, moves[team_id])
            try:
                validate_scenario(scenario, f"round {number}, team {team_id}")
            except ScenarioError as exc:
                raise WorkshopError(str(exc)) from None
    scenario["name"] = f"{text(setup.title, i18n.DEFAULT_LANG)} · round {len(rounds)}"
    return validate_scenario(scenario, "the workshop").model_dump(mode="json")


def lever_setting(scenario: dict[str, Any], lever: str) -> dict[str, Any] | None:
    """A lever's parameters in a scenario (None while it is off)."""
    return (scenario.get("policies") or {}).get(lever)


def moves_of(rounds: Sequence[Round], team_id: str) -> list[tuple[int, str, dict[str, Any] | None]]:
    """What a team did: (round number, lever, parameters or None for off), in order."""
    return [
        (number, lever, params)
        for number, moves in enumerate(rounds, start=1)
        for lever, params in moves.get(team_id, {}).items()
    ]


# --------------------------------------------------------------------------- reading results


def value_at(table: pd.DataFrame, year: int, indicator: str) -> float | None:
    """An indicator's value in a year of a yearly table (None when absent or not a number)."""
    if table.empty or indicator not in table.columns or year not in table.index:
        return None
    try:
        value = float(table.at[year, indicator])  # type: ignore[arg-type]  # numpy ints: JSON drops ".0"
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def is_fraction(indicator: str) -> bool:
    """Whether an indicator is a fraction (its changes are read in points)."""
    return INDICATORS[indicator].unit == "fraction"


def moved(indicator: str, baseline: float | None, value: float | None) -> Want | None:
    """Which way an indicator moved against its baseline (None if it did not, or is unknown)."""
    if baseline is None or value is None:
        return None
    diff = value - baseline
    tolerance = UNCHANGED_WITHIN_POINTS if is_fraction(indicator) else UNCHANGED_WITHIN_SHARE * abs(baseline)
    if abs(diff) <= tolerance:
        return None
    return "up" if diff > 0 else "down"


@dataclass(frozen=True)
class TargetStatus:
    """Where a scenario stands against a target."""

    target: Target
    baseline: float | None
    value: float | None
    threshold: float | None  # the value that meets the target exactly
    met: bool | None
    progress: float | None  # share of the way from the baseline to the threshold, 0 to 1


def target_status(target: Target, baseline: pd.DataFrame, table: pd.DataFrame) -> TargetStatus:
    """A scenario's standing against a target, in the target's year."""
    base = value_at(baseline, target.year, target.indicator)
    value = value_at(table, target.year, target.indicator)
    threshold = target.threshold(base)
    if value is None or threshold is None:
        return TargetStatus(target, base, value, threshold, None, None)
    sign = 1.0 if target.direction == "up" else -1.0
    dust = 1e-9 * max(1.0, abs(threshold))  # float rounding of the threshold, not a tolerance
    met = sign * (value - threshold) >= -dust
    progress = None
    if base is not None:
        gap = sign * (threshold - base)
        progress = 1.0 if gap <= 0 or met else max(0.0, min(1.0, sign * (value - base) / gap))
    return TargetStatus(target, base, value, threshold, met, progress)


@dataclass(frozen=True)
class GoalOutcome:
    """What happened to one goal of a team: baseline and final value, and the verdict."""

    goal: Goal
    baseline: float | None
    value: float | None
    verdict: Verdict


def goal_outcome(goal: Goal, baseline: float | None, value: float | None) -> GoalOutcome:
    """A goal met (gained), missed (lost), unchanged, or unknown (no numbers)."""
    if baseline is None or value is None:
        return GoalOutcome(goal, baseline, value, "unknown")
    direction = moved(goal.indicator, baseline, value)
    verdict: Verdict = "unchanged" if direction is None else ("gained" if direction == goal.want else "lost")
    return GoalOutcome(goal, baseline, value, verdict)


def overall(verdicts: Sequence[Verdict]) -> Verdict:
    """A team's verdict from its goals': gained, lost, mixed or unchanged."""
    gained, lost = "gained" in verdicts, "lost" in verdicts
    if gained and lost:
        return "mixed"
    if gained or lost:
        return "gained" if gained else "lost"
    return "unknown" if verdicts and all(v == "unknown" for v in verdicts) else "unchanged"


@dataclass(frozen=True)
class TeamDebrief:
    """One team in the debrief: what it wanted, what happened, what it did."""

    team: Team
    goals: tuple[GoalOutcome, ...]
    verdict: Verdict
    moves: tuple[tuple[int, str, dict[str, Any] | None], ...]


def debrief(
    setup: Setup,
    playing: Sequence[str],
    rounds: Sequence[Round],
    baseline: pd.DataFrame,
    final: pd.DataFrame,
) -> list[TeamDebrief]:
    """Every playing team's goals read in the setup's year: final scenario against the baseline.

    Args:
        setup: The workshop setup.
        playing: Ids of the teams taking part.
        rounds: The moves of each round.
        baseline: Yearly indicators of the starting scenario (indexed by year).
        final: Yearly indicators of the scenario after the last round.
    """
    out = []
    for team in (t for t in setup.teams if t.id in playing):
        goals = tuple(
            goal_outcome(
                g, value_at(baseline, setup.year, g.indicator), value_at(final, setup.year, g.indicator)
            )
            for g in team.goals
        )
        verdict = overall([g.verdict for g in goals])
        out.append(TeamDebrief(team, goals, verdict, tuple(moves_of(rounds, team.id))))
    return out


# --------------------------------------------------------------------------- checking files


def main(argv: Sequence[str] | None = None) -> int:
    """Check setup files: ``python -m sim.workshop FILE...``.

    Prints one line per good file (its teams) and the full message of each bad one.

    Returns:
        0 if every file is a valid setup, 2 otherwise (as the CLI does for bad input).
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sim.workshop", description="Check workshop setup files.")
    parser.add_argument("files", nargs="+", type=Path, help="setup files (YAML), e.g. workshop/teams/*.yaml")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            setup = load_setup(path)
        except WorkshopError as exc:
            print(exc)
            status = 2
            continue
        teams = ", ".join(team.id for team in setup.teams)
        print(f"{path}: a valid setup, {len(setup.teams)} teams ({teams}), {setup.rounds} rounds.")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
