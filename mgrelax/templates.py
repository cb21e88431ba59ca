"""Rendering of LAMMPS input templates with typed, checked values.

Templates live in ``mgrelax/templates/*.lammps`` (Jinja2 syntax: ``{{ value }}``,
``{% if %}``, ``{% include %}``). Every value that reaches the rendered input
passes :func:`lammps_token`: numbers must be finite numbers, and strings must
be single safe words (element names, file names), so no configuration string
can add a LAMMPS command, a comment, a variable expansion or a line break.
"""

from __future__ import annotations

import math
import numbers
import re
from pathlib import Path

import jinja2

TEMPLATE_DIR = Path(__file__).parent / "templates"

# A word LAMMPS reads as one argument: no whitespace, quotes, '#', '$', '&', '\' or brackets.
SAFE_WORD = re.compile(r"[A-Za-z0-9_.+\-/^]+")


class TemplateValueError(ValueError):
    """A value that must not be written into a LAMMPS input."""


def lammps_token(value) -> str:
    """Format one value for a LAMMPS input, refusing anything that is not a plain token."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise TemplateValueError(f"non-finite number {value!r} in a LAMMPS input")
        return repr(float(value))
    if isinstance(value, str):
        if not SAFE_WORD.fullmatch(value):
            raise TemplateValueError(
                f"{value!r} is not a plain word (letters, digits, '_', '.', '+', '-', '/', '^') "
                "and cannot be written into a LAMMPS input")
        return value
    if isinstance(value, Path):
        return lammps_token(value.as_posix())
    raise TemplateValueError(f"{type(value).__name__} value {value!r} cannot be written "
                             "into a LAMMPS input")


def _finalize(value):
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the missing value
    return "" if value is None else lammps_token(value)


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template_name: str, values: dict) -> str:
    """Render ``templates/<template_name>`` with ``values``; raise on a missing or unsafe value."""
    try:
        return _ENVIRONMENT.get_template(template_name).render(**values)
    except jinja2.UndefinedError as error:
        raise TemplateValueError(f"{template_name}: {error}") from None


def template_names() -> list[str]:
    """Names of the shipped input templates (not the partials that start with '_')."""
    return sorted(p.name for p in TEMPLATE_DIR.glob("*.lammps") if not p.name.startswith("_"))
