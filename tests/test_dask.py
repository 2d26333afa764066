"""``map`` and ``validate`` on a real Dask cluster (a LocalCluster of two worker processes): the triples
written, the counts and the findings are those of the one-process run, when files repeat each other's keys,
and when a worker is killed mid-run; a scheduler that cannot be reached is a clear error."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from dask.distributed import Client, LocalCluster

from policeonto.mapping import map_files
from policeonto.mapping.events import MapOptions
from policeonto.output import atomic_output
from policeonto.scale import mapping as map_task_module
from policeonto.scale.chunks import file_parts
from policeonto.scale.executor import Executor
from policeonto.validation import validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: When a mapping run started, in its IRI and its started_at: the one thing two runs may not share.
_WHEN = re.compile(rb"/run/[0-9]{8}T[0-9]{6}Z-|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+00:00")
#: What a store names as it likes: the start time as it writes it, its blank nodes (the ontology's).
_STORED = re.compile(rb'"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"|(?<=_:)[0-9a-f]+')


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def _mapped(
    files: list[Path], executor: Executor = Executor(), options: MapOptions = MapOptions()
) -> tuple[bytes, dict[str, object]]:
    out = io.BytesIO()
    result = map_files(files, out, executor=executor, options=options).as_dict()
    result.pop("seconds")
    return _WHEN.sub(b"", out.getvalue()), result


def _validated(files: list[Path], executor: Executor = Executor()) -> tuple[object, ...]:
    report = validate(files, executor=executor)
    findings = [f.as_dict() for f in report.findings]
    entries = [(e.file, e.rows, e.triples, dict(e.finding_counts), e.valid) for e in report.files]
    return findings, dict(report.finding_counts), report.rows, report.records, report.triples, entries


def _street(path: Path, rows: int, *, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location("policeonto_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return generator.generate("street", rows, path, seed=seed)


@pytest.mark.parametrize("export", ["police-uk", "force-a", "force-b", "force-c"])
def test_a_cluster_maps_and_validates_as_one_process_does(cluster: LocalCluster, export: str) -> None:
    files = sorted((EXAMPLES / export).iterdir())
    on_cluster = Executor(scheduler=cluster.scheduler_address)
    ntriples, summary = _mapped(files, on_cluster)
    assert (ntriples, summary) == _mapped(files)
    assert summary["rows_read"] == summary["rows_mapped"] + summary["rows_rejected"]
    assert _validated(files, on_cluster) == _validated(files)


def test_keys_two_files_share_are_decided_as_one_process_does(cluster: LocalCluster, tmp_path: Path) -> None:
    """Two forces' files that give one record twice: mapped apart, each takes its key as the first; the
    client sees the clash and maps the later file again, after the earlier, so its repeats are rejected."""
    street = EXAMPLES / "police-uk" / "2024-01-kent-street.csv"
    files = [shutil.copy(street, tmp_path / f"2024-0{month}-kent-street.csv") for month in (1, 2)]
    files = [Path(f) for f in files]
    on_cluster = Executor(scheduler=cluster.scheduler_address)
    ntriples, summary = _mapped(files, on_cluster)
    assert (ntriples, summary) == _mapped(files)
    assert summary["rejected_by_reason"]  # the second file's records were the first's: rejected as repeats
    assert _validated(files, on_cluster) == _validated(files)


def test_the_cli_runs_on_workers_it_starts(tmp_path: Path) -> None:
    files = [str(p) for p in sorted((EXAMPLES / "police-uk").iterdir())]
    outputs = {}
    for name, extra in (("one", []), ("two", ["--workers", "2"])):
        out, report = tmp_path / f"{name}.nt", tmp_path / f"{name}.json"
        command = [sys.executable, "-m", "policeonto", "map", *files, "-o", str(out), "--report", str(report), *extra]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode in (0, 1), done.stderr
        summary = json.loads(report.read_text(encoding="utf-8"))
        summary.pop("seconds")
        summary.pop("outputs")
        outputs[name] = (_WHEN.sub(b"", out.read_bytes()), summary)
    assert outputs["one"] == outputs["two"]


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    street = str(EXAMPLES / "police-uk" / "2024-01-kent-street.csv")
    address = "tcp://steward:s3cret@127.0.0.1:9"  # the discard port: nothing listens
    command = [sys.executable, "-m", "policeonto", "validate", street, "--scheduler", address]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "tcp://127.0.0.1:9" in done.stderr and "cannot reach the Dask scheduler" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize("chunk_rows", [None, 1000])
def test_a_worker_killed_mid_run_loses_nothing(cluster: LocalCluster, tmp_path: Path, chunk_rows: int | None) -> None:
    """A worker is killed while it maps a file (or a chunk of one: three a file); Dask runs its task again on
    the other, and the run's output is still that of one process: no row lost, none counted twice. (The
    nanny restarts the worker.)"""
    files = [_street(tmp_path / f"2024-01-force{n}-street.csv", 3000, seed=n) for n in range(6)]
    options = MapOptions() if chunk_rows is None else MapOptions(batch_rows=500)
    executor = Executor(chunk_rows=chunk_rows) if chunk_rows is not None else Executor()
    assert len(file_parts(files[0], executor.chunk_rows, options)) == (0 if chunk_rows is None else 3)
    expected = _mapped(files, options=options)
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        done: dict[str, tuple[bytes, dict[str, object]]] = {}
        run = threading.Thread(
            target=lambda: done.update(
                run=_mapped(files, replace(executor, scheduler=client.scheduler.address), options)
            )
        )
        run.start()
        killed, deadline = None, time.monotonic() + 120
        while killed is None and run.is_alive() and time.monotonic() < deadline:
            for worker, tasks in client.processing().items():
                if any(str(task).startswith("policeonto-map") for task in tasks) and worker in pids:
                    os.kill(pids[worker], signal.SIGKILL)
                    killed = worker
                    break
            time.sleep(0.01)
        run.join()
    assert killed is not None, "no task was seen running, so no worker was killed"
    assert done["run"] == expected


def _chunked_street(path: Path) -> Path:
    """A street file of 2,500 rows with what a cut must not break or miscount: a blank line, a row of the
    wrong width, a quoted location over two lines, and a record given twice, in two chunks apart."""
    lines = _street(path, 2500, seed=3).read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[900].split(",")
    fields[6] = '"On or near\nHigh Street"'
    lines[900] = ",".join(fields)  # row 900, the first chunk's last: its quoted field takes two lines
    lines[2000] = lines[100]  # row 2000 repeats row 100: a duplicate-row, two chunks later
    lines[1500] = "a,b,c\n"  # a row of 3 fields: wrong-field-count
    lines.insert(700, "\n")  # a blank line: no row
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_file_read_in_spans_gives_the_batches_read_whole(tmp_path: Path) -> None:
    """Cut where rows end, as the careful reader reads them, a file's spans give the batches, rows and
    rejections that reading it whole gives, numbered as in the file."""
    from policeonto.mapping.reader import inspect, read_batches, row_spans

    source = inspect(_chunked_street(tmp_path / "2024-01-kent-street.csv"))
    spans = row_spans(source, 900)
    assert [(s.rows_before, s.rows) for s in spans] == [(0, 900), (900, 900), (1800, 700)]

    def batches(**span: object) -> list[tuple[list[tuple[object, ...]], list[object]]]:
        return [(b.frame.rows(), b.rejected) for b in read_batches(source, batch_rows=300, **span)]

    whole = batches()
    assert [b for span in spans for b in batches(span=span)] == whole
    assert len(whole) == 9 and whole[4][1][0].row == 1500  # each batch 300 rows, the wrong one among them


def test_a_large_file_is_mapped_in_chunks_as_one_process_maps_it(cluster: LocalCluster, tmp_path: Path) -> None:
    """A file cut into three chunks, each a task: the same N-Triples bytes, counts and findings (the first
    five kept) as one process, the record given twice in two chunks rejected as a repeat of the first."""

    street = _chunked_street(tmp_path / "2024-01-kent-street.csv")
    options = MapOptions(batch_rows=300, keep_findings=5)
    assert len(file_parts(street, 700, options)) == 3  # 900 rows a chunk: three whole batches

    on_cluster = Executor(scheduler=cluster.scheduler_address, chunk_rows=700)
    expected = io.BytesIO()
    summary = map_files([street], expected, options=options).as_dict()
    out = io.BytesIO()
    chunked = map_files([street], out, options=options, executor=on_cluster).as_dict()
    assert _WHEN.sub(b"", out.getvalue()) == _WHEN.sub(b"", expected.getvalue())
    summary.pop("seconds"), chunked.pop("seconds")
    assert chunked == summary
    assert summary["rejected_by_reason"] == {"duplicate-row (Crime ID)": 1, "wrong-field-count": 1}
    one, many = validate([street], options=options), validate([street], options=options, executor=on_cluster)
    assert [f.as_dict() for f in many.findings] == [f.as_dict() for f in one.findings]
    assert (many.rows, many.records, many.triples) == (one.rows, one.records, one.triples)


def _stored(files: list[Path], folder: Path, executor: Executor = Executor()) -> tuple[object, ...]:
    from policeonto.store.embedded import EmbeddedStore
    from policeonto.store.jobs import load_inputs

    store = EmbeddedStore(folder)
    try:
        done = load_inputs(store, files, executor=executor)
        rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    finally:
        store.close()
    quads = sorted(_STORED.sub(b"", _WHEN.sub(b"", " ".join(str(t) for t in row).encode())) for row in rows)
    return done, quads


@pytest.mark.parametrize("exports", [("police-uk",), ("force-c", "police-uk")])
def test_a_load_on_a_cluster_stores_what_one_process_stores(
    cluster: LocalCluster, tmp_path: Path, exports: tuple[str, ...]
) -> None:
    """``load`` validates and maps on the cluster and writes the store here: the same graphs, the same
    quads (but for the run's start time), the same files held back for their export's errors."""
    files = [path for export in exports for path in sorted((EXAMPLES / export).iterdir())]
    on_cluster = Executor(scheduler=cluster.scheduler_address)
    done, quads = _stored(files, tmp_path / "one")
    assert (done, quads) == _stored(files, tmp_path / "cluster", on_cluster)
    assert any(item.loaded for item in done) and len(quads) > 1000


@pytest.mark.parametrize(
    ("exports", "agreement"),
    [(("force-a",), "neighbouring-force.ttl"), (("police-uk",), "statistics.yaml")],
)
def test_a_share_on_a_cluster_writes_the_copy_one_process_writes(
    cluster: LocalCluster, tmp_path: Path, exports: tuple[str, ...], agreement: str
) -> None:
    """``share`` maps the exports on the cluster and makes the copy here, from every record: the same lines
    (but for the run's start time, in the IRI of each file's run, by which the copy orders those runs), and
    the same counts of what left and what was withheld."""
    from policeonto.sharing.reading import read_agreement
    from policeonto.sharing.share import share

    files = [path for export in exports for path in sorted((EXAMPLES / export).glob("*.csv"))]
    terms = read_agreement(EXAMPLES / "agreements" / agreement)
    copies = {}
    for name, executor in (("one", Executor()), ("cluster", Executor(scheduler=cluster.scheduler_address))):
        result = share(files, terms, tmp_path / f"{name}.nt", executor=executor)
        facts = (result.facts.records_shared, result.facts.triples_shared, dict(result.facts.withheld))
        lines = sorted(_WHEN.sub(b"", (tmp_path / f"{name}.nt").read_bytes()).splitlines())
        copies[name] = (lines, facts, result.map_result.as_dict())
        copies[name][2].pop("seconds")
    assert copies["cluster"] == copies["one"]
    assert copies["one"][1][1] > 0  # triples left


def test_an_assessment_on_a_cluster_finds_the_evidence_one_process_finds(cluster: LocalCluster) -> None:
    """``assess`` tallies each task's events on its worker and adds the tallies up here, with the shapes
    decided over every task's part: the same evidence and the same report (but for its date and time), an
    agreement in force judging the same records."""
    from policeonto.assessment.criteria import read_criteria
    from policeonto.assessment.evidence import gather
    from policeonto.assessment.reports import as_dict
    from policeonto.assessment.scoring import score

    files = [*sorted((EXAMPLES / "police-uk").iterdir()), *sorted((EXAMPLES / "force-a").glob("*.csv"))]
    agreements = [EXAMPLES / "agreements" / "neighbouring-force.ttl"]
    found = {}
    for name, executor in (("one", Executor()), ("cluster", Executor(scheduler=cluster.scheduler_address))):
        evidence = gather(files, agreements=agreements, executor=executor)
        tally = {k: v for k, v in vars(evidence.tally).items() if k not in {"crosswalks", "triples"}}
        summary = evidence.mapped.as_dict()
        summary.pop("seconds")
        report = json.loads(json.dumps(as_dict(score(read_criteria(), evidence, {})), default=str))
        found[name] = (
            summary,
            tally,
            dict(evidence.labels),
            evidence.records_judged,
            evidence.records_shareable,
            report,
        )
    assert found["cluster"] == found["one"]
    assert found["one"][3] > 0 and found["one"][1]["validated"] > 0


def _plan(staged: object) -> object:
    from policeonto.scale.mapping import TaskPlan

    return TaskPlan(None, None, MapOptions(), True, False, None, staged)  # type: ignore[arg-type]


def test_workers_that_see_the_clients_folder_write_the_triples_there(cluster: LocalCluster, tmp_path: Path) -> None:
    """A worker of a local cluster sees the client's staging folder and writes its task's N-Triples to a file
    there, not through the cluster; one whose folder of that name is not the client's (its mark holds another
    token: a worker elsewhere) sends the bytes. Both are the bytes one process writes."""
    from policeonto.mapping.keys import KeyIndex
    from policeonto.scale.mapping import Staging, map_task, staging

    street = _street(tmp_path / "2024-01-kent-street.csv", 500, seed=5)
    expected, _ = _mapped([street])
    with staging() as staged, Client(cluster.scheduler_address, set_as_default=False) as client:
        written = client.submit(map_task, [street], KeyIndex(), _plan(staged), pure=False).result()
        elsewhere = Staging(staged.folder, "0" * 32)
        sent = client.submit(map_task, [street], KeyIndex(), _plan(elsewhere), pure=False).result()
        assert isinstance(written.ntriples, Path) and written.ntriples.parent == Path(staged.folder)
        assert isinstance(sent.ntriples, bytes)
        assert _WHEN.sub(b"", written.ntriples.read_bytes()) == _WHEN.sub(b"", sent.ntriples) == expected
        written.discard()
        assert sorted(p.name for p in Path(staged.folder).iterdir()) == [".lock", "run"]
    assert not Path(staged.folder).exists()


def test_a_run_on_a_cluster_writes_a_file_as_one_process_and_leaves_no_staging_folder(
    cluster: LocalCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mapped on the cluster to a file on disk (the kernel copies each task's file to its end), the output is
    the one-process run's bytes; the run's staging folder was beside the output (the file system that has
    room for it), and is gone afterwards. Mapped to memory, the staging folder is in the temporary
    directory, and is gone too. Validating, which writes no N-Triples, makes none."""
    import tempfile

    (tmp_path / "in").mkdir()
    files = [_street(tmp_path / "in" / f"2024-01-force{n}-street.csv", 800, seed=n) for n in range(3)]
    expected, _ = _mapped(files)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(), (tmp_path / "out").mkdir()
    written, seen = tmp_path / "out" / "out.nt", set[Path]()
    real = map_task_module.staging

    @contextmanager
    def watched(near: Path | None = None) -> Iterator[object]:
        with real(near) as staged:
            seen.add(Path(staged.folder).parent)
            yield staged

    monkeypatch.setattr(map_task_module, "staging", watched)
    with written.open("wb") as out:
        out.write(b"# before\n")
        map_files(files, out, executor=Executor(scheduler=cluster.scheduler_address))
        out.write(b"# after\n")
    assert _WHEN.sub(b"", written.read_bytes()) == b"# before\n" + expected + b"# after\n"
    assert seen == {tmp_path / "out"}
    assert _mapped(files, Executor(scheduler=cluster.scheduler_address))[0] == expected
    assert seen == {tmp_path / "out", tmp_path / "tmp"}
    seen.clear()
    with atomic_output(tmp_path / "out" / "atomic.nt") as out:  # as the command line writes its output
        map_files(files, out, executor=Executor(scheduler=cluster.scheduler_address))
    assert seen == {tmp_path / "out"}
    assert _WHEN.sub(b"", (tmp_path / "out" / "atomic.nt").read_bytes()) == expected
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["atomic.nt", "out.nt"]
    seen.clear()
    validate(files, executor=Executor(scheduler=cluster.scheduler_address))  # writes no N-Triples: no folder
    assert seen == set()
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("mode", ["wb", "ab", "memory"])
def test_a_tasks_file_is_appended_whole_after_what_was_buffered(tmp_path: Path, mode: str) -> None:
    """Copied to a file opened to write or to append (through the kernel) or to one in memory, a task's file
    lands after what the output buffered before it and before what it writes next, and the output knows where
    it is."""
    from policeonto.scale.mapping import _append

    part = tmp_path / "part.nt"
    part.write_bytes(b"<s> <p> <o> .\n" * 50_000)
    target = tmp_path / "target.nt"
    target.write_bytes(b"kept\n")
    out = io.BytesIO() if mode == "memory" else target.open(mode)  # type: ignore[call-overload]
    with out:
        out.write(b"buffered\n")
        _append(part, out)
        out.write(b"next\n")
        where = out.tell()
        got = out.getvalue() if isinstance(out, io.BytesIO) else None
    got = got if got is not None else target.read_bytes()
    kept = b"kept\n" if mode == "ab" else b""
    assert got == kept + b"buffered\n" + part.read_bytes() + b"next\n"
    assert where == len(got)


