"""Name and registration mark keys for record linkage: two spellings of the same value give the same key.

Comparisons on these keys sit beside the fuzzy ones (Jaro-Winkler, phonetic codes): a key says for sure
that Bill and William, MacDonald and McDonald, ``AB12 CDE`` and ``AB12CDE`` are the same value as people
write it, which a string distance cannot. The forename groups are in ``forenames.tsv`` beside this module,
each with where it comes from.

>>> forename_key("Bill") == forename_key("William") == "william"
True
>>> surname_key("MacDonald") == surname_key("mcdonald")
True
>>> registration_key("ab12 cde") == registration_key("AB12CDE")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from policeonto.errors import InstanceDataError, shorten

__all__ = ["FORENAMES", "forename_groups", "forename_key", "registration_key", "surname_key"]

#: The bundled forename groups.
FORENAMES = Path(__file__).with_name("forenames.tsv")

_NOT_LETTERS = re.compile(r"[^a-z]")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
#: Characters read or keyed for one another in registration marks (ANPR and people alike).
_MISREAD = str.maketrans({"O": "0", "I": "1", "S": "5", "B": "8", "Z": "2"})


def _letters(name: str) -> str:
    """*name* in lower case, accents dropped, letters only.

    >>> _letters("Siân"), _letters("O'Neill"), _letters(" Smith-Jones ")
    ('sian', 'oneill', 'smithjones')
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return _NOT_LETTERS.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


def forename_groups(path: Path = FORENAMES) -> dict[str, str]:
    """Every name of the groups in *path* (cleaned), mapped to its group's canonical form.

    Lines are ``canonical<TAB>variant,variant<TAB>source``; blank lines and ``#`` comments are skipped.

    >>> groups = forename_groups()
    >>> groups["peggy"], groups["muhammad"], groups["william"]
    ('margaret', 'mohammed', 'william')

    Raises:
        InstanceDataError: a line lacks its three columns or its source, or a name is in two groups
            (names the file and line).
    """
    groups: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 3 or not columns[2].strip():
            raise InstanceDataError("expected canonical<TAB>variants<TAB>source", path=path, line=number)
        canonical = _letters(columns[0])
        for name in (canonical, *(_letters(v) for v in columns[1].split(","))):
            if not name:
                raise InstanceDataError(f"an empty name in {shorten(line)!r}", path=path, line=number)
            if groups.get(name, canonical) != canonical:
                message = f"{name!r} is in the groups of {groups[name]!r} and {canonical!r}"
                raise InstanceDataError(message, path=path, line=number)
            groups[name] = canonical
    return groups


@cache
def _bundled() -> dict[str, str]:
    return forename_groups()


def forename_key(name: str) -> str:
    """The canonical form of *name*'s group of nicknames and spellings, else *name* cleaned (lower case,
    accents dropped, letters only).

    >>> forename_key("Peggy"), forename_key("MUHAMMAD"), forename_key("Zoë"), forename_key("Kieran")
    ('margaret', 'mohammed', 'zoe', 'kieran')
    >>> forename_key("Bob") == forename_key("Robert"), forename_key("Jack") == forename_key("John")
    (True, False)
    """
    cleaned = _letters(name)
    return _bundled().get(cleaned, cleaned)


def surname_key(name: str) -> str:
    """*name* in lower case without accents, apostrophes, hyphens, spaces or dots, with a leading
    ``Mac`` written ``Mc``.

    >>> surname_key("MacDonald"), surname_key("Mc Donald"), surname_key("O'Neill"), surname_key("ONEILL")
    ('mcdonald', 'mcdonald', 'oneill', 'oneill')
    >>> surname_key("Smith-Jones"), surname_key("Mack")
    ('smithjones', 'mack')
    """
    cleaned = _letters(name)
    return "mc" + cleaned[3:] if cleaned.startswith("mac") and len(cleaned) > 4 else cleaned


def registration_key(mark: str) -> str:
    """*mark* in upper case without spaces or punctuation, with the characters most often misread for one
    another folded together: ``O`` as ``0``, ``I`` as ``1``, ``S`` as ``5``, ``B`` as ``8``, ``Z`` as ``2``.

    >>> registration_key("ab12 cde"), registration_key("AB12CDE")
    ('A812CDE', 'A812CDE')
    >>> registration_key("S0 1OBS") == registration_key("50I 0B5")
    True
    >>> registration_key("AZ12 XYZ") == registration_key("A212XY2")
    True
    """
    return _NOT_ALNUM.sub("", mark.upper()).translate(_MISREAD)
