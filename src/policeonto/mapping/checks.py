"""Check and clean a batch of rows against the source format, vectorised.

Every value is trimmed (blank becomes missing) and checked against its column's declaration in the source
schema: required (and recommended), pattern, type (decimal, integer, boolean, date in ISO form or the
column's ``date_format``, datetime), range, foreign keys (the value must be the key of a row of the table
it refers to, or of any of the tables it may refer to), and, for coded columns, the crosswalk, which turns
each label into its national code (the label stays available as ``<column>_label``, for a slot that keeps
the force's own code). A failing value in a required column rejects the row; in an optional column the
value is dropped. Either way there is a finding naming the row, column and value. Nothing is dropped
silently.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Mapping as Lookup
from dataclasses import dataclass, field
from functools import reduce

import polars as pl

from policeonto.findings import Finding, make
from policeonto.mapping.nearest import suggestions
from policeonto.mapping.reader import ROW
from policeonto.mapping.spec import Mapping, SourceColumn

__all__ = ["CheckedBatch", "check_batch", "code_text"]

REASON = "_reason"
#: A coded column's code name is under its own name; the label as the source wrote it under this suffix.
LABEL = "_label"
_DECIMAL = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_INTEGER = r"^[+-]?[0-9]+$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


@dataclass
class CheckedBatch:
    """The rows that passed (cleaned, coded columns as code names) and what was found."""

    frame: pl.DataFrame
    rejected: int
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    finding_counts: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    labels: Counter[tuple[str, str, bool]] = field(default_factory=Counter)  # (column, label, reached a code)


def code_text(view_codes: dict[str, str], column: SourceColumn) -> dict[str, str]:
    """Source label -> code name (the enum's permissible value) for a coded column."""
    assert column.crosswalk is not None
    return {label: view_codes[iri] for label, iri in column.crosswalk.codes().items() if iri in view_codes}


def _dangling(column: SourceColumn, value: pl.Expr, keys: Lookup[str, pl.Series]) -> pl.Expr | None:
    """Whether a foreign key names no row of the table it refers to (None: nothing to check).

    A column that depends on another (``references_by``) refers to the table its value picks; one without
    refers to any of its tables, so it dangles only when no table has the key, and is checked only when
    every one of them is known.
    """
    if column.references_by is None:
        targets = [target for _, target in column.references]
        if not targets or any(target not in keys for target in targets):
            return None
        return ~value.is_in(pl.concat([keys[target] for target in targets]).implode())
    conditions = []
    for by_value, target in column.references:
        if target in keys:
            chosen = pl.col(column.references_by).str.strip_chars().eq_missing(by_value)
            conditions.append(~value.is_in(keys[target].implode()) & chosen)
    return reduce(operator.or_, conditions) if conditions else None


def _problem(column: SourceColumn, value: pl.Expr, decoded: pl.Expr | None, dangling: pl.Expr | None = None) -> pl.Expr:
    """The finding code for a cell, or null when the value is fine (missing optional values are fine)."""
    present = value.is_not_null()
    checks: list[tuple[pl.Expr, str]] = []
    if column.required:
        checks.append((~present, "missing-value"))
    elif column.recommended:
        checks.append((~present, "missing-recommended-value"))
    if decoded is not None:
        checks.append((present & decoded.is_null(), "unknown-code"))
    if column.pattern:
        checks.append((present & ~value.str.contains(column.pattern), "invalid-value"))
    if column.range in {"decimal", "float", "double", "integer"}:
        lexical = _INTEGER if column.range == "integer" else _DECIMAL
        checks.append((present & ~value.str.contains(lexical), "invalid-value"))
        number = value.cast(pl.Float64, strict=False)
        if column.minimum is not None:
            checks.append((present & (number < column.minimum), "value-out-of-range"))
        if column.maximum is not None:
            checks.append((present & (number > column.maximum), "value-out-of-range"))
    elif column.range == "boolean":
        checks.append((present & ~value.str.to_lowercase().is_in(["true", "false"]), "invalid-value"))
    elif column.range == "date" and column.date_format:
        valid = value.str.strptime(pl.Date, column.date_format, strict=False).is_not_null()
        checks.append((present & ~valid.fill_null(False), "invalid-value"))
    elif column.range == "date":
        valid = value.str.contains(_DATE) & value.str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null()
        checks.append((present & ~valid.fill_null(False), "invalid-value"))
    elif column.range == "datetime":
        moment = value.str.slice(0, 19).str.strptime(pl.Datetime, "%Y-%m-%dT%H:%M:%S", strict=False)
        valid = value.str.contains(_DATETIME) & moment.is_not_null()
        checks.append((present & ~valid.fill_null(False), "invalid-value"))
    if dangling is not None:
        checks.append((present & dangling, "dangling-reference"))
    if not checks:
        return pl.lit(None, dtype=pl.String)
    expression = pl.when(checks[0][0]).then(pl.lit(checks[0][1]))
    for condition, code in checks[1:]:
        expression = expression.when(condition).then(pl.lit(code))
    return expression.otherwise(pl.lit(None, dtype=pl.String))


def _labels(
    checked: pl.DataFrame, mapping: Mapping, codes: dict[str, dict[str, str]]
) -> Counter[tuple[str, str, bool]]:
    """Each coded column's labels in *checked* counted, with whether each reached a code (the labels that
    did not are exactly the ``unknown-code`` findings, in the order they were found)."""
    labels: Counter[tuple[str, str, bool]] = Counter()
    for column in mapping.columns:
        if column.slot not in codes:
            continue
        problem = pl.col(f"_p_{column.slot}")
        counted = (
            checked.filter(pl.col(column.slot).str.strip_chars() != "")
            .group_by(
                column.slot, (problem.is_null() | (problem != "unknown-code")).alias("known"), maintain_order=True
            )
            .len()
        )
        labels.update({(column.title, label, known): n for label, known, n in counted.iter_rows()})
    return labels


def check_batch(
    frame: pl.DataFrame,
    mapping: Mapping,
    codes: dict[str, dict[str, str]],
    *,
    file: str,
    keep_findings: int,
    keys: Lookup[str, pl.Series] | None = None,
) -> CheckedBatch:
    """Check *frame* (columns named by source slot, plus ``_row``) against *mapping*'s source columns.

    Args:
        codes: for each coded column's slot, source label -> code name.
        keep_findings: how many findings to keep as objects (all are counted).
        keys: for each row class other tables refer to, the keys of its rows mapped so far; foreign keys to
            a row class not in it are not checked.
    """
    problems, cleaned = [], []
    for column in mapping.columns:
        raw = pl.col(column.slot).str.strip_chars()
        value = pl.when(raw != "").then(raw)
        decoded = value.replace_strict(codes[column.slot], default=None) if column.slot in codes else None
        problem = _problem(column, value, decoded, _dangling(column, value, keys or {}))
        problems.append(problem.alias(f"_p_{column.slot}"))
        clean = decoded if decoded is not None else value
        if column.range == "boolean":
            clean = value.str.to_lowercase()
        elif column.range == "date" and column.date_format:
            clean = value.str.strptime(pl.Date, column.date_format, strict=False).dt.strftime("%Y-%m-%d")
        cleaned.append(pl.when(pl.col(f"_p_{column.slot}").is_null()).then(clean).alias(column.slot))
    checked = frame.with_columns(problems)
    required = [c for c in mapping.columns if c.required]
    reason = pl.coalesce(
        [
            pl.when(pl.col(f"_p_{c.slot}").is_not_null()).then(
                pl.format("{} ({})", pl.col(f"_p_{c.slot}"), pl.lit(c.title))
            )
            for c in required
        ]
        or [pl.lit(None, dtype=pl.String)]
    )
    checked = checked.with_columns(reason.alias(REASON))
    result = CheckedBatch(pl.DataFrame(), 0)
    result.labels = _labels(checked, mapping, codes)
    for column in mapping.columns:
        bad = checked.filter(pl.col(f"_p_{column.slot}").is_not_null())
        if bad.height == 0:
            continue
        counts = bad.get_column(f"_p_{column.slot}").value_counts()
        for code, count in counts.iter_rows():
            result.finding_counts[code] += count
        room = keep_findings - len(result.findings)
        if room > 0:
            for row, raw, code in bad.head(room).select(ROW, column.slot, f"_p_{column.slot}").iter_rows():
                near = ()
                if code == "unknown-code" and column.crosswalk is not None:
                    near = suggestions(column.crosswalk.path, raw.strip())
                result.findings.append(make(code, file=file, row=row, column=column.title, value=raw, suggestions=near))
    rejected = checked.filter(pl.col(REASON).is_not_null())
    result.rejected = rejected.height
    if rejected.height:
        for reason_text, count in rejected.get_column(REASON).value_counts().iter_rows():
            result.rejected_by_reason[reason_text] += count
    labels = [pl.col(c.slot).str.strip_chars().alias(f"{c.slot}{LABEL}") for c in mapping.columns if c.slot in codes]
    result.frame = (
        checked.filter(pl.col(REASON).is_null())
        .with_columns(*labels, *cleaned)
        .select([c.slot for c in mapping.columns] + [label.meta.output_name() for label in labels] + [ROW])
    )
    return result
