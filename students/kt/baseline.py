"""The pyBKT baseline, run in its own virtual environment as a subprocess.

pyBKT 1.4.3 breaks with numpy 2.x and scikit-learn 1.9, which the project uses, so it
gets a separate environment with the versions it works with (see the data README), made on
first use with ``python3 -m venv`` and pip. `pybkt_baseline.py` runs in it on CSVs of
the same split; its predictions are scored here by the same metric code as ours.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from students.kt.data import AttemptLog

PYBKT_PINS = ("numpy==1.26.4", "scipy==1.13.1", "scikit-learn==1.6.1", "pandas==2.3.3", "pyBKT==1.4.3")
SCRIPT = Path(__file__).with_name("pybkt_baseline.py")


class BaselineError(RuntimeError):
    """The baseline's environment or run failed; the message says which step."""


def default_venv() -> Path:
    """``var/pybkt-venv`` under the project root (``var/`` is ignored by git)."""
    return Path(__file__).resolve().parents[2] / "var" / "pybkt-venv"


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(venv: Path | None = None, *, log=print) -> Path:
    """The baseline environment's python, creating the environment when it is missing.

    A marker file records the pins it was made with; a different set is reinstalled.
    """
    venv = venv or default_venv()
    python = _python(venv)
    marker = venv / ".kt-baseline-pins"
    wanted = "\n".join(PYBKT_PINS)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    if not python.exists():
        log(f"Creating the pyBKT environment at {venv} ...")
        base = shutil.which("python3") or sys.executable
        _run([base, "-m", "venv", str(venv)], "create the venv")
    log(f"Installing {', '.join(PYBKT_PINS)} ...")
    _run([str(python), "-m", "pip", "install", "--quiet", *PYBKT_PINS], "install pyBKT and its pins")
    marker.write_text(wanted)
    return python


def _run(cmd: list[str], what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BaselineError(f"Could not {what} (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done


def run_pybkt(
    train: AttemptLog,
    test: AttemptLog,
    *,
    seed: int = 0,
    num_fits: int = 5,
    venv: Path | None = None,
    log=print,
) -> tuple[np.ndarray, dict[str, Any]]:
    """(predictions for the test rows in `test`'s order, pyBKT's run facts)."""
    python = ensure_venv(venv, log=log)
    with tempfile.TemporaryDirectory(prefix="kt-pybkt-") as tmp:
        train_csv, test_csv, out_csv = Path(tmp, "train.csv"), Path(tmp, "test.csv"), Path(tmp, "pred.csv")
        train.write_csv(train_csv)
        test.write_csv(test_csv)
        log(f"Fitting pyBKT on {len(train)} rows (slow: pure-Python EM) ...")
        done = _run(
            [
                str(python),
                str(SCRIPT),
                str(train_csv),
                str(test_csv),
                str(out_csv),
                "--seed",
                str(seed),
                "--num-fits",
                str(num_fits),
            ],
            "run pyBKT",
        )
        facts = json.loads(done.stdout.strip().splitlines()[-1])
        table = np.loadtxt(out_csv, delimiter=",", skiprows=1, ndmin=2)
    predictions = np.empty(len(test))
    predictions[table[:, 0].astype(np.int64)] = table[:, 1]
    return predictions, facts
