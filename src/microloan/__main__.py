"""Allow `python -m microloan`."""

import sys

from microloan.cli import main

if __name__ == "__main__":
    sys.exit(main())
