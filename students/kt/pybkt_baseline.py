"""Fit pyBKT on a training log and predict a test log: the baseline of `manage.py kt_eval`.

Runs under the separate virtual environment that `students.kt.baseline` makes (pyBKT 1.4.3
needs numpy 1.26, which the project's numpy 2 excludes), so it imports nothing from the
project. Usage:

    python pybkt_baseline.py TRAIN.csv TEST.csv PREDICTIONS.csv [--seed S] [--num-fits N]

Both CSVs are in the shared log format with a leading ``row`` column. pyBKT fits standard
per-skill BKT (no forgetting, one guess/slip per skill) by EM and predicts every test row
from its skill's state before that row; the rows of one multi-skill answer sit in
different skills' models, so no row sees a sibling's outcome. Writes ``row,prediction`` to
PREDICTIONS.csv and prints one JSON object with timings.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd
import pyBKT
from pyBKT.models import Model

COLUMN_MAP = {
    "order_id": "position",
    "user_id": "user_id",
    "skill_name": "skill_name",
    "correct": "correct",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("predictions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-fits", type=int, default=5)
    args = parser.parse_args()

    dtypes = {"user_id": str, "skill_name": str, "problem_id": str}
    train = pd.read_csv(args.train, dtype=dtypes)
    test = pd.read_csv(args.test, dtype=dtypes)
    # pyBKT reads binary outcomes; a partial score is thresholded at one half for it.
    for frame in (train, test):
        frame["correct"] = (frame["correct"] >= 0.5).astype(int)
        # Its `order_id` orders rows globally; make it unique across students.
        frame.sort_values(["user_id", "position"], inplace=True, kind="stable")
        frame["position"] = range(len(frame))

    model = Model(seed=args.seed, num_fits=args.num_fits)
    started = time.perf_counter()
    model.fit(data=train, defaults=COLUMN_MAP)
    fit_seconds = time.perf_counter() - started

    # Skills that the training log lacks cannot be predicted by pyBKT; they get the
    # training rate of correct answers (the caller reports how many).
    known = set(train["skill_name"].unique())
    seen = test[test["skill_name"].isin(known)]
    started = time.perf_counter()
    predicted = model.predict(data=seen)  # reuses the column names given to fit
    predict_seconds = time.perf_counter() - started
    by_row = dict(zip(predicted["row"], predicted["correct_predictions"].astype(float), strict=True))
    fallback = float(train["correct"].mean())
    out = pd.DataFrame({"row": test["row"], "prediction": [by_row.get(r, fallback) for r in test["row"]]})
    out.sort_values("row").to_csv(args.predictions, index=False)
    print(
        json.dumps(
            {
                "pybkt_version": getattr(pyBKT, "__version__", "1.4.3"),
                "fit_seconds": fit_seconds,
                "predict_seconds": predict_seconds,
                "n_train": len(train),
                "n_test": len(test),
                "n_unseen_skill_rows": int(len(test) - len(seen)),
                "num_fits": args.num_fits,
                "seed": args.seed,
            }
        )
    )


if __name__ == "__main__":
    main()
