"""Building blocks of the input schema shared by scenarios and policy levers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo


def param(unit: str, description: str, **bounds: Any) -> Any:
    """A required field with its unit in the JSON schema; defaults come from ``data/``."""
    return Field(..., description=description, json_schema_extra={"unit": unit}, **bounds)


class Section(BaseModel):
    """Base of every schema section: unknown fields are errors, values are immutable.

    Every number must be finite: NaN and infinities are refused, whatever the field's bounds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def field_bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    """The (lower, upper) bound of a field, inclusive or not; None where it has none."""
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", getattr(m, "gt", lo))
        hi = getattr(m, "le", getattr(m, "lt", hi))
    return lo, hi
