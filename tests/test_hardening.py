"""Hostile and broken input: uploads that try to read the server's files, YAML bombs, NaN.

Each test here failed on the code before the loader had limits and uploads had their guard.
"""

from __future__ import annotations

import subprocess
import sys
import time
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim import ScenarioError, load_scenario
from sim.errors import InputError
from sim.loader import MAX_DEPTH, MAX_FILE_BYTES, inside, load_scenario_text, parse_yaml
from sim.scenario import Scenario
from ui import state

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

BOMB = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


# --------------------------------------------------------------------------- uploads


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    """A YAML file of the server's, outside the project, that an upload must never read."""
    path = tmp_path / "server_secret.yaml"
    path.write_text("database_password: hunter2\ninternal_host: db.internal\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["absolute", "relative", "subfolder"])
def test_an_upload_cannot_extend_a_file_outside_the_shipped_scenarios(secret: Path, how: str) -> None:
    parent = {
        "absolute": str(secret),
        "relative": "../" * 12 + str(secret).lstrip("/"),
        "subfolder": "sweeps/demo.yaml",
    }[how]
    text = f"extends: {parent}\nname: x\n"
    with pytest.raises(ScenarioError) as err:
        state.parse_scenario_yaml(text.encode(), "upload.yaml")
    message = str(err.value)
    assert "database_password" not in message and "internal_host" not in message
    assert "shipped" in message and "phnom_penh_baseline.yaml" in message
    assert str(ROOT) not in message  # nothing of the server's folders


def test_an_upload_may_extend_a_shipped_scenario_by_name() -> None:
    text = b"extends: lever_bag_levy\nname: mine\n"
    scenario = state.parse_scenario_yaml(text, "mine.yaml")
    assert scenario["name"] == "mine" and scenario["policies"]["bag_levy"] is not None


def test_an_upload_names_no_path_of_the_server_when_a_shipped_parent_is_wrong(tmp_path: Path) -> None:
    shipped = tmp_path / "scenarios"
    shipped.mkdir()
    (shipped / "parent.yaml").write_text("city: {population: .nan}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(b"extends: parent.yaml\n", "child.yaml", scenarios_dir=shipped)
    message = str(err.value)
    assert "scenarios/parent.yaml" in message and str(tmp_path) not in message


def test_the_app_reads_sweep_folders_only_inside_the_project(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        inside(ROOT, str(tmp_path), "sweep folder")
    with pytest.raises(InputError):
        inside(ROOT, "../../etc", "sweep folder")
    assert inside(ROOT, "scenarios/sweeps") == ROOT / "scenarios" / "sweeps"


# --------------------------------------------------------------------------- hostile YAML


def _cli_validate(path: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    return done, time.perf_counter() - start


@pytest.mark.parametrize(
    "kind",
    ["bomb_description", "bomb_districts", "deep_nesting", "huge_file", "long_string"],
)
def test_hostile_yaml_is_refused_with_exit_2_and_one_paragraph(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    if kind == "bomb_description":
        path.write_text(BOMB + "description: *i\n", encoding="utf-8")
    elif kind == "bomb_districts":
        path.write_text(BOMB + "policies: {collection_coverage: {districts: *i}}\n", encoding="utf-8")
    elif kind == "deep_nesting":
        path.write_text("description: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    elif kind == "huge_file":
        with path.open("w", encoding="utf-8") as fh:
            for i in range(2_000_000):
                fh.write(f"unknown_key_{i}: {i}\n")
    else:
        path.write_text("description: '" + "x" * 5_000_000 + "'\n", encoding="utf-8")
    done, _ = _cli_validate(path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr + done.stdout) < 2_000
    assert str(path.name) in done.stderr + done.stdout


def test_the_loader_refuses_a_bomb_without_expanding_it() -> None:
    start = time.process_time()
    with pytest.raises(ScenarioError, match="aliases"):
        parse_yaml(BOMB + "description: *i\n", "bomb.yaml")
    assert time.process_time() - start < 5  # a guard against expansion, not a speed target


def test_nesting_just_inside_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 2
    data = parse_yaml("x: " + "[" * depth + "]" * depth, "ok.yaml")
    assert isinstance(data["x"], list)
    with pytest.raises(ScenarioError, match="nested deeper"):
        parse_yaml("x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "deep.yaml")


def test_an_upload_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ScenarioError, match="bytes"):
        state.parse_scenario_yaml(b"#" * (MAX_FILE_BYTES + 1), "big.yaml")


# --------------------------------------------------------------------------- NaN and infinities


def _numeric_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every float field of the schema, by path (mapping values under a placeholder key)."""
    out = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if typing.get_origin(ann) is dict:
            ann = typing.get_args(ann)[1]
            name = f"{name}.*"
        elif len(args) == 1:
            ann = args[0]
        if ann is float:
            out.append((*prefix, *name.split(".")))
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_numeric_paths(ann, (*prefix, *name.split("."))))
    return out


def _with(data: dict, path: tuple[str, ...], value: float) -> dict:
    node = data
    for part in path[:-1]:
        key = next(iter(node)) if part == "*" else part
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
    leaf = path[-1] if path[-1] != "*" else next(iter(node))
    node[leaf] = value
    return data


NUMERIC = _numeric_paths(Scenario)


def test_the_schema_has_many_numeric_fields_to_check() -> None:
    assert len(NUMERIC) > 100


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_every_numeric_field_refuses_nan_and_infinities(bad: float) -> None:
    from sim.loader import default_scenario

    base = default_scenario().model_dump(mode="python")
    accepted = []
    for path in NUMERIC:
        data = _with(__import__("copy").deepcopy(base), path, bad)
        try:
            Scenario.model_validate(data)
        except ValueError as exc:
            assert "finite" in str(exc), (path, str(exc)[:200])
        else:
            accepted.append(".".join(path))
    assert accepted == []


def test_nan_is_reported_as_not_finite_in_the_file_that_holds_it(tmp_path: Path) -> None:
    parent = tmp_path / "parent.yaml"
    parent.write_text("city: {population: .nan}\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    message = str(err.value)
    assert "not a finite number" in message
    assert "less than or equal" not in message
    assert f"set in {parent}" in message


def test_a_value_the_child_sets_is_reported_against_the_child(tmp_path: Path) -> None:
    parent = tmp_path / "parent.yaml"
    parent.write_text("city: {population: .nan}\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\ncity: {population: -5}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert "set in" not in str(err.value) and "greater than 0" in str(err.value)


# --------------------------------------------------------------------------- layers


#: The package's layers, lowest first: a module may import only from its own or lower layers.
#: The core (schema to runner) first, then what is built on it (batches, comparisons, the CLI).
LAYERS: list[set[str]] = [
    {"sim.errors", "sim.materials", "sim.sections", "sim.mapping", "sim.seeds", "sim.atomic", "sim.i18n"},
    {"sim.conditions", "sim.behaviour", "sim.io", "sim.ledger", "sim.market", "sim.kernels"},
    {
        "sim.levers",
        "sim.levers.base",
        "sim.levers.collection",
        "sim.levers.products",
        "sim.levers.markets",
        "sim.levers.disposal",
        "sim.levers.catalogue",
    },
    {"sim.scenario"},
    {"sim.loader", "sim.network"},
    {"sim.agents"},
    {"sim.model"},
    {"sim.metrics"},
    {"sim.results"},
    {"sim.runner"},
    {"sim.batch.sweep", "sim.batch.store", "sim.batch.cluster", "sim.batch.analyse", "sim.behaviour_fit"},
    {"sim.batch", "sim.batch.runner", "sim.uncertainty"},
    {"sim.compare", "sim.workshop"},
    {"sim.cli_common", "sim.cli_behaviour"},
    {"sim.cli", "sim.__main__"},
]


def test_every_module_of_the_package_has_a_layer() -> None:
    modules = set()
    for path in (ROOT / "sim").rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules.add(".".join(parts))
    modules.discard("sim")
    assert sorted(modules - set().union(*LAYERS)) == []


def _runtime_imports(module: str) -> set[str]:
    """The sim modules ``module`` imports at run time (type-checking imports excluded)."""
    import ast

    rel = module.replace(".", "/")
    path = ROOT / f"{rel}.py"
    if not path.is_file():
        path = ROOT / rel / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            names = [f"{node.module}.{a.name}" for a in node.names]
            found.add(node.module)
            found.update(n for n in names if _layer(n) is not None)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sim"))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return found


def _layer(module: str) -> int | None:
    for i, layer in enumerate(LAYERS):
        if module in layer:
            return i
    return None


@pytest.mark.parametrize("module", sorted(set().union(*LAYERS)))
def test_no_core_module_imports_a_higher_layer(module: str) -> None:
    own = _layer(module)
    assert own is not None
    higher = sorted(m for m in _runtime_imports(module) if (_layer(m) or 0) > own)
    assert higher == [], f"{module} imports {higher}"


@pytest.mark.parametrize("module", ["sim.scenario", "sim.loader", "sim.levers"])
def test_the_schema_loads_without_mesa_or_the_model(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in ('mesa', 'sim.model', 'sim.agents') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
