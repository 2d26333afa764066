"""The semantic item "the same label means the same code across files and months": each coded label, once
normalised (case folded, spaces collapsed), should reach one national code of a code list wherever it
occurs. A label that reaches different codes in different files (data.police.uk publishes a file a month,
so months are files) through their crosswalks is an offender, named with its files.

>>> from collections import Counter
>>> from policeonto.assessment.evidence import Evidence
>>> list_ = "https://w3id.org/policeonto/code/crime-type/"
>>> labels = Counter({
...     ("2024-01-a-street.csv", "Crime type", "Other theft", list_ + "other-theft"): 3,
...     ("2024-02-a-street.csv", "Crime type", "other  theft", list_ + "theft-from-the-person"): 1,
...     ("2024-02-a-street.csv", "Crime type", "Burglary", list_ + "burglary"): 4,
... })
>>> measured = label_consistency(Evidence(inputs=(), labels=labels))
>>> measured.score, measured.counts["inconsistent_occurrences"], measured.counts["occurrences"]
(0.5, 4, 8)
>>> measured.offenders[0]
'Crime type: Other theft -> other-theft in 2024-01-a-street.csv; theft-from-the-person in 2024-02-a-street.csv'
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from policeonto.assessment.evidence import Evidence
from policeonto.assessment.measured import Measured, share

__all__ = ["label_consistency", "normalised"]


def normalised(label: str) -> str:
    """*label* as compared: case folded, runs of spaces one space, no spaces at the ends."""
    return " ".join(label.split()).casefold()


def label_consistency(evidence: Evidence) -> Measured:
    """Occurrences of coded labels whose normalised form reaches one code of its code list in every file,
    of all occurrences that reached a code; the offenders worst (most frequent) first."""
    codes: dict[tuple[str, str], dict[str, list[str]]] = {}  # (code list, label) -> code -> files
    weight: Counter[tuple[str, str]] = Counter()
    shown: dict[tuple[str, str], str] = {}
    for (file, column, label, code), n in evidence.labels.items():
        if code is None:
            continue
        key = (code.rsplit("/", 1)[0], normalised(label))
        files = codes.setdefault(key, {}).setdefault(code, [])
        if Path(file).name not in files:
            files.append(Path(file).name)
        weight[key] += n
        shown.setdefault(key, f"{column}: {label.strip()}")
    inconsistent = [key for key, _ in weight.most_common() if len(codes[key]) > 1]
    total, bad = sum(weight.values()), sum(weight[key] for key in inconsistent)
    offenders = tuple(
        f"{shown[key]} -> "
        + "; ".join(f"{code.rsplit('/', 1)[1]} in {', '.join(files)}" for code, files in codes[key].items())
        for key in inconsistent
    )
    counts = {
        "labels": len(weight),
        "inconsistent_labels": len(inconsistent),
        "occurrences": total,
        "inconsistent_occurrences": bad,
    }
    return Measured(share(total - bad, total), counts, offenders)
