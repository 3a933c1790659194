"""Notebook manners: rich HTML reprs, one-line reprs, readable str, plain rows.

The HTML is rendered through IPython's display formatter when IPython is
installed (as a notebook would), and parsed with :mod:`html.parser` to check
that it is well formed.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from symmp import Allocation
from symmp.analysis import classify
from symmp.models import LRNN, LinearEstimator
from symmp.numeric import estimate_mp

VOID = {"br", "hr", "img", "input", "meta", "link"}


class _Balance(HTMLParser):
    """Checks that every opened tag is closed in order; collects the text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.cells = 0

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
        self.cells += tag == "td"

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _html(obj) -> tuple[str, _Balance]:
    try:
        from IPython.core.formatters import DisplayFormatter
    except ImportError:  # pragma: no cover - IPython is in the test extra
        markup = obj._repr_html_()
    else:
        data, _ = DisplayFormatter().format(obj)
        assert "text/plain" in data
        markup = data["text/html"]
    parser = _Balance()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    return markup, parser


@pytest.fixture(scope="module")
def allocation():
    return Allocation.from_entries(LRNN(3, 1, 1, 3), [("W", 0, 0), ("W", 1, 2), ("B", 2, 0)], m=1)


def test_allocation_html_is_a_heat_map_of_every_mask(allocation):
    _, parsed = _html(allocation)
    shapes = allocation.model.matrix_shapes
    assert parsed.cells == sum(r * c for r, c in shapes.values())
    text = " ".join(parsed.text)
    for name in shapes:
        assert name in text


def test_allocation_repr_is_one_line_with_the_entries(allocation):
    line = repr(allocation)
    assert "\n" not in line
    assert "W: (0,0) (1,2)" in line and "B: (2,0)" in line
    big = Allocation.spread(LinearEstimator(n=40, d=40), "W", r=200, K=40, m=1)
    assert "\n" not in repr(big) and "176 more" in repr(big)


def test_allocation_str_draws_the_masks(allocation):
    text = str(allocation)
    assert "W (3 x 3), 2 learnable:" in text
    assert "  # . ." in text and "  . . #" in text
    assert allocation.to_row()["r_B"] == 1


def test_classification_reprs_show_verdict_certificate_and_reasons():
    a = Allocation.from_entries(LinearEstimator(n=4, d=2), [("W", 0, j) for j in range(3)] + [("W", 1, 0)], m=2)
    result = classify(a)
    markup, parsed = _html(result)
    assert "minimal" in markup and "Fact 1" in markup
    assert parsed.text.count("reasons:") == 1
    assert "\n" not in repr(result) and "verdict='minimal'" in repr(result)
    assert len(repr(result)) < 300
    text = str(result)
    assert text.startswith("class:        minimal") and "reasons:" in text
    assert "{" not in text  # dicts are formatted, not dumped
    row = result.to_row()
    assert row["verdict"] == "minimal" and row["mp_high"] == 0.0
    assert all(not isinstance(v, (dict, list)) for v in row.values())


def test_lrnn_classification_text_formats_the_lifted_counts():
    a = Allocation.from_entries(LRNN(3, 1, 1, 2), [("W", 0, 0), ("W", 0, 1), ("W", 1, 1)], m=2)
    text = str(classify(a))
    assert "{" not in text and "equations:" in text


def test_mpresult_reprs_row_and_subscript():
    a = Allocation.from_entries(LinearEstimator(n=3, d=1), [("W", 0, 0), ("W", 0, 1)], m=2)
    result = estimate_mp(a, trials=20, seed=1, solver="newton", use_certificate=False, progress=False)
    markup, parsed = _html(result)
    assert "Wilson" in markup and result.method in markup
    assert result["mp"] == result.mp and result["matches"] == result.matches
    assert dict(result)["trials"] == 20
    with pytest.raises(KeyError):
        result["no such key"]
    assert len(result["outcomes"]) == 20
    line = repr(result)
    assert "\n" not in line and f"trials=20" in line and len(line) < 300
    row = result.to_row()
    assert row["ci95_low"] <= row["mp"] <= row["ci95_high"]
    assert all(not isinstance(v, (dict, list, tuple)) for v in row.values())


def test_mpresult_certificate_html_says_proved():
    a = Allocation.from_entries(LinearEstimator(n=3, d=1), [("W", 0, j) for j in range(3)], m=2)
    result = estimate_mp(a, trials=10, seed=0, progress=False)
    markup, _ = _html(result)
    assert result.method == "certificate" and "exactly" in markup
