"""What the triples a mapping writes entail, computed as they are written: the superclasses of each node's
class, from the ``rdf:type`` triples of each batch, and the super-properties of each property, from its
triples. A store then loads the entailed triples with its bulk loader beside the dataset, and reads nothing
back (``policeonto load``).

>>> entailer = Entailer({"https://ex.org/Crime": ("https://ex.org/Event",)})
>>> frame = pl.DataFrame({"s": ["<https://ex.org/c1>"]})
>>> made = [(RDF_TYPE, pl.Series(["<https://ex.org/Crime>"]))]
>>> [line for series in entailer.lines(frame, made) for line in series]
['<https://ex.org/c1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://ex.org/Event> .']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl
import rdflib

from policeonto.terms import RDF_TYPE

__all__ = ["Entailer"]


class Entailer:
    """The superclasses of each class and the super-properties of each property (plain IRIs), applied to
    triples as N-Triples lines: for each node of a class in the table, a ``rdf:type`` line per superclass;
    for each triple of a property in it, one per super-property. A line may come more than once (a node
    typed in several batches); the store keeps the triple once."""

    def __init__(
        self, superclasses: Mapping[str, tuple[str, ...]], superproperties: Mapping[str, tuple[str, ...]] | None = None
    ) -> None:
        superproperties = superproperties or {}
        pairs = [(f"<{sub}>", f"<{sup}>") for sub, supers in sorted(superclasses.items()) for sup in supers]
        self._classes = pl.DataFrame(pairs, schema={"o": pl.String, "super": pl.String}, orient="row")
        self._properties = {f"<{sub}>": tuple(f"<{s}>" for s in supers) for sub, supers in superproperties.items()}
        self._plain = (dict(superclasses), dict(superproperties))

    def lines(self, subjects: pl.DataFrame, objects: Iterable[tuple[str, pl.Series]]) -> list[pl.Series]:
        """What a batch entails, as N-Triples lines: *subjects* (column ``s``) and, for each predicate, the
        object terms aligned with them (null: no triple), as the mapping makes them."""
        found = []
        for predicate, column in objects:
            if predicate == RDF_TYPE:
                found.append(self._types(subjects["s"], column))
            for above in self._properties.get(predicate, ()):
                pairs = pl.DataFrame({"s": subjects["s"], "o": column})
                found.append(pairs.select(pl.concat_str([pl.col("s"), pl.lit(f" {above} "), "o", pl.lit(" .")])))
        return [series for frame in found if frame.width and (series := frame.to_series().drop_nulls()).len()]

    def _types(self, subjects: pl.Series, classes: pl.Series) -> pl.DataFrame:
        """The ``rdf:type`` lines of the superclasses of each subject's class: written beside every subject
        when the batch has one class (as a derivation mostly does), else joined with the table."""
        first = classes[0] if classes.len() and classes.null_count() == 0 else None
        if first is not None and (classes == first).all():
            supers = self._classes.filter(pl.col("o") == first)["super"]
            lines = [(subjects + f" {RDF_TYPE} {above} .").alias("line") for above in supers]
            return pl.concat(lines).to_frame() if lines else pl.DataFrame()
        pairs = pl.DataFrame({"s": subjects, "o": classes.cast(pl.String)}).drop_nulls().join(self._classes, on="o")
        return pairs.select(pl.concat_str([pl.col("s"), pl.lit(f" {RDF_TYPE} "), "super", pl.lit(" .")]))

    def graph_lines(self, graph: rdflib.Graph) -> list[str]:
        """What the triples of an rdflib *graph* (a file's provenance) entail, as N-Triples lines."""
        classes, properties = self._plain
        found = rdflib.Graph()
        for s, p, o in graph:
            if p == rdflib.RDF.type:
                found += ((s, p, rdflib.URIRef(above)) for above in classes.get(str(o), ()))
            found += ((s, rdflib.URIRef(above), o) for above in properties.get(str(p), ()))
        return [line for line in found.serialize(format="nt").splitlines(keepends=True) if line.strip()]
