"""The SemEval-2013 Task 7 label sets and the mappings between them."""

from __future__ import annotations

LABELS_5WAY: tuple[str, ...] = (
    "correct",
    "partially_correct_incomplete",
    "contradictory",
    "irrelevant",
    "non_domain",
)
LABELS_3WAY: tuple[str, ...] = ("correct", "contradictory", "incorrect")
LABELS_2WAY: tuple[str, ...] = ("correct", "incorrect")

# The data README: 3-way keeps correct and contradictory and folds the other three into
# incorrect; 2-way keeps correct and folds everything else into incorrect.
TO_3WAY: dict[str, str] = {
    "correct": "correct",
    "partially_correct_incomplete": "incorrect",
    "contradictory": "contradictory",
    "irrelevant": "incorrect",
    "non_domain": "incorrect",
}
TO_2WAY: dict[str, str] = {label: ("correct" if label == "correct" else "incorrect") for label in LABELS_5WAY}

# Credit a label earns: a partially correct answer earns half.
CREDIT: dict[str, float] = {
    "correct": 1.0,
    "partially_correct_incomplete": 0.5,
    "contradictory": 0.0,
    "irrelevant": 0.0,
    "non_domain": 0.0,
}

LABELS_BY_WAY: dict[str, tuple[str, ...]] = {"5way": LABELS_5WAY, "3way": LABELS_3WAY, "2way": LABELS_2WAY}


def coarsen(label_5way: str, way: str) -> str:
    """The label ``label_5way`` becomes in the ``way`` label set ("5way", "3way" or "2way")."""
    if way == "5way":
        return label_5way
    if way == "3way":
        return TO_3WAY[label_5way]
    if way == "2way":
        return TO_2WAY[label_5way]
    raise ValueError(f"Unknown label set {way!r}; expected 5way, 3way or 2way.")


def coarse_probabilities(probabilities_5way: dict[str, float], way: str) -> dict[str, float]:
    """Probabilities of a coarser label set: the sum of the 5-way labels each one folds in."""
    out = dict.fromkeys(LABELS_BY_WAY[way], 0.0)
    for label, p in probabilities_5way.items():
        out[coarsen(label, way)] += p
    return out
