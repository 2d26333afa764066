"""The Splink model for UK policing records: its comparisons and blocking rules, trained without labels,
saved as a versioned JSON file and read back.

Records are linked only across graphs (Splink's ``link_only``, one input table per graph): two records of
one graph are one force's business (its own duplicates), and a force's graph is what it loaded, so a pair
inside a graph is never proposed. Training is unsupervised: the chance that two random records match from
deterministic rules, the u probabilities from random pairs (fixed seed), the m probabilities by expectation
maximisation in two sessions, each blocking on what the other estimates.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from policeonto.errors import LinkageModelError, LinkageTrainingError
from policeonto.linkage.records import EntityKind

__all__ = [
    "DUCKDB_MEMORY",
    "FAMILY",
    "FORMAT",
    "PERSON_TRAINING",
    "SEED",
    "LinkageModel",
    "Training",
    "exact_then",
    "keyed",
    "link_only",
    "postcode_comparison",
    "read_model",
    "settings_for",
    "settings_in",
    "train",
    "unkeyed",
    "write_model",
]

FORMAT = 1  # the version of the model file's layout, not of the model
SEED = 19  # u probabilities are estimated from random pairs drawn with this seed

_MAX_PAIRS = 1_000_000

# DuckDB may hold this share of the machine's memory and writes what does not fit to a folder of its own
# under the system's temporary folder (removed when the process ends). Its default, 80% and a .tmp folder in
# the working directory, left too little for the record tables beside it: 1,000,000 people (some 100 million
# candidate pairs) were killed at 23 GB on a 24 GB machine.
DUCKDB_MEMORY = "40%"

# The m probability of a disagreement that one person's two records almost never show once typos, variants,
# nicknames and transposed dates have levels of their own: forenames unalike in every way, or dates of birth
# five or more years apart. Fixed, not estimated: expectation maximisation on a few hundred records takes the
# parents and children, twins and namesakes it blocks together for one person's records written differently.
_RARE = 0.001


# The forename level of two people of one family. Twins share a surname, a date of birth and a home, and
# Fellegi-Sunter, taking the comparisons as independent, adds up those agreements as if each were evidence
# of one person. Given the surname and the date of birth agree, forenames that are not one name (nor its
# variant, a near spelling or one said alike) are what a family shows. The level is not trained: it reads
# the surname and the date of birth, so Splink would leave the forename untrained in both sessions of
# expectation maximisation (each blocks on what the other estimates). It is put into the trained model,
# after "sounds the same", with its Bayes factor set from the trained figures (:func:`_untangle`).
FAMILY = "forenames unlike while surname and date of birth agree"
_FAMILY_SQL = "surname_key_l = surname_key_r AND dob_l = dob_r"  # the same SQL in DuckDB and Spark
_AFTER = "forename sounds the same"  # the label _name gives the level
_UNLIKE = "All other comparisons"  # Splink's label of the last level (anything else)
_EXACT = "Exact match on {}"  # Splink's label of an exact level


def _name(column: str) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.ExactMatchLevel(f"{column}_key").configure(label_for_charts=f"{column} a variant of the same name"),
            cll.JaroWinklerLevel(column, 0.92),
            cll.ExactMatchLevel(f"{column}_code").configure(label_for_charts=f"{column} sounds the same"),
            cll.JaroWinklerLevel(column, 0.8),
            cll.ElseLevel().configure(m_probability=_RARE, fix_m_probability=True)
            if column == "forename"
            else cll.ElseLevel(),
        ],
        comparison_description=(
            f"{column}: exact, a variant or nickname of one name, Jaro-Winkler >= 0.92, same Soundex code,"
            " Jaro-Winkler >= 0.8"
        ),
    )


def _untangle(settings: dict[str, Any]) -> dict[str, Any]:
    """The trained *settings* with the family level put in the forename comparison, after "sounds the same".
    Its Bayes factor is that of forenames unlike in every way divided by those of the surname's and the date
    of birth's exact agreement, so a pair of twins scores as if their shared surname and date of birth told
    nothing and their forenames were unlike. Its u is that of unlike forenames, its m the quotient times u;
    both fixed. Settings in which a level it needs was never seen in training (no m or u) are left as they are.

    >>> level = lambda label, m, u: {"label_for_charts": label, "m_probability": m, "u_probability": u}
    >>> fore = [level(_AFTER, None, 0.01), level(_UNLIKE, 0.001, 0.98)]
    >>> rest = [("surname", level("Exact match on surname", 0.8, 0.01))]
    >>> rest += [("dob", level("Exact match on dob", 0.8, 0.001))]
    >>> comparisons = [{"output_column_name": "forename", "comparison_levels": fore}]
    >>> comparisons += [{"output_column_name": name, "comparison_levels": [one]} for name, one in rest]
    >>> family = _untangle({"comparisons": comparisons})["comparisons"][0]["comparison_levels"][1]
    >>> family["label_for_charts"], f"{family['m_probability'] / family['u_probability']:.4g}"  # 0.001/0.98/80/800
    ('forenames unlike while surname and date of birth agree', '1.594e-08')
    """
    untangled = json.loads(json.dumps(settings))
    comparisons = {
        comparison["output_column_name"]: comparison["comparison_levels"] for comparison in untangled["comparisons"]
    }

    def level(column: str, label: str) -> dict[str, Any]:
        return next(item for item in comparisons[column] if item.get("label_for_charts") == label)

    needed = [
        level("forename", _UNLIKE),
        level("surname", _EXACT.format("surname")),
        level("dob", _EXACT.format("dob")),
    ]
    if any(item.get("m_probability") is None or item.get("u_probability") is None for item in needed):
        return untangled
    unlike, surname, dob = ((item["m_probability"], item["u_probability"]) for item in needed)
    forename = comparisons["forename"]
    forename.insert(
        forename.index(level("forename", _AFTER)) + 1,
        {
            "sql_condition": _FAMILY_SQL,
            "label_for_charts": FAMILY,
            "m_probability": unlike[0] * surname[1] / surname[0] * dob[1] / dob[0],
            "u_probability": unlike[1],
            "fix_m_probability": True,
            "fix_u_probability": True,
        },
    )
    return untangled


def _date_of_birth() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    transposed = (
        "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
        "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
    )
    within = "abs(try_cast(substr(dob_l, 1, 4) AS INTEGER) - try_cast(substr(dob_r, 1, 4) AS INTEGER)) < 5"
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(transposed, label_for_charts="day and month transposed"),
            cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="one digit wrong or two swapped"),
            cll.CustomLevel("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)", label_for_charts="same year of birth"),
            cll.CustomLevel(within, label_for_charts="born within five years"),
            cll.ElseLevel().configure(
                label_for_charts="born five years or more apart", m_probability=_RARE, fix_m_probability=True
            ),
        ],
        comparison_description=(
            "date of birth: exact, day and month transposed, one typo, same year, within five years (a parent and"
            " child, born decades apart, fall below)"
        ),
    )


def postcode_comparison() -> Any:
    """The comparison of the ``postcode`` column (held without spaces): exact, same sector, same district."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def prefix(cut: int) -> str:  # postcodes are held without spaces: the inward code is the last three
        return f"left(postcode_l, length(postcode_l) - {cut}) = left(postcode_r, length(postcode_r) - {cut})"

    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode"),
            cll.CustomLevel(prefix(2), label_for_charts="same postcode sector"),
            cll.CustomLevel(prefix(3), label_for_charts="same postcode district"),
            cll.ElseLevel(),
        ],
        comparison_description="home postcode: exact, same sector, same district",
    )


