"""Rank-robustness speed: ``python -m benchmarks.robustness [--runs 5] [--variants 200]``.

Scores every county under the alternative schemes (``scoring.robustness.rank_robustness``) for 10 and for 2,800
synthetic counties, under the default scheme and under a five-measure weighted
百分制 scheme, and prints the median seconds of several runs against the targets (0.5 s and 5 s). Pure arrays, no
database: ``measure_table`` is what the records layer hands over. ``robustness_figures`` returns the figures, so
``benchmarks.bench`` can add them to its table.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from scoring import Measure, ScoringRule
from scoring.robustness import RobustnessSettings, rank_robustness

TARGETS_S = {10: 0.5, 2800: 5.0}
WIDE_SCHEME = ScoringRule(
    name="五项加权百分制",
    method="share",
    measures=(
        Measure("inspections", weight=0.3),
        Measure("cases", weight=0.2),
        Measure("fines", weight=0.2),
        Measure("hazards_found", weight=0.2),
        Measure("rectification_rate", weight=0.1),
    ),
)


def measure_table(counties: int, seed: int = 7) -> pd.DataFrame:
    """Per-county figures shaped like a half-year's: counts with many ties, fines in 万元 to the cent."""
    generator = np.random.default_rng(seed)
    inspections = generator.poisson(120, counties)
    cases = generator.binomial(inspections, 0.06)
    return pd.DataFrame(
        {
            "county_code": np.arange(counties) + 100000,
            "county": [f"县{i:04d}" for i in range(counties)],
            "inspections": inspections,
            "cases": cases,
            "fines": np.round(cases * generator.gamma(2.0, 0.6, counties), 2),
            "hazards_found": generator.poisson(300, counties),
            "rectification_rate": np.round(generator.uniform(40, 100, counties), 1),
        }
    )


def median_seconds(table: pd.DataFrame, rule: ScoringRule, settings: RobustnessSettings, runs: int) -> float:
    rank_robustness(table, rule, settings)  # warm: first calls import and allocate
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rank_robustness(table, rule, settings)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def robustness_figures(runs: int = 5, variants: int = 200) -> list[dict[str, object]]:
    """One row per (counties, scheme): the median seconds and whether it is within the target."""
    settings = RobustnessSettings(variants=variants)
    rows: list[dict[str, object]] = []
    for counties in TARGETS_S:
        table = measure_table(counties)
        for rule in (ScoringRule(), WIDE_SCHEME):
            seconds = median_seconds(table, rule, settings, runs)
            rows.append(
                {
                    "counties": counties,
                    "measures": len(rule.measures),
                    "method": rule.method,
                    "variants": variants,
                    "seconds": seconds,
                    "target_s": TARGETS_S[counties],
                    "ok": seconds < TARGETS_S[counties],
                }
            )
    return rows


def robustness_report(rows: list[dict[str, object]]) -> str:
    """The figures as a Markdown table, as ``python -m benchmarks.bench`` and this module print them."""
    lines = [
        "| counties | measures | method | variants | median s | target s | ok |",
        "|---:|---:|---|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['counties']:,} | {row['measures']} | {row['method']} | {row['variants']} | "
            f"{row['seconds']:.4f} | {row['target_s']} | {'yes' if row['ok'] else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.robustness", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", type=int, default=200)
    args = parser.parse_args(argv)
    rows = robustness_figures(args.runs, args.variants)
    print(robustness_report(rows))
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
