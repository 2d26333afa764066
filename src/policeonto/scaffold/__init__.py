"""Draft a mapping for an export never seen: ``policeonto scaffold EXPORT... -o DIR``.

The draft is a mapping folder (a source schema, a transformation per table, an SSSOM crosswalk per coded
column, a README of what to review) that ``policeonto map --mappings DIR`` maps as it is. Each concern is a
module: :mod:`~policeonto.scaffold.profile` (what the columns' values look like),
:mod:`~policeonto.scaffold.targets` (which class and slot each goes to), :mod:`~policeonto.scaffold.codes`
(the national code each coded value matches), :mod:`~policeonto.scaffold.draft` (the three together, as plain
values) and :mod:`~policeonto.scaffold.writing` (the folder's files).
"""

from policeonto.scaffold.draft import CrosswalkDraft, Draft, draft_mapping
from policeonto.scaffold.writing import render, write_draft

__all__ = ["CrosswalkDraft", "Draft", "draft_mapping", "render", "write_draft"]
