"""Coverage-guided fuzz targets (atheris) for every parser policeonto exposes to outside input.

Each module is one target: ``check(data)`` feeds one input to the parser and raises only on a bug (any
exception other than a :class:`~policeonto.errors.PoliceOntoError` that names the file, or a broken
invariant); ``seeds()`` gives the seed corpus from the project's own examples and mappings. Run one with
``python -m fuzz.csv_mapping <corpus dir>`` (libFuzzer flags apply) or all with ``python -m fuzz.run``.
"""
