"""The model page for teachers and admins (/models/): the active grader, its validation
metrics and confusion matrices, how far its confidence can be trusted (calibration, the
auto-accept threshold), what share of answers built to game it it grades correct, and
earlier versions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from modeling import selectors
from modeling.grader.adversarial import TARGETS
from students import selectors as student_selectors


def _matrix(confusion: dict | None) -> dict | None:
    if not confusion:
        return None
    labels, matrix = confusion["labels"], confusion["matrix"]
    return {
        "labels": [label.replace("_", " ") for label in labels],
        "rows": [
            {"label": labels[i].replace("_", " "), "cells": row, "total": sum(row)}
            for i, row in enumerate(matrix)
        ],
    }


def grader_page(request: HttpRequest) -> HttpResponse:
    versions = selectors.grader_versions()
    active = next((v for v in versions if v.is_active), None)
    # "AI agreement": how often teachers, reviewing a version's grades, kept them.
    agreement = {a.version: a for a in student_selectors.grader_agreement_by_version()}
    for v in versions:
        v.agreement = agreement.get(v.version)
    validation = (active.metrics or {}) if active else {}  # the validation-split figures
    figures = [
        (
            way,
            validation.get(f"acc_{way}"),
            validation.get(f"macro_f1_{way}"),
            validation.get(f"weighted_f1_{way}"),
        )
        for way in ("5way", "3way", "2way")
    ]
    context = {
        "active": active,
        "figures": figures,
        "n": validation.get("n"),
        "score_r": validation.get("score_pearson_r"),
        "score_rmse": validation.get("score_rmse"),
        "matrices": [(way, _matrix(validation.get(f"confusion_{way}"))) for way in ("5way", "3way")],
        "trust": _trust(active, validation) if active else None,
        "adversarial": _adversarial(validation),
        "versions": versions,
    }
    return render(request, "modeling/grader.html", context)


def _trust(active, validation: dict) -> dict:
    """The calibration figures of a version; a version trained before calibration has none."""
    return {
        "calibrated": active.calibrated,
        "temperature": active.temperature,
        "threshold": active.auto_accept_threshold,
        "ece": validation.get("ece_3way"),
        "auto_share": validation.get("auto_share"),
        "auto_acc": validation.get("auto_acc_3way"),
        "teacher_agreement": active.agreement,
    }


def _adversarial(validation: dict) -> list[dict]:
    rows = []
    for name, figures in (validation.get("adversarial") or {}).items():
        if not figures.get("n") or name not in TARGETS:
            continue
        bound, target = TARGETS[name]
        share = figures["correct_share"]
        rows.append(
            {
                "name": name.replace("_", " "),
                "n": figures["n"],
                "share": share,
                "model_alone": figures.get("model_alone_share"),
                "target": f"{bound} {100 * target:.0f}%",
                "met": share <= target if bound == "at most" else share >= target,
            }
        )
    return rows