def test_each_datasets_file_on_a_cluster_is_the_one_process_writes(cluster: LocalCluster, tmp_path: Path) -> None:
    """Written dataset by dataset (as ``load`` writes them), a file mapped in three chunks and two mapped
    whole give each dataset's file the bytes one process writes: a dataset's first task's file is renamed
    into place, the chunks after it appended."""
    from policeonto.mapping.stream import map_stream
    from policeonto.mapping.writing import writing_datasets
    from policeonto.scale.mapping import map_on_cluster

    files = [_chunked_street(tmp_path / "2024-01-kent-street.csv")]
    files += [_street(tmp_path / f"2024-01-force{n}-street.csv", 600, seed=n) for n in range(2)]
    options = MapOptions(batch_rows=300)
    one, many = tmp_path / "one", tmp_path / "many"
    one.mkdir(), many.mkdir()
    for _ in writing_datasets(map_stream(files, options=options), one):
        pass
    on_cluster = Executor(scheduler=cluster.scheduler_address, chunk_rows=700)
    map_on_cluster(files, on_cluster, options=options, folder=many)
    written = {p.name: _WHEN.sub(b"", p.read_bytes()) for p in sorted(many.iterdir())}
    assert written == {p.name: _WHEN.sub(b"", p.read_bytes()) for p in sorted(one.iterdir())}
    assert len(written) == 3 and all(written.values())