def exact_then(column: str, levels: list[Any], description: str) -> Any:
    """A comparison of *column*: null (either side missing), exact, then *levels* in order."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column), *levels],
        comparison_description=description,
    )


def link_only(comparisons: list[Any], blocking_rules: list[Any]) -> Any:
    """Splink's settings with *comparisons* and *blocking_rules*, linking records only across graphs
    (``link_only``, one input table per graph), each record known by its IRI (``record``) with its
    ``graph`` kept beside the comparison levels in the predictions."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="record",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["graph"],
    )


def settings_for(entity: EntityKind) -> Any:
    """Splink's settings for *entity* records: comparisons, blocking rules, ``link_only`` between graphs
    (the person records' here; another kind's from its own module, through
    :data:`policeonto.linkage.kinds.KINDS`)."""
    import splink.comparison_library as cl
    from splink import block_on

    if entity != "person":
        from policeonto.linkage.kinds import KINDS  # imports this module: asked for here, not at the top

        return KINDS[entity].settings()

    return link_only(
        [
            _name("forename"),
            _name("surname"),
            _date_of_birth(),
            cl.ExactMatch("pnc_id"),
            cl.ExactMatch("gender"),
            postcode_comparison(),
        ],
        [
            block_on("surname_code", "forename_code"),
            block_on("forename_key", "surname_key"),
            block_on("dob"),
            block_on("pnc_id"),
            block_on("postcode"),
            block_on("forename_code", "substr(dob, 1, 4)"),
        ],
    )


@dataclass(frozen=True)
class Training:
    """How a kind's model is trained without labels, as the columns each rule blocks on: ``prior`` the
    deterministic rules that estimate the chance two random records match (taken to find ``recall`` of the
    true matches), ``sessions`` the blocking of each session of expectation maximisation, in order."""

    prior: tuple[tuple[str, ...], ...]
    recall: float
    sessions: tuple[tuple[str, ...], ...]
    #: what is done to the trained settings before they are saved (and to settings written for another
    #: backend): levels set from the trained figures rather than trained
    finish: Callable[[dict[str, Any]], dict[str, Any]] | None = None


