"""One colour-blind-safe palette (Okabe & Ito, 2008) for stages, layers and minerals."""

from __future__ import annotations

OKABE_ITO = {
    "orange": (230, 159, 0),
    "sky_blue": (86, 180, 233),
    "bluish_green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish_purple": (204, 121, 167),
    "black": (0, 0, 0),
    "grey": (153, 153, 153),
}

STAGE_COLORS: dict[str, tuple[int, int, int]] = {
    "mining": OKABE_ITO["orange"],
    "processing": OKABE_ITO["blue"],
    "manufacturing": OKABE_ITO["reddish_purple"],
    "recycling": OKABE_ITO["bluish_green"],
}

#: Production stages of production.csv share the facility colours.
STAGE_COLORS["refining"] = STAGE_COLORS["processing"]

LAYER_COLORS = {
    "land": (232, 232, 228),
    "border": (175, 175, 170),
    "ocean": (221, 232, 240),
    "strategies": OKABE_ITO["sky_blue"],
    "partnerships": OKABE_ITO["yellow"],
    "controls": OKABE_ITO["vermillion"],
    "selected": (0, 0, 0),
}

_MINERAL_ORDER = ("rare_earths", "lithium", "cobalt", "nickel", "graphite", "copper", "gallium",
                  "germanium", "tungsten", "antimony", "manganese", "platinum_group_metals")
_CYCLE = ("orange", "sky_blue", "bluish_green", "yellow", "blue", "vermillion", "reddish_purple",
          "grey", "black")


def mineral_color(mineral_id: str) -> tuple[int, int, int]:
    """A stable palette colour for a mineral id (the 12 majors get distinct-first colours)."""
    if mineral_id in _MINERAL_ORDER:
        i = _MINERAL_ORDER.index(mineral_id)
    else:
        i = sum(map(ord, mineral_id))
    return OKABE_ITO[_CYCLE[i % len(_CYCLE)]]


def hex_color(rgb: tuple[int, int, int]) -> str:
    """``(230, 159, 0)`` -> ``"#e69f00"``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])