def test_a_compressed_output_gets_the_compressed_bytes(tmp_path: Path) -> None:
    """A gzip file's descriptor is the compressed file's: a task's file is written through the compressor,
    not beside it in the kernel."""
    import gzip

    from policeonto.scale.mapping import _append

    part = tmp_path / "part.nt"
    part.write_bytes(b"<s> <p> <o> .\n" * 50_000)
    with gzip.open(tmp_path / "out.nt.gz", "wb") as out:
        out.write(b"# before\n")
        _append(part, out)
        out.write(b"# after\n")
    assert gzip.decompress((tmp_path / "out.nt.gz").read_bytes()) == b"# before\n" + part.read_bytes() + b"# after\n"


def test_a_cluster_maps_to_a_gzip_file_as_one_process(cluster: LocalCluster, tmp_path: Path) -> None:
    import gzip

    files = [_street(tmp_path / "2024-01-kent-street.csv", 500, seed=5)]
    expected, _ = _mapped(files)
    for name, executor in (("one", Executor()), ("cluster", Executor(scheduler=cluster.scheduler_address))):
        with gzip.open(tmp_path / f"{name}.nt.gz", "wb") as out:
            map_files(files, out, executor=executor)
        assert _WHEN.sub(b"", gzip.decompress((tmp_path / f"{name}.nt.gz").read_bytes())) == expected


