"""The model page for teachers and admins (/models/): the active grader, its validation
metrics and confusion matrices, and earlier versions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from modeling import selectors


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
        "versions": versions,
    }
    return render(request, "modeling/grader.html", context)
