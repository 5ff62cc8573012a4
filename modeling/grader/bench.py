"""Throughput of a loaded grader: one answer per call against one batched call.

Pure (no Django): ``grader_bench`` calls it with the active version, and it runs as well on
a GPU host with nothing but the model folder (``python -m modeling.grader.bench FOLDER``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from modeling.grader.engine import Grader, GradingInput


@dataclass(frozen=True)
class Throughput:
    device: str
    precision: str
    threads: int
    answers: int
    one_at_a_time: float  # answers per second
    batched: float

    @property
    def ratio(self) -> float:
        return self.batched / self.one_at_a_time


def _sync(grader: Grader) -> None:
    if grader.device.type == "cuda":
        torch.cuda.synchronize(grader.device)


def measure_throughput(grader: Grader, items: Sequence[GradingInput], *, repeats: int = 1) -> Throughput:
    """Answers per second grading ``items`` one call each, then all in one call (the median
    of ``repeats`` timings of each); a warm-up call first, since the first calls allocate."""
    if not items:
        raise ValueError("Throughput needs at least one answer.")
    grader.grade(list(items[:8]))
    grader.grade([items[0]])
    singles, batches = [], []
    for _ in range(repeats):
        _sync(grader)
        started = time.perf_counter()
        for item in items:
            grader.grade([item])
        _sync(grader)
        singles.append(len(items) / (time.perf_counter() - started))
        started = time.perf_counter()
        grader.grade(list(items))
        _sync(grader)
        batches.append(len(items) / (time.perf_counter() - started))
    device = str(grader.device)
    if grader.device.type == "cuda":
        device += f" ({torch.cuda.get_device_name(grader.device)})"
    if grader.device.type == "cuda":
        precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    else:
        precision = "bf16" if grader.cpu_bf16 else "fp32"
    return Throughput(
        device=device,
        precision=precision,
        threads=torch.get_num_threads(),
        answers=len(items),
        one_at_a_time=sorted(singles)[len(singles) // 2],
        batched=sorted(batches)[len(batches) // 2],
    )


def report(result: Throughput) -> list[str]:
    return [
        f"throughput on {result.device}, {result.precision} ({result.threads} torch threads), "
        f"{result.answers} answers:",
        f"  one at a time: {result.one_at_a_time:8.1f} answers/s",
        f"  batched:       {result.batched:8.1f} answers/s",
        f"  ratio:         {result.ratio:8.2f}x",
    ]


if __name__ == "__main__":  # python -m modeling.grader.bench FOLDER [CSV ...] [--n N] [--device D]
    import argparse
    from pathlib import Path

    from modeling.grader.data import load_labelled
    from modeling.grader.engine import resolve_cpu_bf16, resolve_device

    parser = argparse.ArgumentParser(description="Grader throughput, one at a time vs batched.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cpu-bf16", choices=("auto", "on", "off"), default="auto")
    args = parser.parse_args()
    examples = [e for path in args.data for e in load_labelled(path)]
    step = max(1, len(examples) // args.n)
    chosen = [
        GradingInput(e.question, e.reference_answers, e.student_answer) for e in examples[::step][: args.n]
    ]
    loaded = Grader.from_folder(
        args.folder,
        version=args.folder.name,
        device=resolve_device(args.device),
        cpu_bf16=resolve_cpu_bf16(args.cpu_bf16),
    )
    print("\n".join(report(measure_throughput(loaded, chosen, repeats=args.repeats))))
