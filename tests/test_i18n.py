"""The one catalogue of texts (sim.i18n): every key in every language, placeholders kept, formats."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
import yaml

from sim import i18n
from sim.io import read_table
from sim.levers import lever_catalogue
from sim.materials import GROUPS, MATERIALS
from sim.metrics import INDICATORS

#: Keys whose English is defined in the model's metadata (passed as the default), not here.
METADATA_PREFIXES = ("indicator.", "unit.", "district.", "place.", "material.", "group.")
SHIPPED = {p.stem for p in (Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml")}


def english_from_metadata(key: str) -> bool:
    """Whether a key's English lives in the model (levers, indicators, places, scenario files)."""
    if key.startswith(METADATA_PREFIXES):
        return True
    parts = key.split(".")
    if (
        parts[0] == "scenario"
        and len(parts) == 3
        and parts[1] in SHIPPED
        and parts[2] in ("name", "description")
    ):
        return True  # names and descriptions of the shipped scenario files
    own_lever = (
        key.startswith("lever.") and len(parts) == 3 and parts[2] in ("label", "description", "evidence")
    )
    return own_lever or (key.startswith(("lever.", "param.")) and key.endswith(".description"))


def fields(text: str) -> set[str]:
    """Names of the ``str.format`` placeholders of a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGUE = i18n.catalogue()
#: Units shown as % or not shown (lists of districts, materials, groups).
NO_UNIT = ("", "fraction", "district names", "materials", "groups")


def test_every_key_is_in_every_language_and_no_text_is_empty() -> None:
    missing = []
    for key, texts in CATALOGUE.items():
        wanted = [lang for lang in i18n.LANGS if lang != "en" or not english_from_metadata(key)]
        missing += [f"{key} [{lang}]" for lang in wanted if not (texts.get(lang) or "").strip()]
    assert not missing, "texts missing or empty:\n" + "\n".join(missing)


def test_english_is_defined_once() -> None:
    """A key whose English comes from the model's metadata does not repeat it in the catalogue."""
    doubled = [k for k, texts in CATALOGUE.items() if english_from_metadata(k) and "en" in texts]
    assert not doubled


def test_placeholders_are_the_same_in_every_language() -> None:
    wrong = []
    for key, texts in CATALOGUE.items():
        expected = fields(texts.get("en") or next(iter(texts.values())))
        wrong += [f"{key} [{lang}]" for lang, text in texts.items() if fields(text) != expected]
    assert not wrong


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGS if lang != "en"])
def test_every_lever_parameter_and_indicator_has_its_names_and_explanations(lang: str) -> None:
    keys = []
    for info in lever_catalogue():
        keys += [f"lever.{info.id}.label", f"lever.{info.id}.description", f"lever.{info.id}.evidence"]
        for p in info.params:
            common = f"param.{p.name}.label"
            own = f"lever.{info.id}.{p.name}.label"
            keys.append(own if own in CATALOGUE or common not in CATALOGUE else common)
            common = f"param.{p.name}.description"
            own = f"lever.{info.id}.{p.name}.description"
            keys.append(own if own in CATALOGUE or common not in CATALOGUE else common)
            if p.unit not in NO_UNIT:
                keys.append(f"unit.{p.unit}")
    for name, indicator in INDICATORS.items():
        keys += [f"indicator.{name}.label", f"indicator.{name}.description"]
        if indicator.unit not in NO_UNIT:
            keys.append(f"unit.{indicator.unit}")
    keys += [f"material.{m.value}" for m in MATERIALS] + [f"group.{g.value}" for g in GROUPS]
    keys += [f"district.{row['district']}" for row in read_table("districts.csv")]
    missing = sorted({k for k in keys if not CATALOGUE.get(k, {}).get(lang)})
    assert not missing, f"no {lang} text for:\n" + "\n".join(missing)


def test_parameter_labels_have_english_in_the_catalogue() -> None:
    """Parameters have no English name in the model: the catalogue gives one for every parameter."""
    missing = []
    for info in lever_catalogue():
        for p in info.params:
            keys = (f"lever.{info.id}.{p.name}.label", f"param.{p.name}.label")
            if not any(CATALOGUE.get(k, {}).get("en") for k in keys):
                missing.append(f"{info.id}.{p.name}")
    assert not missing


def test_the_glossary_terms_are_used_in_the_texts() -> None:
    """The Khmer terms of the glossary are the ones the app's texts use for those concepts."""
    glossary = {k: v for k, v in CATALOGUE.items() if k.startswith("glossary.") and not k.endswith(".note")}
    assert CATALOGUE["glossary.ministry_of_environment"]["km"] == "ក្រសួងបរិស្ថាន"
    assert CATALOGUE["glossary.khan"]["km"] == "ខណ្ឌ"
    others = " ".join(
        text for key, texts in CATALOGUE.items() if not key.startswith("glossary.") for text in texts.values()
    )
    for term in ("landfill", "recycling", "circular_economy", "open_burning", "waste_picker", "junk_shop"):
        assert glossary[f"glossary.{term}"]["km"] in others, term


def test_keys_are_unique_across_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text("x.key: {en: one, km: មួយ, ja: 一}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x.key: {en: two, km: ពីរ, ja: 二}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(i18n.CatalogueError, match=r"already defined in a\.yaml"):
            i18n.catalogue()
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()
    # And in the real files, each key is written once.
    seen: dict[str, str] = {}
    for path in sorted(i18n.CATALOGUE_DIR.glob("*.yaml")):
        for key in yaml.safe_load(path.read_text(encoding="utf-8")) or {}:
            assert key not in seen, f"{key} in {path.name} and {seen[key]}"
            seen[key] = path.name


def test_a_malformed_file_is_refused_with_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.yaml").write_text("x.key: {en: one, fr: un}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(i18n.CatalogueError, match=r"bad\.yaml: 'x\.key'"):
            i18n.catalogue()
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_t_falls_back_to_english_then_to_the_default() -> None:
    assert i18n.t("action.undo", "km") == CATALOGUE["action.undo"]["km"]
    assert i18n.t("action.undo", "xx") == CATALOGUE["action.undo"]["en"]
    assert i18n.t("indicator.recycling_rate.label", "en", default="Recycling rate") == "Recycling rate"
    assert i18n.t("no.such.key", "ja", default="fallback") == "fallback"
    assert i18n.t("no.such.key", "ja") == "no.such.key"
    assert i18n.t("undo.done", "ja", n=3).count("3") == 1
    assert i18n.LANGS == ("km", "en", "ja") and i18n.language("fr") == "en"


def test_numbers_and_dates_follow_the_language() -> None:
    assert i18n.format_number(1234567.891, "en", 1) == "1,234,567.9"
    assert i18n.format_percent(0.1234, "en") == "12.3%"
    assert i18n.format_date(dt.date(2035, 1, 15), "ja", "long") == "2035年1月15日"
    khmer = i18n.format_date(dt.date(2035, 1, 15), "km", "long")
    assert "មករា" in khmer  # January in Khmer
    assert re.search(r"2035", i18n.format_date(dt.date(2035, 1, 15), "en", "long"))


def test_the_catalogue_files_are_installed_with_the_package() -> None:
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"sim.i18n" = ["*.yaml"]' in text
