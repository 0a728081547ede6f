"""The report templates: autoescaped, self-contained, and the sections match their templates."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from sim.report import sections
from sim.report.format import format_diff, format_value, money
from sim.report.render import Figure, environment, render, table


def test_text_is_escaped_and_style_inline() -> None:
    t = table(pd.DataFrame({"a<b": ["<script>x</script>", None]}))
    html = render("base.html", title="A & <B>", subtitle="'quoted'")
    assert "<title>A &amp; &lt;B&gt;</title>" in html and "&#39;quoted&#39;" in html
    assert "<style>" in html and "--accent" in html and 'font-family: -apple-system, "Segoe UI"' in html
    assert "document.body.dataset.imagesLoaded" in html
    body = environment().from_string('{% from "macros.html" import table %}{{ table(t) }}').render(t=t)
    assert "<th>a&lt;b</th>" in body and "&lt;script&gt;" in body and "<script>" not in body
    assert "<td>—</td>" in body  # a missing cell


def test_figure_macro_embeds_the_data_uri() -> None:
    f = Figure("data:image/png;base64,AAAA", 'alt "x"', "caption <c>", wide=True)
    html = environment().from_string('{% from "macros.html" import figure %}{{ figure(f) }}').render(f=f)
    assert '<img src="data:image/png;base64,AAAA" alt="alt &#34;x&#34;">' in html
    assert "class=\"fig wide\"" in html and "<figcaption>caption &lt;c&gt;</figcaption>" in html


def test_every_section_has_a_template() -> None:
    folder = resources.files("sim.report") / "templates" / "sections"
    assert {a for a, _ in sections.SECTIONS} == {p.name.removesuffix(".html") for p in folder.iterdir()}


def test_formatting_follows_the_metric_kind() -> None:
    assert format_value("vacancy_rate@org2", 0.123) == "12.3%"
    assert format_value("agency_cost", 1234.4) == "£1,234"
    assert format_diff("agency_cost", -5.0) == "−£5.00"
    assert format_value("patients_per_nurse", 8.04) == "8.04"
    assert format_value("not_a_metric", 0.5) == "0.50"
    assert money(float("inf")) == "∞" and money(None) == "—"
