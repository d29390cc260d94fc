"""The docs' formulas are typeset at build time, as MathML, so the site needs no script."""

from __future__ import annotations

import pytest
from docs_hooks.formulas import typeset


def test_inline_and_display_formulas_become_mathml() -> None:
    """\\( … \\) becomes inline MathML, \\[ … \\] a block; the page keeps no TeX."""
    page = (
        '<p>at <span class="arithmatex">\\(i &lt; 1\\)</span></p>'
        '<div class="arithmatex">\\[ A = P \\, \\frac{i}{1 - (1 + i)^{-n}} \\]</div>'
    )
    out = typeset(page)
    assert '<span class="math"><math' in out
    assert 'display="inline"' in out
    assert '<div class="math"><math' in out
    assert 'display="block"' in out
    assert "<mfrac>" in out
    assert "&#x0003C;" in out  # the less-than sign, escaped
    assert "arithmatex" not in out
    assert "\\frac" not in out


def test_a_formula_the_converter_cannot_read_fails_the_build_naming_it() -> None:
    """A broken formula stops the build with the page and the TeX, not a blank in the site."""
    with pytest.raises(ValueError, match=r"schedules.md: cannot typeset the formula"):
        typeset('<span class="arithmatex">\\(x^\\)</span>', where="schedules.md")
