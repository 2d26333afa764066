"""The peer of `policeonto link` in the linkage benchmark: Splink alone on the same records, with the same
model, and nothing of policeonto's store reading or graph writing (not part of the tests).

``--save STORE TABLE`` reads the person records from the store once, as `policeonto link` does, and saves
them (a pickle of the pandas table). Then, timed in a process of its own, ``TABLE MODEL`` splits them by graph
and has Splink predict the pairs at or above the floor with the model file's settings, and ``--retrain``
first trains them as `policeonto link --retrain` does (policeonto.linkage.model.train, which is Splink's
training calls); the pairs are read into pandas, as `policeonto link` reads them, and counted.

    python benchmarks/link_splink.py --save out/link-1m/store out/link-1m/people.pkl
    python benchmarks/link_splink.py out/link-1m/people.pkl out/link-1m/person-model.json [--retrain]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from policeonto.linkage.kinds import KINDS
from policeonto.linkage.model import keyed, linker_for, read_model, train
from policeonto.linkage.records import pull
from policeonto.quiet import quieted
from policeonto.store import EmbeddedStore


def save(store_path: Path, target: Path) -> int:
    """Read the person records of the store at *store_path* into *target*; return how many."""
    with EmbeddedStore(store_path, read_only=True) as store:
        table = pull(store)
    table.to_pickle(target)
    return len(table)


def predict(table_path: Path, model_path: Path, *, retrain: bool, floor: float = 0.5) -> int:
    """The pairs Splink finds at or above *floor* among the records saved in *table_path*, one input table
    per graph, with the model in *model_path* (trained again first when *retrain*)."""
    table = pd.read_pickle(table_path)
    groups, aliases, _ = keyed(table)  # the records as policeonto hands them to Splink
    person = KINDS["person"]
    with quieted("splink"):
        if retrain:
            settings = train("person", groups, aliases, settings=person.settings(), training=person.training).settings
        else:
            settings = read_model(model_path, "person").settings
        linker = linker_for(groups, aliases, settings)
        return len(linker.inference.predict(threshold_match_probability=floor).as_pandas_dataframe())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", nargs=2, type=Path, metavar=("STORE", "TABLE"))
    parser.add_argument("table", nargs="?", type=Path)
    parser.add_argument("model", nargs="?", type=Path)
    parser.add_argument("--retrain", action="store_true")
    args = parser.parse_args()
    if args.save:
        print(f"{save(*args.save):,} records saved")
    else:
        print(f"{predict(args.table, args.model, retrain=args.retrain):,} pairs at or above 0.5")


if __name__ == "__main__":
    main()
