"""A measure's result (:class:`Measured`) and the share it is usually computed as."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Measured", "share"]


@dataclass(frozen=True)
class Measured:
    """A measure's result: the score (0..1), the counts it was computed from, and the offenders (files,
    columns or labels) that lowered it, worst first."""

    score: float
    counts: dict[str, int]
    offenders: tuple[str, ...] = ()


def share(good: int, total: int) -> float:
    """*good* of *total*, from 0 to 1; 1 when there is nothing to count."""
    return 1.0 if total <= 0 else round(max(0.0, min(1.0, good / total)), 4)
