"""The documentation site: attrs classes show their constructor, Chinese terms are searchable."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML, which mkdocs brings, ships no types

import microloan

ROOT = Path(__file__).resolve().parent.parent
#: The terms a Chinese-speaking reader searches for, each on several pages.
CHINESE_TERMS = ("等额本息", "罚息", "授信")


def _mkdocs_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return config


def _search_options() -> dict[str, Any]:
    for plugin in _mkdocs_config()["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            options: dict[str, Any] = plugin["search"]
            return options
    pytest.fail("mkdocs.yml has no configured search plugin")


# -- constructor signatures ------------------------------------------------------------------


def test_every_attrs_class_of_the_reference_gets_its_constructor_signature() -> None:
    """The griffe extension gives each public attrs class the `__init__` attrs generated:
    the same parameter names, kinds and defaults as `inspect.signature` of the class."""
    griffe = pytest.importorskip("griffe")
    from docs_hooks.attrs_signatures import AttrsSignatures

    package = griffe.load(
        "microloan",
        search_paths=[str(ROOT / "src")],
        extensions=griffe.Extensions(AttrsSignatures()),
    )
    checked = []
    for name in microloan.__all__:
        cls = getattr(microloan, name)
        if not (inspect.isclass(cls) and attrs.has(cls)):
            continue
        home = microloan._public.defining_module(cls)
        assert home is not None, name
        init = package[f"{home.removeprefix('microloan.')}.{cls.__name__}"].members["__init__"]
        shown = [(p.name, p.kind.value, p.default) for p in init.parameters][1:]  # after self
        factories = {f.alias: f.default for f in attrs.fields(cls) if f.init}
        expected = [
            (
                p.name,
                p.kind.description,
                None
                if p.default is p.empty
                # attrs writes `=NOTHING` for a factory and calls it in the body
                else _shown_default(factories[p.name] if p.default is attrs.NOTHING else p.default),
            )
            for p in inspect.signature(cls).parameters.values()
        ]
        assert shown == expected, name
        checked.append(name)
    assert {"ServicingTerms", "LoanRecord", "CutBins", "Applicant"} <= set(checked)


def _shown_default(value: object) -> str:
    if isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        factory = value.factory  # type: ignore[attr-defined]
        return f"{factory.__name__}()" if isinstance(factory, type) else "<factory>"
    return repr(value)


# -- search in Chinese -----------------------------------------------------------------------


def test_the_search_separator_splits_at_word_cuts_and_chinese_punctuation() -> None:
    """The index's separator cuts at jieba's zero-width spaces and at Chinese punctuation,
    so a term in parentheses or beside a comma is a word of its own."""
    separator = re.compile(_search_options()["separator"].replace("\\u200b", "\u200b"))
    text = "the penalty interest (\u200b罚息\u200b) and 授信\u200b，\u200b等额本息\u200b。"
    words = [w for w in separator.split(text) if w]
    assert {"罚息", "授信", "等额本息"} <= set(words)


def test_jieba_keeps_the_domains_terms_whole_with_the_sites_dictionary() -> None:
    """With the site's user dictionary, jieba cuts 按月等额本息 and 授信有效期 around the terms."""
    jieba = pytest.importorskip("jieba")
    jieba.setLogLevel(60)  # quiet: no "Building prefix dict" on standard error
    cutter = jieba.Tokenizer()  # not jieba's global one
    with (ROOT / _search_options()["jieba_dict_user"]).open("rb") as terms:
        cutter.load_userdict(terms)
    assert "等额本息" in cutter.lcut("按月等额本息")
    assert "授信" in cutter.lcut("授信有效期")
    assert "罚息" in cutter.lcut("逾期本金的罚息按日计")


@pytest.mark.skipif(
    not os.environ.get("MICROLOAN_SITE") or shutil.which("node") is None,
    reason="set MICROLOAN_SITE to a built site (mkdocs build --site-dir ...); needs node",
)
def test_each_chinese_term_is_found_on_every_page_that_contains_it() -> None:
    """Material's own search worker, run under Node over the built index, finds 等额本息, 罚息
    and 授信 on every page whose text holds them."""
    site = Path(os.environ["MICROLOAN_SITE"])
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    result = subprocess.run(  # noqa: S603 - node, on our own script
        [
            shutil.which("node") or "node",
            str(ROOT / "tests" / "search_worker.js"),
            str(site),
            *CHINESE_TERMS,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, list[str]] = json.loads(result.stdout)
    for term in CHINESE_TERMS:
        holding = {
            doc["location"].split("#")[0]
            for doc in index["docs"]
            if term in (doc["title"] + doc["text"]).replace("\u200b", "")
        }
        assert len(holding) >= 2, term
        assert holding <= set(found[term]), (term, sorted(holding - set(found[term])))
