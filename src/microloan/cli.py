"""The `microloan` command line (also `python -m microloan`).

Standard-library `argparse` only. Errors print one line on standard error and
exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from microloan._version import __version__
from microloan.errors import MicroloanError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microloan",
        description="Exact arithmetic for online micro-lending.",
        epilog="Example: microloan demo",
    )
    parser.add_argument("--version", action="version", version=f"microloan {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "demo",
        help="print a short tour of what the library can do",
        description="Print a short tour of what the library can do.",
        epilog="Example: microloan demo",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`) and return the exit status.

    Examples:
        >>> main(["--version"])  # doctest: +SKIP
        microloan 0.1.0.dev0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            from microloan._demo import run_demo  # noqa: PLC0415 - only the tour needs it

            run_demo()
            return 0
    except MicroloanError as exc:
        print(f"microloan: error: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 0
