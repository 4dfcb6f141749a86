"""One visual style for every chart in the book and the briefing.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); categories that must also survive black-and-white printing get a
marker symbol or dash pattern as well as a colour.
"""
from __future__ import annotations

from libyareport.evidence.labels import Labels

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#7F7F7F",
}

SIDE_COLOURS = {
    "lna": OKABE_ITO["vermillion"],
    "gna": OKABE_ITO["blue"],
    "neutral": OKABE_ITO["grey"],
    "mixed": OKABE_ITO["purple"],
    "other": OKABE_ITO["black"],
}
SIDE_LABELS = Labels("actors", "side")
TIER_SYMBOLS = {"corpus": "circle", "context": "diamond-open", "commentary": "x"}
TIER_LABELS = {
    "corpus": "Corpus (quoted)",
    "context": "Public record (cited)",
    "commentary": "Forum commentary",
}
SEQUENCE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
FONT = "DejaVu Sans, Arial, sans-serif"



def base_layout(title: str, x_title: str | None = None, y_title: str | None = None, height: int = 420) -> dict:
    """Layout shared by every figure: title, axis labels, legend below, readable fonts."""
    layout: dict = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 12, "color": "#222"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        "hoverlabel": {"align": "left"},
    }
    axis = {"showline": True, "linecolor": "#444", "gridcolor": "#e5e5e5", "zeroline": False}
    layout["xaxis"] = {**axis, "title": {"text": x_title or ""}}
    layout["yaxis"] = {**axis, "title": {"text": y_title or ""}}
    return layout
