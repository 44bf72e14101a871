"""What a benchmark module uses: :class:`Figure` to report, :func:`compare` to measure.

A module ``benchmarks/bench_<area>.py`` may define ``prepare(ctx)`` (load its data once into the
scratch database) and any number of ``bench_<name>(ctx) -> list[Figure]`` functions, run in the
order they are defined. Each figure pairs the measured value with a baseline measured in the same
run on the same data (raw SQL, raw COPY, a bare primitive…), so the ratio — not the absolute
number, which depends on the machine — is what to watch. No assertions: a benchmark reports.
:func:`compare` times the code and its baseline interleaved, round by round, keeping the median.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    benchmark: str
    figure: str
    value: float  # seconds per operation
    baseline: float  # seconds per operation of the baseline
    baseline_name: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")


@dataclass
class Context:
    """Shared by the benchmark functions of a run."""

    users: int
    repeat: int
    vendor: str
    database: str
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    state: dict = field(default_factory=dict)


def compare(
    benchmark: str, figure: str, fn, baseline, *, baseline_name: str, number: int, repeat: int
) -> Figure:
    """Time ``fn`` and ``baseline`` interleaved round by round, so drift (caches, CPU clock) hits both."""
    fn()
    baseline()
    ours, theirs = [], []
    for _ in range(repeat):
        for target, out in ((fn, ours), (baseline, theirs)):
            start = time.perf_counter()
            for _ in range(number):
                target()
            out.append((time.perf_counter() - start) / number)
    return Figure(benchmark, figure, statistics.median(ours), statistics.median(theirs), baseline_name)


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0–100) of ``samples``, linear between the nearest ranks."""
    data = sorted(samples)
    if len(data) == 1:
        return data[0]
    k = (len(data) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def percentile_compare(
    benchmark: str,
    figure: str,
    fn,
    baseline,
    values,
    *,
    baseline_name: str,
    rounds: int = 1,
    percentiles=(50, 95),
) -> list[Figure]:
    """Time ``fn(v)`` and ``baseline(v)`` once per value (interleaved, ``rounds`` passes after a warm-up
    pass) and report the given percentiles of the single-call latencies, one Figure per percentile:
    what a user waits for varies with the value looked up, so the tail matters, not just the median."""
    values = list(values)
    for v in values:
        fn(v)
        baseline(v)
    ours, theirs = [], []
    for _ in range(rounds):
        for v in values:
            for target, out in ((fn, ours), (baseline, theirs)):
                start = time.perf_counter()
                target(v)
                out.append(time.perf_counter() - start)
    return [
        Figure(benchmark, f"{figure}, p{p}", percentile(ours, p), percentile(theirs, p), baseline_name)
        for p in percentiles
    ]
