"""The command line: `microloan demo` through a real subprocess."""

from __future__ import annotations

import subprocess
import sys


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "microloan", *args], capture_output=True, text=True, check=False
    )


def test_demo_runs_and_prints_the_tour() -> None:
    """`python -m microloan demo` exits 0 and prints each section."""
    result = _run("demo")
    assert result.returncode == 0, result.stderr
    assert "== Money and rates ==" in result.stdout


def test_version_flag() -> None:
    """--version prints the package version."""
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("microloan ")
