"""The web app for policy teams and workshops (Dash + dash-mantine-components).

Modules: :mod:`~ui.factory` (``create_app``), :mod:`~ui.layout` and :mod:`~ui.panels`
(components), :mod:`~ui.callbacks` (thin callbacks), :mod:`~ui.actions` (what each user action
does to the state), :mod:`~ui.state` (scenario dicts, links, YAML, history), :mod:`~ui.runs`
(model runs), :mod:`~ui.logic` (cards, comparison), :mod:`~ui.figures` (charts),
:mod:`~ui.controls` (lever and assumption metadata), :mod:`~ui.ids` and :mod:`~ui.text`.
"""

from ui.factory import create_app

__all__ = ["create_app"]