def test_a_worker_that_cannot_write_the_staging_folder_sends_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that sees the folder but may not write in it (a read-only view of it, made here by failing
    the open as a read-only file system fails it) sends the bytes, as a worker elsewhere does."""
    import errno

    from policeonto.mapping.keys import KeyIndex
    from policeonto.scale.mapping import map_task, staging

    street = _street(tmp_path / "2024-01-kent-street.csv", 300, seed=5)
    expected, _ = _mapped([street])
    real_open = Path.open

    def read_only(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if self.suffix == ".nt" and self.parent.name.startswith(".policeonto-run-") and "w" in mode:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    with staging(tmp_path) as staged:
        monkeypatch.setattr(Path, "open", read_only)
        done = map_task([street], KeyIndex(), _plan(staged))  # type: ignore[arg-type]
        monkeypatch.undo()
        assert isinstance(done.ntriples, bytes) and _WHEN.sub(b"", done.ntriples) == expected
        assert sorted(p.name for p in Path(staged.folder).iterdir()) == [".lock", "run"]


def test_a_staging_folder_a_killed_run_left_is_removed_by_the_next(tmp_path: Path) -> None:
    """A run killed while its staging folder is beside the output leaves it (with what workers wrote); the
    next run that stages there removes it, and leaves one still in use alone."""
    from policeonto.scale.mapping import staging

    killed = (
        "import os, signal, sys; from pathlib import Path; from policeonto.scale.mapping import staging\n"
        "cm = staging(Path(sys.argv[1])); staged = cm.__enter__()\n"
        "(Path(staged.folder) / 'task.nt').write_bytes(b'half')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", killed, str(tmp_path)], check=False)
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".policeonto-run-") and (left / "task.nt").exists()
    with staging(tmp_path) as outer:
        assert [p.name for p in tmp_path.iterdir()] == [Path(outer.folder).name]
        with staging(tmp_path) as inner:
            assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
                [Path(outer.folder).name, Path(inner.folder).name]
            )
    assert list(tmp_path.iterdir()) == []
