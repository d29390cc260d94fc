"""MkDocs hook: publish the JSON Schema of every document type, generated at build time.

Registered under `hooks:` in mkdocs.yml. Each type's `microloan.json_schema(cls)` becomes
`schemas/NAME.schema.json` in the site (added in `on_files`, so links to it are checked
like any other file), and the page `reference/json-schema.md` gets, in place of its
`<!-- json-schemas -->` marker, one section per type: its fields as a table and a link to
the schema file. Nothing is written by hand, so a field a class gains is on the page.

Examples:
    >>> describe({"type": "array", "items": {"$ref": "#/$defs/Money"}})
    'array of [Money](#money)'
    >>> describe({"anyOf": [{"enum": ["monthly", "weekly"]}, {"type": "integer"}]})
    '`"monthly"` / `"weekly"` or integer'
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any, Final

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

SCHEMA_DIR: Final = "schemas"
PAGE: Final = "reference/json-schema.md"
MARKER: Final = "<!-- json-schemas -->"


def _microloan() -> Any:  # noqa: ANN401 - the package, imported from the source tree
    return importlib.import_module("microloan")


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every registered type's documents, by type name."""
    microloan = _microloan()
    return {
        name: microloan.json_schema(cls) for name, cls in microloan.serializable_types().items()
    }


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Put the source tree first on the path, so the schemas are those of this checkout."""
    root = Path(config.config_file_path).resolve().parent
    for path in (root / "src", root):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    return config


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add `schemas/NAME.schema.json` for every document type."""
    for name, schema in schemas().items():
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        files.append(File.generated(config, f"{SCHEMA_DIR}/{name}.schema.json", content=text))
    return files


def on_page_markdown(markdown: str, *, page: Page, **_: object) -> str:
    """Render the schemas into the JSON Schema reference page."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE}: the marker {MARKER} is missing")
    return markdown.replace(MARKER, render(schemas()))


def render(all_schemas: dict[str, dict[str, Any]]) -> str:
    """One section per type (the registered ones, then the nested private ones)."""
    sections: dict[str, dict[str, Any]] = {}
    for name, schema in all_schemas.items():
        sections[name] = schema
        for nested, definition in schema.get("$defs", {}).items():
            if nested not in all_schemas and "properties" in definition and "." not in nested:
                sections.setdefault(nested, definition)
    out = []
    for name in sorted(sections, key=lambda n: (n.startswith("_"), n.lower())):
        schema = sections[name]
        out.append(f"## {name}\n")
        if schema.get("description"):
            out.append(f"{schema['description']}\n")
        if name in all_schemas:
            out.append(
                f"Schema: [`{name}.schema.json`](../{SCHEMA_DIR}/{name}.schema.json). "
                f'A document is an object with `"type": "{name}"`, `"version"` and these fields:\n'
            )
        else:
            out.append("Nested in other documents only, with these fields:\n")
        out.append(_table(schema))
    return "\n".join(out)


def _table(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", ()))
    rows = ["| field | JSON | required | default | what it is |", "| --- | --- | --- | --- | --- |"]
    for key, field in schema["properties"].items():
        if key in ("type", "version") and "const" in (field if isinstance(field, dict) else {}):
            continue
        details = field if isinstance(field, dict) else {}
        default = f"`{json.dumps(details['default'])}`" if "default" in details else ""
        cells = [
            f"`{key}`",
            describe(field),
            "yes" if key in required else "no",
            default,
            details.get("description", ""),
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


def describe(schema: object) -> str:  # noqa: C901, PLR0911, PLR0912 - one answer per form
    """A JSON Schema in a few words, nested types linked to their sections."""
    if schema is False:
        return "nothing (no JSON form; `null` only where the field is optional)"
    if not isinstance(schema, dict) or not schema:
        return "any value"
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        if name == "scalar":
            return 'a string, number, boolean or null, `{"decimal": …}`, `{"date": …}`, `{"datetime": …}`, or an array of such'
        if name.endswith(".tagged"):
            base = name.removesuffix(".tagged")
            return f'[{base}](#{base.lower()}) with its `"type"`'
        return f"[{name}](#{name.lower()})"
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return " / ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(describe(arm) for arm in schema["anyOf"])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date":
            return "date `YYYY-MM-DD`"
        if "pattern" in schema and "description" in schema:
            return "date and time (ISO 8601)"
        if "pattern" in schema:
            return 'decimal string (`"1.50"`)'
        return "string"
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(describe(item) for item in schema["prefixItems"]) + "]"
        unique = ", no repeats" if schema.get("uniqueItems") else ""
        return f"array of {describe(schema.get('items', {}))}{unique}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {describe(schema['additionalProperties'])}"
    if isinstance(kind, str):
        return kind
    return "any value"
