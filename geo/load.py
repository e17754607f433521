"""Read and validate the curated CSV tables.

Every problem becomes an :class:`Issue` naming the file, the CSV line, the row id and the
column, so that a user (or a reviewer running ``python -m geo.validate``) can fix it. A file
that is missing, unreadable or lacks required columns yields no table at all; a file with a
few bad rows yields the good rows plus one issue per bad cell.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.errors

from geo import paths
from geo.schema import DATE, MINERAL_ID, MINERAL_LIST, SLUG, TABLES, URL

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Issue:
    """One problem found in a data file."""

    file: str
    message: str
    line: int | None = None  # 1-based line in the CSV file (the header is line 1)
    row_id: str | None = None
    column: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.row_id:
            where += f" (id {self.row_id})"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


@dataclass
class Table:
    """A validated table: ``df`` is None when the file could not be used at all."""

    name: str
    df: pd.DataFrame | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.df is not None

    @property
    def fatal(self) -> list[Issue]:
        return [i for i in self.issues if i.line is None and i.severity == "error"]


def read_csv_text(text: str, name: str) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Parse CSV text as strings (empty cells become missing). Never raises."""
    if not text.strip():
        return None, [Issue(name, "the file is empty")]
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         na_values=[""], skipinitialspace=False)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        return None, [Issue(name, f"not a readable CSV file ({exc})".strip())]
    df.columns = [str(c).strip() for c in df.columns]
    return df, []


