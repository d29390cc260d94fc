"""The command-line how-to's console sessions, replayed: every command prints what the page shows."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "how-to" / "command-line.md"
_BLOCK = re.compile(r"^```(console|python)\n(.*?)^```", re.DOTALL | re.MULTILINE)
_CHECKER = doctest.OutputChecker()


def _sessions(text: str) -> list[tuple[str, str]]:
    """The page's blocks in order: ("python", code) or ("$", command) with its output after it."""
    steps: list[tuple[str, str]] = []
    for kind, body in _BLOCK.findall(text):
        if kind == "python":
            steps.append(("python", body))
            continue
        for chunk in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            steps.append((command, output))
    return steps


def _pythonpath() -> str:
    """The caller's import path made absolute, the source tree first: commands run elsewhere."""
    parts = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    return os.pathsep.join([str(ROOT / "src"), *(str(Path(p).resolve()) for p in parts if p)])


def _matches(want: str, got: str) -> bool:
    return _CHECKER.check_output(want, got, doctest.ELLIPSIS)


def _replay(command: str, want: str, cwd: Path, status: list[int]) -> str | None:
    """Run one command of the page in `cwd`; return what it printed if that is not `want`."""
    program, *args = shlex.split(command)
    if program == "cat" and not (cwd / args[0]).exists():
        (cwd / args[0]).write_text(want, encoding="utf-8")  # the page shows the file: make it
        return None
    if program in {"cat", "head"}:
        lines = (cwd / args[-1]).read_text(encoding="utf-8").splitlines(keepends=True)
        got = "".join(lines[: int(args[0].lstrip("-"))] if program == "head" else lines)
    elif program == "echo":
        got = f"{status[-1]}\n"
    else:
        assert program == "microloan", f"the page runs an unknown command: {command}"
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "microloan", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            cwd=cwd,
            env={**os.environ, "COLUMNS": "80", "PYTHONPATH": _pythonpath()},
        )
        got = result.stdout
        status.append(result.returncode)
        expected_status = 2 if ": error: " in want else 0
        assert result.returncode == expected_status, (command, result.returncode, got)
    return None if _matches(want, got) else got


def test_command_line_page_shows_what_each_command_prints(tmp_path: Path) -> None:
    """Each console command on the how-to page, run in order, prints exactly the output shown."""
    steps = _sessions(PAGE.read_text(encoding="utf-8"))
    assert sum(step == "python" for step, _ in steps) == 1
    assert sum(step.startswith("microloan ") for step, _ in steps) >= 12
    status: list[int] = []
    for command, text in steps:
        if command == "python":
            script = tmp_path / "make_data.py"
            script.write_text(text, encoding="utf-8")
            subprocess.run([sys.executable, str(script)], cwd=tmp_path, check=True)  # noqa: S603
            continue
        got = _replay(command, text, tmp_path, status)
        assert got is None, (
            f"$ {command}\n--- the page shows:\n{text}--- the command prints:\n{got}"
        )
