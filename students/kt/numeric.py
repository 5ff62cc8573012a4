"""The logistic link: ``logit`` and ``sigmoid``, the one implementation for the student
model, its fitting, the tutor's pedagogy and the learner simulator.

Why the clamp of ``logit`` is a parameter: the log-odds of 0 or 1 are infinite, so a caller
keeps ``p`` off the ends by ``eps``, and how far depends on what the number is for.

* ``1e-9`` (the default): the student model's blend (``students.kt.model``), its
  multi-concept combination (``students.kt.bkt``) and the fitting of item difficulties
  (``students.kt.train``). A probability there is a prediction that may come arbitrarily
  close to 0 or 1; the clamp only keeps the log finite, and is far below any difference the
  evaluation can see.
* ``1e-6``: the learner simulator's hidden guess and slip rates (``tutor.pedagogy.simulation``),
  drawn from Beta distributions that can return values within rounding of 0 or 1.
* ``0.0`` (no clamp): a caller whose ``p`` is strictly inside (0, 1) by construction (the
  pedagogy's mastery threshold, capped below 1), where a clamp would hide a bug.

The figures the tutor has published were computed with these clamps; changing one changes
them (slightly), so each caller passes its own.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np

DEFAULT_EPS = 1e-9


@overload
def logit(p: float, eps: float = DEFAULT_EPS) -> float: ...


@overload
def logit(p: np.ndarray, eps: float = DEFAULT_EPS) -> np.ndarray: ...


def logit(p: float | np.ndarray, eps: float = DEFAULT_EPS) -> float | np.ndarray:
    """log(p / (1 - p)), with ``p`` first clamped to [eps, 1 - eps] (see the module
    docstring). Takes a float (computed with ``math``) or a numpy array (elementwise, with
    numpy): the two libraries may round the last bit differently, so each caller keeps the
    one it used."""
    if not 0.0 <= eps < 0.5:
        raise ValueError(f"The clamp of logit lies in [0, 0.5); got {eps!r}.")
    if isinstance(p, np.ndarray):
        p = np.clip(p, eps, 1.0 - eps)
        return np.log(p / (1.0 - p))
    p = min(max(p, eps), 1.0 - eps)
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    """1 / (1 + exp(-x)), without overflow: for a very negative x, exp(-x) would overflow,
    so the equivalent exp(x) / (1 + exp(x)) is computed there instead."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


__all__ = ["DEFAULT_EPS", "logit", "sigmoid"]