def read_file(path: Path) -> tuple[str | None, list[Issue]]:
    """Read a UTF-8 text file, with a message for every way that can fail."""
    name = path.name
    if not path.exists():
        return None, [Issue(name, f"file not found at {path}")]
    if path.stat().st_size > MAX_FILE_BYTES:
        return None, [Issue(name, f"file is larger than {MAX_FILE_BYTES // 2**20} MB")]
    try:
        return path.read_text(encoding="utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return None, [Issue(name, f"not UTF-8 text (byte {exc.start})")]
    except OSError as exc:
        return None, [Issue(name, f"cannot be read ({exc.strerror})")]


def validate(df: pd.DataFrame, name: str) -> Table:
    """Validate ``df`` against the schema for file ``name``; drop and report bad rows."""
    schema, id_col = TABLES[name]
    required = [c for c in schema.columns if c not in df.columns]
    if required:
        return Table(name, None, [Issue(name, "missing required column(s): " + ", ".join(required))])
    df = df.reset_index(drop=True)
    issues = _coerce_numbers(df, schema, name, id_col) + _duplicates(df, schema, name, id_col)
    try:
        checked = schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        checked = None
        seen = {(i.line, i.column) for i in issues}
        for i in _issues_from(exc.failure_cases, df, name, id_col):
            if "unique" in i.message or (i.line, i.column) in seen:
                continue  # already reported (first occurrence of a duplicate is kept)
            issues.append(i)
            seen.add((i.line, i.column))
    if checked is not None and not issues:  # the usual case: one pass, nothing to drop
        return Table(name, checked.reset_index(drop=True), [])
    issues.sort(key=lambda i: (i.line or 0, i.column or ""))
    if any(i.line is None for i in issues):
        return Table(name, None, issues)
    good = df.drop(index=sorted({i.line - 2 for i in issues}))
    try:
        out = schema.validate(good, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return Table(name, None, issues + _issues_from(exc.failure_cases, good, name, id_col))
    return Table(name, out.reset_index(drop=True), issues)


_NUMERIC = {"float64": "a number", "int64": "a whole number", "Int64": "a whole number",
            "boolean": "true or false"}
_BOOL = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def _row_id(df: pd.DataFrame, idx: int, id_col: str | None) -> str | None:
    if id_col and id_col in df.columns:
        v = df.at[idx, id_col]
        return None if pd.isna(v) else str(v)
    return None


def _coerce_numbers(df: pd.DataFrame, schema, name: str, id_col: str | None) -> list[Issue]:
    """Convert numeric and boolean columns in place; one issue per cell that will not convert."""
    issues = []
    for col, spec in schema.columns.items():
        kind = str(spec.dtype)
        if kind not in _NUMERIC or col not in df.columns:
            continue
        raw = df[col]
        if kind == "boolean":
            conv = raw.map(lambda v: _BOOL.get(str(v).strip().lower()) if pd.notna(v) else None)
        else:
            conv = pd.to_numeric(raw.str.strip() if hasattr(raw, "str") else raw, errors="coerce")
            if kind != "float64":
                conv = conv.where(conv.isna() | (conv == conv.round()))
        bad = raw.notna() & conv.isna()
        for idx in df.index[bad]:
            issues.append(Issue(name, f"{_shown(raw[idx])} is not {_NUMERIC[kind]}", line=idx + 2,
                                row_id=_row_id(df, idx, id_col), column=col))
        df[col] = conv.astype("object").where(conv.notna(), None) if kind == "boolean" else conv
    return issues


def _duplicates(df: pd.DataFrame, schema, name: str, id_col: str | None) -> list[Issue]:
    """Report every repeat of a unique key after its first occurrence (the first is kept)."""
    issues = []
    keys = [[c] for c, spec in schema.columns.items() if spec.unique and c in df.columns]
    if schema.unique:
        keys.append(list(schema.unique))
    for key in keys:
        dup = df.duplicated(subset=key, keep="first") & df[key].notna().all(axis=1)
        for idx in df.index[dup]:
            val = ", ".join(str(df.at[idx, k]) for k in key)
            issues.append(Issue(name, f"'{val}' repeats an earlier row; {'+'.join(key)} must be unique",
                                line=idx + 2, row_id=_row_id(df, idx, id_col), column=key[0]))
    return issues


def _issues_from(fc: pd.DataFrame, df: pd.DataFrame, name: str, id_col: str | None) -> list[Issue]:
    issues: list[Issue] = []
    for rec in fc.to_dict("records"):
        idx = rec.get("index")
        col = rec.get("column")
        col = None if col is None or (isinstance(col, float) and pd.isna(col)) else str(col)
        check = str(rec.get("check"))
        value = rec.get("failure_case")
        if idx is None or (isinstance(idx, float) and pd.isna(idx)):
            issues.append(Issue(name, f"{check}", column=col))
            continue
        idx = int(idx)
        row_id = _row_id(df, idx, id_col) if idx in df.index else None
        issues.append(Issue(name, _describe(check, value), line=idx + 2, row_id=row_id, column=col))
    return issues


def _shown(value) -> str:
    shown = "empty" if value is None or (isinstance(value, float) and pd.isna(value)) else repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


_PATTERNS = {
    DATE: "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
    URL: "is not an http(s) URL",
    SLUG: "is not a lowercase id (letters, digits, hyphens)",
    MINERAL_ID: "is not a mineral id (lowercase snake_case)",
    MINERAL_LIST: "is not a ';'-separated list of mineral ids (or 'all')",
}


def _describe(check: str, value) -> str:
    shown = _shown(value)
    m = re.match(r"str_matches\('(.*)'\)$", check, re.S)
    if m and m.group(1) in _PATTERNS:
        return f"{shown} {_PATTERNS[m.group(1)]}"
    m = re.match(r"isin\((.*)\)$", check, re.S)
    if m:
        return f"{shown} is not one of {m.group(1)}"
    m = re.match(r"in_range\((.*), (.*)\)$", check)
    if m:
        return f"{shown} is outside the range {m.group(1)} to {m.group(2)}"
    if check.startswith("not_nullable") or (shown == "empty" and check.startswith(("coerce_dtype", "dtype"))):
        return "a value is required but the cell is empty"
    if check.startswith("coerce_dtype") or check.startswith("dtype"):
        return f"{shown} is not of the expected type ({check})"
    if check.startswith("field_uniqueness") or check.startswith("multiple_fields_uniqueness"):
        return f"{shown} is duplicated; it must be unique"
    if check.startswith("str_length"):
        return "a value is required but the cell is empty"
    if check.startswith("greater_than_or_equal_to"):
        return f"{shown} must not be negative"
    return f"{shown} {check}" if check.startswith("is not ") else f"{shown} fails check {check}"


def load_table(name: str, data_dir: Path | None = None) -> Table:
    """Load and validate one curated table by file name (e.g. ``"facilities.csv"``)."""
    text, issues = read_file(Path(data_dir or paths.DATA_DIR) / name)
    if text is None:
        return Table(name, None, issues)
    df, issues = read_csv_text(text, name)
    if df is None:
        return Table(name, None, issues)
    try:
        return validate(df, name)
    except Exception as exc:  # a schema bug must not take the app down
        return Table(name, None, [Issue(name, f"could not be validated: {type(exc).__name__}: {exc}")])


def load_all(data_dir: Path | None = None) -> dict[str, Table]:
    """Load every table named in :data:`geo.schema.TABLES`."""
    return {name: load_table(name, data_dir) for name in TABLES}
