r"""MkDocs hook: typeset the formulas at build time, as MathML, so pages need no script.

`pymdownx.arithmatex` (generic mode) marks each formula as `<span class="arithmatex">\(…\)</span>`
or `<div class="arithmatex">\[…\]</div>`; this hook replaces the TeX inside with the MathML
`latex2mathml` writes, which browsers display natively, offline included. A formula the
converter cannot read fails the build, naming the page and the formula.
"""

from __future__ import annotations

import html
import re
from typing import Any, Final

from latex2mathml.converter import convert

_FORMULA: Final = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*\\(?P<open>[(\[])(?P<tex>.*?)\\[)\]]\s*</(?P=tag)>',
    re.DOTALL,
)


def typeset(page_html: str, where: str = "a page") -> str:
    r"""Every arithmatex formula of `page_html` as MathML (display formulas as blocks).

    >>> typeset('<p>rate <span class="arithmatex">\\(i &lt; 1\\)</span></p>')[:56]
    '<p>rate <span class="math"><math xmlns="http://www.w3.or'
    """

    def mathml(match: re.Match[str]) -> str:
        tex = html.unescape(match["tex"]).strip()
        display = match["open"] == "["
        try:
            rendered = convert(tex, display="block" if display else "inline")
        except Exception as exc:  # the converter raises plain exceptions
            raise ValueError(f"{where}: cannot typeset the formula {tex!r}: {exc}") from exc
        tag = "div" if display else "span"
        return f'<{tag} class="math">{rendered}</{tag}>'

    return _FORMULA.sub(mathml, page_html)


def on_page_content(page_html: str, *, page: Any, **_: Any) -> str:  # noqa: ANN401 - mkdocs' hook signature
    """Typeset the formulas of each page once its Markdown is HTML."""
    return typeset(page_html, where=page.file.src_uri)