#: Person records: same PNC ID, or the same names and date of birth; sessions on the date of birth (which
#: trains the names, postcode, PNC ID and sex) and on the names' keys (which trains the date of birth).
PERSON_TRAINING = Training(
    prior=(("pnc_id",), ("forename", "surname", "dob")),
    recall=0.7,
    sessions=(("dob",), ("forename_key", "surname_key")),
    finish=_untangle,
)


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink's settings with their m and u probabilities, and what they are for.

    ``version`` is the SHA-256 of the settings (first 16 hex digits): two files with one version link alike.
    """

    entity: EntityKind
    settings: dict[str, Any]
    trained_at: str
    splink_version: str

    @property
    def version(self) -> str:
        text = json.dumps(self.settings, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def keyed(table: pd.DataFrame) -> tuple[list[pd.DataFrame], list[str], list[str]]:
    """*table*'s records as Splink takes them: one table a graph (in order of the graphs' IRIs) with its
    alias, each record's IRI replaced by a key, its row's place in *table* zero-padded (so keys sort as the
    table's rows: in order of record and graph), and the IRIs by key. Splink writes a row of keys for each
    candidate pair; with keys of a few bytes, not IRIs of a hundred, the pairs of 1,000,000 records (some
    100 million) fit in memory.

    >>> table = pd.DataFrame({"record": ["https://x/a", "https://x/b", "https://x/c"], "graph": ["g2", "g1", "g2"]})
    >>> groups, aliases, iris = keyed(table)
    >>> [list(group["record"]) for group in groups], aliases, iris[1]
    ([['1'], ['0', '2']], ['graph_0', 'graph_1'], 'https://x/b')
    """
    width = len(str(max(len(table) - 1, 0)))
    keys = table.assign(record=[f"{place:0{width}d}" for place in range(len(table))])
    groups = [group.reset_index(drop=True) for _, group in keys.groupby("graph", sort=True)]
    return groups, [f"graph_{index}" for index in range(len(groups))], list(table["record"])


def unkeyed(predictions: pd.DataFrame, iris: list[str]) -> pd.DataFrame:
    """Splink's *predictions* over :func:`keyed` tables with each record's IRI back in place of its key."""
    return predictions.assign(
        record_l=[iris[int(key)] for key in predictions["record_l"]],
        record_r=[iris[int(key)] for key in predictions["record_r"]],
    )


def linker_for(tables: list[pd.DataFrame], aliases: list[str], settings: Any, *, source: Path | None = None) -> Any:
    """A Splink linker over *tables* (one per graph) on an in-memory DuckDB holding at most
    :data:`DUCKDB_MEMORY` and spilling the rest to disk; Splink's progress notes are not shown (they are
    not policeonto's output).

    Raises:
        LinkageModelError: Splink refuses the settings read from model file *source*.
    """
    import duckdb
    from splink import DuckDBAPI, Linker

    spill = tempfile.mkdtemp(prefix="policeonto-linkage-")
    atexit.register(shutil.rmtree, spill, ignore_errors=True)
    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    connection.execute("SET temp_directory = ?", [spill])
    try:
        api = DuckDBAPI(connection=connection)
        return Linker(tables, settings, api, set_up_basic_logging=False, input_table_aliases=aliases)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        if source is None:
            raise
        raise LinkageModelError(f"Splink cannot use the settings: {type(exc).__name__}: {exc}", path=source) from exc


def train(
    entity: EntityKind, tables: list[pd.DataFrame], aliases: list[str], *, settings: Any, training: Training
) -> LinkageModel:
    """Train the model for *entity* with Splink's *settings* on *tables* (one per graph) without labels, as
    *training* says, with a fixed seed.

    Raises:
        LinkageTrainingError: no pair of records across the tables agrees on what a training session blocks on.
    """
    import splink
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    linker = linker_for(tables, aliases, settings)
    steps = linker.training
    steps.estimate_probability_two_random_records_match(
        [block_on(*columns) for columns in training.prior], recall=training.recall
    )
    steps.estimate_u_using_random_sampling(max_pairs=_MAX_PAIRS, seed=SEED)
    try:
        for columns in training.sessions:
            steps.estimate_parameters_using_expectation_maximisation(block_on(*columns))
    except EMTrainingException as exc:
        reason = str(exc).split("\n", 1)[0]
        raise LinkageTrainingError(
            f"cannot train a {entity} model on these {sum(map(len, tables))} records: {reason} Training needs "
            "pairs of records across graphs that agree on it (a few hundred or more); link with a model trained "
            "on a larger store (--model FILE)",
            entity=entity,
        ) from exc
    trained = linker.misc.save_model_to_json()
    return LinkageModel(
        entity=entity,
        settings=training.finish(trained) if training.finish is not None else trained,
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        splink_version=splink.__version__,
    )


def write_model(model: LinkageModel, path: Path) -> None:
    """Write *model* to *path* as JSON (atomically: a reader never sees half a file)."""
    from policeonto.output import write_atomically

    document = {
        "policeonto_linkage_model": FORMAT,
        "entity": model.entity,
        "version": model.version,
        "trained_at": model.trained_at,
        "splink_version": model.splink_version,
        "settings": model.settings,
    }
    write_atomically(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def read_model(path: Path, entity: EntityKind) -> LinkageModel:
    """The model saved in *path* for *entity*.

    Raises:
        LinkageModelError: the file cannot be read, is not JSON, is not a policeonto linkage model of this
            layout, is for another kind of record, or its settings are not what its version says.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LinkageModelError(f"cannot read the model: {exc}", path=path) from exc
    if not isinstance(document, dict) or document.get("policeonto_linkage_model") != FORMAT:
        raise LinkageModelError(
            f"not a policeonto linkage model (layout {FORMAT}): 'policeonto_linkage_model' is missing or another "
            "layout; train one with --retrain",
            path=path,
        )
    expected = {"entity": str, "version": str, "trained_at": str, "splink_version": str, "settings": dict}
    for key, kind in expected.items():
        if not isinstance(document.get(key), kind):
            raise LinkageModelError(f"{key!r} is missing or not a {kind.__name__}", path=path)
    if document["entity"] != entity:
        raise LinkageModelError(f"the model links {document['entity']} records, not {entity} records", path=path)
    model = LinkageModel(
        entity=entity,
        settings=document["settings"],
        trained_at=document["trained_at"],
        splink_version=document["splink_version"],
    )
    if model.version != document["version"]:
        raise LinkageModelError(
            f"the settings were changed after training (version {document['version']!r}, settings make "
            f"{model.version!r}); train again with --retrain",
            path=path,
        )
    return model


def settings_in(model: LinkageModel, dialect: str, *, source: Path | None = None) -> dict[str, Any]:
    """*model*'s settings for another of Splink's backends (``"spark"``, ``"duckdb"``, ...): the comparisons
    and blocking rules written again in that backend's SQL (Splink's level creators write each dialect's
    functions: DuckDB's ``jaro_winkler_similarity`` is Spark's ``jaro_winkler`` from Splink's jar), with every
    m and u probability, and the chance that two random records match, as the model has them.

    The SQL in a model file is DuckDB's; Splink on Spark cannot run it as written, and with these settings
    gives the same pairs and match probabilities as on DuckDB (``tests/test_linkage.py`` runs both).

    Raises:
        LinkageModelError: the model's comparisons or levels are not the ones this version of policeonto
            builds (a model trained by another version): train again with --retrain.
    """
    settings = settings_for(model.entity).create_settings_dict(dialect)
    settings["probability_two_random_records_match"] = model.settings["probability_two_random_records_match"]
    trained = {
        (comparison.get("output_column_name", ""), level.get("label_for_charts", "")): level
        for comparison in model.settings.get("comparisons", [])
        for level in comparison["comparison_levels"]
    }

    def carry(comparisons: list[dict[str, Any]], estimates: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
        for comparison in comparisons:
            for level in comparison["comparison_levels"]:
                estimated = estimates(comparison.get("output_column_name", ""), level)
                for key in ("m_probability", "u_probability"):
                    if key in estimated:
                        level[key] = estimated[key]

    # the trained levels first, so the kind's finishing step sets its own levels from the same figures
    carry(settings["comparisons"], lambda column, level: trained.get((column, level.get("label_for_charts", "")), {}))
    finish = _training_of(model.entity).finish
    if finish is not None:
        settings = finish(settings)

    def shape(comparisons: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
        return [
            (c.get("output_column_name", ""), [level.get("label_for_charts", "") for level in c["comparison_levels"]])
            for c in comparisons
        ]

    if shape(settings["comparisons"]) != shape(model.settings.get("comparisons", [])):
        raise LinkageModelError(
            f"the model's comparisons are not the ones this version builds for {model.entity} records, so its "
            "probabilities cannot be carried to another backend; train again with --retrain",
            path=source or "the model",
        )
    carry(settings["comparisons"], lambda column, level: trained[column, level.get("label_for_charts", "")])
    return settings


def _training_of(entity: EntityKind) -> Training:
    if entity == "person":
        return PERSON_TRAINING
    from policeonto.linkage.kinds import KINDS  # imports this module: asked for here, not at the top

    return KINDS[entity].training
