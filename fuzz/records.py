"""Fuzz target: records written in the shared vocabulary in YAML (a RecordSet), validated as
``policeonto validate`` and ``load`` read them: safe YAML, the LinkML loader, the RDF writer and the shapes,
with both engines. When both validate it, they must agree on whether it conforms.
"""

from __future__ import annotations

from fuzz.harness import EXAMPLES, Bug, Seeds, expected, main, scratch

NAME = "records"


def check(data: bytes) -> None:
    """Validate *data* as a records file; raise :class:`~fuzz.harness.Bug` on anything but a report or an
    allowed error."""
    from policeonto.validation import Engine, validate

    path = scratch("records.yaml", data)
    verdicts = []
    for engine in (Engine.FAST, Engine.PYSHACL):
        try:
            verdicts.append(validate([path], engine=engine).valid)
        except Exception as exc:
            if not expected(exc, path):
                raise Bug.unexpected(exc, f"validating {path.name} with the {engine} engine") from exc
            verdicts.append(None)
    fast, reference = verdicts
    if None not in verdicts and fast != reference:
        raise Bug(f"{path.name}: the fast engine says valid={fast}, pySHACL valid={reference}")


def seeds() -> Seeds:
    """The bundled records, whole and one collection at a time."""
    import yaml

    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_bytes()
        yield path.name, text
        for key, records in (yaml.safe_load(text) or {}).items():
            yield f"{path.stem}-{key}.yaml", yaml.safe_dump({key: records}, sort_keys=False).encode("utf-8")


if __name__ == "__main__":
    main(check, imports=("policeonto.validation", "policeonto.instances"), packages=("yaml",))
