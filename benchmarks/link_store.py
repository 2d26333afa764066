"""Put the records benchmarks/link_data.py wrote into an embedded store quickly, for the linkage benchmark
(not part of the tests).

`policeonto load` validates each export, maps it and loads it: about forty minutes for a million person
records on a shared two-core machine. This does the two steps of that load the linkage needs, the same way:

1. each export is mapped by its bundled mapping (policeonto.mapping's stream, as `policeonto map` and
   `policeonto load` run it) into N-Triples, one file per dataset;
2. of each file, the triples whose predicate the linkage reads (:data:`READ`: every type, the names, date
   of birth, sex, identifiers and home postcode; about half the triples) are put into the graph `policeonto
   load` names for it (the dataset IRI, ``https://w3id.org/policeonto/data/dataset/`` and the SHA-256 of the
   export) by the store's own ``load``, which bulk-loads a new graph (Oxigraph's bulk loader).

Left out: validation (the generated records have no finding), the triples the linkage does not read
(labels, source rows, provenance, ethnic appearance, addresses' other parts), the ontology graph and each
graph's entailments (``<g>/entailed``): the linkage reads the records' asserted types, which the mappings
state. ``tests/test_link_benchmark.py`` checks that the linkage reads the same records from a store made
so as from one `policeonto load` made.

    python benchmarks/link_store.py out/link-1m out/link-1m/store
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from policeonto.mapping import map_result, map_stream, writing_datasets
from policeonto.mapping.writing import dataset_file
from policeonto.store import EmbeddedStore

_POLE = "https://w3id.org/policeonto/"
#: The predicates of the triples kept: those the linkage's query of person records reads.
READ = frozenset(
    f"<{iri}>"
    for iri in (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        *(
            _POLE + name
            for name in (
                "names", "family_name", "given_name", "date_of_birth", "gender", "identifiers", "scheme",
                "notation", "person", "address", "postcode",
            )
        ),
    )
)  # fmt: skip


def kept(source: Path, target: Path) -> Path:
    """Write the triples of N-Triples file *source* whose predicate is in :data:`READ` to *target*."""
    with source.open("rb") as lines, target.open("wb") as out:
        for line in lines:
            parts = line.split(b" ", 2)
            if len(parts) == 3 and parts[1].decode() in READ:
                out.write(line)
    return target


def exports(folder: Path) -> list[Path]:
    """The exports benchmarks/link_data.py wrote in *folder*: Force A's CSV tables and Force B's JSON."""
    return [*sorted((folder / "force-a").glob("*.csv")), folder / "force-b" / "export.json"]


def fill(folder: Path, store_path: Path) -> dict[str, int]:
    """Map the exports in *folder* and bulk-load each dataset into a new embedded store at *store_path*;
    return the triples of each graph."""
    if store_path.exists():
        sys.exit(f"{store_path} exists: give a new folder")
    loaded = {}
    with tempfile.TemporaryDirectory(prefix="policeonto-link-store-") as scratch, EmbeddedStore(store_path) as store:
        mapped = map_result(writing_datasets(map_stream(exports(folder)), Path(scratch)))
        for dataset in sorted({summary.dataset for summary in mapped.files if summary.dataset}):
            triples = kept(dataset_file(Path(scratch), dataset), Path(scratch) / "kept.nt")
            loaded[dataset] = store.load(triples, graph=dataset, syntax="nt")
    return loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where benchmarks/link_data.py wrote the records")
    parser.add_argument("store", type=Path, help="the embedded store to make (a new folder)")
    args = parser.parse_args()
    for graph, triples in fill(args.folder, args.store).items():
        print(f"{triples:,} triples in <{graph}>")


if __name__ == "__main__":
    main()
