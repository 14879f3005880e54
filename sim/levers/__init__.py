"""Policy levers: time-scheduled changes to what agents face.

A scenario lists levers under ``policies:`` by name (:class:`Policies`). Each lever acts only by
changing the step's :class:`~sim.conditions.Conditions` (prices, fees, coverage, enforcement,
rules), never by overwriting outcomes. Modules: :mod:`~sim.levers.base` (the base class and
helpers), one module per family (:mod:`~sim.levers.collection`, :mod:`~sim.levers.products`,
:mod:`~sim.levers.markets`, :mod:`~sim.levers.disposal`) and :mod:`~sim.levers.catalogue`.
"""

from sim.levers.base import Lever, Pillar
from sim.levers.catalogue import LeverInfo, ParamInfo, Policies, lever_catalogue

__all__ = ["Lever", "LeverInfo", "ParamInfo", "Pillar", "Policies", "lever_catalogue"]
