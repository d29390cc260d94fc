"""MkDocs hook: draw the charts at build time and add them to the site as generated files.

Registered under `hooks:` in mkdocs.yml. The charts (see `docs_hooks/charts.py`) become
`assets/charts/NAME.png` in the site; because they are added in `on_files`, pages link to
them like any other file and `mkdocs build --strict` checks those links.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Final

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

CHART_DIR: Final = "assets/charts"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add every chart to the site's files, rendered from the library's own numbers."""
    root = Path(config.config_file_path).resolve().parent
    for path in (root / "src", root):  # microloan and docs_hooks, installed or not
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    charts = importlib.import_module("docs_hooks.charts")
    rendered: dict[str, bytes] = charts.render_all()
    for name, png in rendered.items():
        files.append(File.generated(config, f"{CHART_DIR}/{name}", content=png))
    return files
