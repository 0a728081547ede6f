"""The jinja2 environment and the two things every section hands to it: tables and figures.

Templates (``sim/report/templates/``, package data) are autoescaped: sections pass plain
text and numbers, never HTML, so a scenario name or description cannot break the page.
The stylesheet and the image-load check are included into the page inline, and figures
are embedded as data URIs, so a report is one self-contained file.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from sim.report.format import MISSING, is_missing


@dataclass(frozen=True)
class Table:
    """A table as text cells; ``scroll`` boxes a long one."""

    columns: list[str]
    rows: list[list[str]]
    css_class: str = "data"
    scroll: bool = False


@dataclass(frozen=True)
class Figure:
    """An embedded figure: its PNG as a data URI, alt text and caption."""

    src: str
    alt: str
    caption: str = ""
    wide: bool = False


def table(df: pd.DataFrame, css_class: str = "data", scroll: bool = False) -> Table:
    """A data frame without its index as a :class:`Table`; missing cells show an em dash."""
    rows = [[MISSING if is_missing(v) else str(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return Table([str(c) for c in df.columns], rows, css_class, scroll)


def png_data_uri(path: Path) -> str:
    """A PNG as a data URI, so the report needs no other file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def figure(path: Path | None, alt: str, caption: str = "", wide: bool = False) -> Figure | None:
    """An embedded figure, or None when the figure was skipped (nothing to draw)."""
    return None if path is None else Figure(png_data_uri(path), alt, caption, wide)


@cache
def environment() -> jinja2.Environment:
    """The templates of this package, autoescaped."""
    return jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)


def render(template: str, **context: Any) -> str:
    """A template rendered with ``context``."""
    return environment().get_template(template).render(**context)
