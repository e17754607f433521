"""Text safety: everything from data files, uploads or URLs is text, never markup."""

from __future__ import annotations

import html
import math
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()|<>~$:=^])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-!>])|(\d+)([.)]))")


def clean(value: object, *, limit: int = 500) -> str:
    """A display string for any cell: missing values become "", long text is shortened."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    s = str(value).replace("\x00", "")
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def md_escape(value: object, *, limit: int = 500) -> str:
    """Escape text for Streamlit markdown so it renders literally (no links, HTML or emphasis)."""
    text = _MD_SPECIAL.sub(r"\\\1", clean(value, limit=limit))
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text)


def html_escape(value: object, *, limit: int = 500) -> str:
    """Escape text for an HTML context (e.g. a deck.gl tooltip rendered as HTML)."""
    return html.escape(clean(value, limit=limit), quote=True)
