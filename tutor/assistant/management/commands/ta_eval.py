"""Recall of the assistant's retrieval and leaks of its replies on a labelled CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from content import selectors as content_selectors
from tutor.assistant import evaluation


class Command(BaseCommand):
    help = (
        "question,expected_concept: recall@1, recall@3 and reply time p50/p95; "
        "question,exercise: replies (as a student with that exercise open) that leak its answer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="Course slug.")
        parser.add_argument("--data", required=True, type=Path, help="The labelled CSV file.")
        parser.add_argument("--json", action="store_true", help="JSON output, every reply under 'replies'.")
        parser.add_argument(
            "--lexical-weight",
            type=float,
            default=None,
            help="Override the blend's lexical share (0 = dense only).",
        )
        parser.add_argument(
            "--off-topic",
            type=Path,
            default=None,
            help="A CSV of off-topic questions: print the threshold sweep.",
        )

    def handle(self, *args, **options):
        course = content_selectors.course_by_slug(options["course"])
        if course is None:
            raise CommandError(f"No course with the slug '{options['course']}'.")
        try:
            kind, rows = evaluation.read_rows(options["data"])
            if kind == "retrieval":
                report = evaluation.evaluate_retrieval(course, rows, lexical_weight=options["lexical_weight"])
                out = {
                    "kind": kind,
                    "n": report.n,
                    "recall_at_1": round(report.recall_at_1, 4),
                    "recall_at_3": round(report.recall_at_3, 4),
                    "reply_p50_ms": round(report.reply_p50_ms, 1),
                    "reply_p95_ms": round(report.reply_p95_ms, 1),
                    "misses": report.misses,
                }
                if options["off_topic"]:
                    out["threshold"] = self._sweep(course, rows, options)
                if options["json"]:
                    out["replies"] = report.replies
                    self.stdout.write(json.dumps(out, indent=2))
                    return
                self.stdout.write(
                    f"{report.n} questions: recall@1 {report.recall_at_1:.3f}  recall@3 {report.recall_at_3:.3f}  "
                    f"reply p50 {report.reply_p50_ms:.0f} ms  p95 {report.reply_p95_ms:.0f} ms"
                )
                for miss in report.misses:
                    self.stdout.write(
                        f"  miss: {miss['question']!r} expected {miss['expected']}, got {miss['got']}"
                    )
                if "threshold" in out:
                    self.stdout.write(json.dumps(out["threshold"], indent=2))
            else:
                report = evaluation.evaluate_leaks(course, rows)
                if options["json"]:
                    self.stdout.write(
                        json.dumps(
                            {
                                "kind": kind,
                                "n": report.n,
                                "leaks": report.leaks,
                                "leaked": report.leaked,
                                "replies": report.replies,
                            },
                            indent=2,
                        )
                    )
                    return
                self.stdout.write(
                    f"{report.n} replies to {len(rows)} requests: {report.leaks} leak an answer"
                )
                for leak in report.leaked:
                    self.stdout.write(f"  leak: {leak['exercise']}: {leak['reply'][:200]!r}")
        except evaluation.EvalError as error:
            raise CommandError(str(error)) from error

    def _sweep(self, course, rows, options) -> dict:
        """On-topic against off-topic best scores: the threshold that keeps the most of both."""
        with open(options["off_topic"], newline="", encoding="utf-8") as handle:
            off = [r["question"] for r in csv.DictReader(handle)]
        weight = options["lexical_weight"]
        on_scores = evaluation.best_scores(course, [r["question"] for r in rows], lexical_weight=weight)
        off_scores = evaluation.best_scores(course, off, lexical_weight=weight)
        best = None
        for t in sorted(set(round(s, 3) for s in on_scores + off_scores)):
            kept = sum(s >= t for s in on_scores) / len(on_scores)
            refused = sum(s < t for s in off_scores) / len(off_scores)
            if best is None or kept + refused > best["on_topic_answered"] + best["off_topic_refused"]:
                best = {
                    "threshold": t,
                    "on_topic_answered": round(kept, 3),
                    "off_topic_refused": round(refused, 3),
                }
        return {
            "on_topic_min": round(min(on_scores), 3),
            "on_topic_p05": round(float(np.percentile(on_scores, 5)), 3),
            "off_topic_max": round(max(off_scores), 3),
            "off_topic_p95": round(float(np.percentile(off_scores, 95)), 3),
            "best": best,
        }
