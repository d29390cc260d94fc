"""CLI streaming benchmark: `microloan age` and `microloan lift` over 100,000 and 1,000,000 rows.

Prints wall time and the peak resident memory of each run (from the child's rusage), to
show that memory does not grow with the number of rows: the CSV is streamed, and only
per-bucket or per-distinct-value counts are kept. Run: `python benchmarks/cli.py`.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def write_loans(path: Path, rows: int) -> None:
    rng = random.Random(20261128)
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write("loan_id,disbursed,principal,outstanding,days_past_due\n")
        for i in range(rows):
            disbursed = start + timedelta(days=rng.randrange(500))
            principal = rng.randrange(1_000, 1_000_000)
            dpd = 0 if rng.random() < 0.9 else rng.randrange(1, 400)
            out.write(f"L{i},{disbursed},{principal},{principal * 3 // 4},{dpd}\n")


def write_applicants(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        out.write("id,inquiries,overdue\n")
        for i in range(rows):
            q = rng.randrange(31)
            out.write(f"{i},{q},{1 if rng.random() < 0.03 + q / 150 else 0}\n")


def run(args: list[str]) -> tuple[float, float]:
    """Run the CLI; return (seconds, peak RSS in MiB) of that child alone."""
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "microloan", *args], stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status:
        msg = f"microloan {' '.join(args)} failed with status {status}"
        raise SystemExit(msg)
    return elapsed, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'command':<10}{'rows':>12}{'seconds':>10}{'peak MiB':>10}")
        for rows in (100_000, 1_000_000):
            loans, applicants = folder / f"loans{rows}.csv", folder / f"apps{rows}.csv"
            write_loans(loans, rows)
            write_applicants(applicants, rows)
            seconds, peak = run(["age", str(loans), "--on", "2026-06-30"])
            print(f"{'age':<10}{rows:>12,}{seconds:>10.1f}{peak:>10.1f}")
            seconds, peak = run(
                ["lift", str(applicants), "--value", "inquiries", "--bad", "overdue"]
            )
            print(f"{'lift':<10}{rows:>12,}{seconds:>10.1f}{peak:>10.1f}")


if __name__ == "__main__":
    main()
