"""Plastic materials tracked by the model and the groups households separate them in.

Materials follow the product/polymer split used for Phnom Penh in ``data/materials.csv``
(PET bottles, HDPE, PP, film and bags, PS foam, multilayer sachets, other). Households decide
about separation per *group*, because that is the level at which the behaviour varies: a
household that sells its bottles sells all of them, whatever the brand.
"""

from __future__ import annotations

from enum import StrEnum


class Material(StrEnum):
    """A plastic fraction followed through the system."""

    PET = "pet"
    HDPE = "hdpe"
    PP = "pp"
    FILM = "film"
    PS_FOAM = "ps_foam"
    MULTILAYER = "multilayer"
    OTHER = "other"


class SeparationGroup(StrEnum):
    """Fractions a household keeps apart from its mixed waste as one decision."""

    PET = "pet"
    RIGID = "rigid"
    FILM = "film"
    LOW_VALUE = "low_value"


MATERIALS: tuple[Material, ...] = tuple(Material)
GROUPS: tuple[SeparationGroup, ...] = tuple(SeparationGroup)
N_MATERIALS = len(MATERIALS)
N_GROUPS = len(GROUPS)

GROUP_OF: dict[Material, SeparationGroup] = {
    Material.PET: SeparationGroup.PET,
    Material.HDPE: SeparationGroup.RIGID,
    Material.PP: SeparationGroup.RIGID,
    Material.FILM: SeparationGroup.FILM,
    Material.PS_FOAM: SeparationGroup.LOW_VALUE,
    Material.MULTILAYER: SeparationGroup.LOW_VALUE,
    Material.OTHER: SeparationGroup.LOW_VALUE,
}

#: ``GROUP_INDEX[i]`` is the index in :data:`GROUPS` of material ``MATERIALS[i]``.
GROUP_INDEX: tuple[int, ...] = tuple(GROUPS.index(GROUP_OF[m]) for m in MATERIALS)
