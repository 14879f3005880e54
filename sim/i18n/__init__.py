"""The one catalogue of user-facing texts in Khmer, English and Japanese, and per-language formats.

Texts live in YAML files beside this module, one per area (``app.yaml``, ``levers.yaml``,
``indicators.yaml``, ``glossary.yaml``, ...), each mapping ``key: {en: ..., km: ..., ja: ...}``.
Keys are unique across files. The CLI, the web app and the docs all read this catalogue through
:func:`t`; numbers, percentages and dates are formatted per language with Babel.

Names of levers, lever parameters, indicators and districts are defined in English once, in the
model's own metadata (:func:`sim.levers.lever_catalogue`, :data:`sim.metrics.INDICATORS`,
``data/districts.csv``): their entries here hold only ``km`` and ``ja``, and callers pass the
English as ``default``. This module is the lowest layer: it imports nothing of ``sim``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

#: Languages of the catalogue, in the order the app offers them (Khmer first).
LANGS: tuple[str, ...] = ("km", "en", "ja")
DEFAULT_LANG = "en"
#: Names of the languages in themselves, for a language picker.
LANGUAGE_NAMES: dict[str, str] = {"km": "ខ្មែរ", "en": "English", "ja": "日本語"}
CATALOGUE_DIR = Path(__file__).resolve().parent


class CatalogueError(ValueError):
    """A catalogue file is malformed (names the file and the key)."""


def _read_file(path: Path) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: must be a mapping of keys to texts")
    out: dict[str, dict[str, str]] = {}
    for key, texts in data.items():
        if not isinstance(texts, dict) or not set(texts) <= set(LANGS):
            raise CatalogueError(f"{path.name}: {key!r} must map some of {LANGS} to texts, got {texts!r}")
        out[str(key)] = {lang: str(text) for lang, text in texts.items()}
    return out


@cache
def catalogue() -> MappingProxyType[str, MappingProxyType[str, str]]:
    """Every key of every catalogue file: ``key -> {lang: text}`` (read once, read-only).

    Raises:
        CatalogueError: If a file is malformed or a key appears in two files.
    """
    merged: dict[str, MappingProxyType[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        for key, texts in _read_file(path).items():
            if key in merged:
                raise CatalogueError(f"{path.name}: key {key!r} is already defined in {origin[key]}")
            merged[key], origin[key] = MappingProxyType(texts), path.name
    return MappingProxyType(merged)


def language(lang: str | None) -> str:
    """A supported language code: ``lang`` if known, else the default (English)."""
    return lang if lang in LANGS else DEFAULT_LANG


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    """Whether the catalogue has ``key`` in ``lang`` or in English."""
    texts: Mapping[str, str] = catalogue().get(key, {})
    return bool(texts.get(lang) or texts.get(DEFAULT_LANG))


def t(key: str, lang: str = DEFAULT_LANG, default: str | None = None, **fmt: Any) -> str:
    """The text of ``key`` in ``lang``, formatted with ``fmt``.

    Falls back to English, then to ``default`` (the English defined in the model's metadata),
    then to the key itself.

    Args:
        key: Text id, e.g. ``"action.undo"`` or ``"lever.bag_levy.label"``.
        lang: One of :data:`LANGS`.
        default: Text used when the catalogue has neither ``lang`` nor English.
        **fmt: Values of the text's ``str.format`` placeholders.
    """
    texts: Mapping[str, str] = catalogue().get(key, {})
    text = texts.get(lang) or texts.get(DEFAULT_LANG) or (key if default is None else default)
    return text.format(**fmt) if fmt else text


def _locale(lang: str) -> Locale:
    return Locale.parse(language(lang))


def format_number(value: float, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """A number with the language's digit grouping and ``decimals`` decimals, e.g. ``12,345.6``."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def format_percent(fraction: float, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A fraction as a percentage in the language's style, e.g. ``0.123`` -> ``12.3%``."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return _babel_percent(fraction, format=pattern, locale=_locale(lang))


def format_date(date: dt.date, lang: str = DEFAULT_LANG, style: str = "medium") -> str:
    """A date in the language's style (``short``, ``medium``, ``long``), e.g. ``1 ធ្នូ 2026``."""
    return _babel_date(date, format=style, locale=_locale(lang))
