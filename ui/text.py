"""The app's texts in the language of the current request, read from the one catalogue :mod:`sim.i18n`.

No string lives here. Each callback runs inside :func:`use_language` with the language stored in
the page (``ids.STORE_LANG``), so layout, callbacks and the plain functions they call just write
``t("key")``. The language of a page comes from ``?lang=km|en|ja`` in its address, else from the
browser's preferred languages (:func:`request_language`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import parse_qs, urlparse

from sim import i18n

LANG_KEY = "lang"
#: Fonts: the bundled Noto Sans Khmer (ui/assets/fonts) first for Khmer; Japanese falls back to
#: the system's CJK fonts (Noto Sans CJK, Hiragino, Yu Gothic, Meiryo).
SYSTEM_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
CJK_FONTS = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', Meiryo"
FONTS = {
    "km": f"'Noto Sans Khmer', {SYSTEM_FONTS}",
    "en": SYSTEM_FONTS,
    "ja": f"{SYSTEM_FONTS.removesuffix(', sans-serif')}, {CJK_FONTS}, sans-serif",
}
_LANG: ContextVar[str] = ContextVar("lang", default=i18n.DEFAULT_LANG)


def current_language() -> str:
    """Language of the texts built now (one of :data:`sim.i18n.LANGS`)."""
    return _LANG.get()


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Build texts in ``lang`` (unknown or None: English) inside the ``with`` block."""
    token = _LANG.set(i18n.language(lang))
    try:
        yield _LANG.get()
    finally:
        _LANG.reset(token)


def t(key: str, default: str | None = None, **values: object) -> str:
    """The text of ``key`` in the current language (see :func:`sim.i18n.t`)."""
    return i18n.t(key, _LANG.get(), default, **values)


def has_text(key: str) -> bool:
    """Whether the catalogue has ``key`` in the current language or in English."""
    return i18n.has(key, _LANG.get())


def number(value: float, decimals: int = 0) -> str:
    """A number in the current language's style (grouping, decimal mark)."""
    return i18n.format_number(value, _LANG.get(), decimals)


def query_language(url_or_query: str | None) -> str | None:
    """The ``lang`` of a URL or query string, if it names a known language."""
    if not url_or_query:
        return None
    query = urlparse(url_or_query).query if "://" in url_or_query else url_or_query.lstrip("?")
    values = parse_qs(query).get(LANG_KEY) or []
    return values[0] if values and values[0] in i18n.LANGS else None


def request_language() -> str:
    """Language of the current HTTP request: ``?lang=`` of the page, else the browser's preference.

    The page itself carries ``?lang=`` in its query; the layout request carries it in its referrer.
    """
    import flask

    if not flask.has_request_context():
        return i18n.DEFAULT_LANG
    request = flask.request
    chosen = query_language(request.query_string.decode("latin-1")) or query_language(request.referrer)
    if chosen:
        return chosen
    return request.accept_languages.best_match(i18n.LANGS, default=i18n.DEFAULT_LANG) or i18n.DEFAULT_LANG


def font_family(lang: str | None = None) -> str:
    """CSS font stack of a language (the current one by default), for the page and the charts."""
    return FONTS.get(lang or _LANG.get(), SYSTEM_FONTS)
