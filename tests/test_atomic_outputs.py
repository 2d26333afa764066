"""Every file policeonto writes appears complete or not at all, and only inside the directory chosen for it.

The kill tests run the real command line in a subprocess, wait until its temporary ``.part`` file exists
(or has grown), and interrupt it (SIGINT, SIGTERM) or kill it (SIGKILL). The target must then be absent
(no previous run) or byte-identical to the previous complete output; an interrupted run leaves no
``.part`` file and prints one line, no traceback; a killed run's leftover is removed by the next run.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph

from policeonto import interrupts
from policeonto.cli import main
from policeonto.errors import OutputPathError, PoliceOntoError
from policeonto.output import atomic_output, contained_path, remove_stale_parts, scratch_directory

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pole-example.yaml"
OTHER_RECORDS = ROOT / "tests" / "data" / "valid" / "stop-and-search.yaml"


def _street(path: Path, rows: int, *, seed: int, faults: bool = False) -> Path:
    """A data.police.uk street file from benchmarks/generate.py; with *faults*, some bad values."""
    spec = importlib.util.spec_from_file_location("policeonto_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.generate("street", rows, path, seed=seed)
    if faults:
        with path.open(encoding="utf-8", newline="") as handle:
            table = list(csv.reader(handle))
        crime, latitude = table[0].index("Crime type"), table[0].index("Latitude")
        for number, row in enumerate(table[1:]):
            if number % 10 == 0:
                row[crime] = "Not a crime type"
            if number % 7 == 0:
                row[latitude] = "north"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
    return path


# ---- running and killing the command line ------------------------------------------------------------


@dataclass
class Tally:
    killed: Counter[str]
    finished_first: int = 0
    truncated: int = 0


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    counts = Tally(Counter())
    yield counts
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        by_signal = ", ".join(f"{n} {name}" for name, n in sorted(counts.killed.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\natomic outputs: {sum(counts.killed.values())} runs killed ({by_signal}), "
                f"{counts.truncated} truncated outputs, {counts.finished_first} finished before the signal"
            )


def _restore_sigint() -> None:
    # a shell starts background jobs with SIGINT ignored, and that is inherited: give the CLI Ctrl-C back
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "policeonto", *args],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_restore_sigint,
            env=env,
        )


def _parts(folder: Path, name: str) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(".part")}


def _wait_for_part(process: subprocess.Popen[bytes], target: Path, *, size: int, old: set[str]) -> bool:
    """Poll until this run's temporary file for *target* has *size* bytes; False if the run ended first."""
    while process.poll() is None:
        for name in _parts(target.parent, target.name) - old:
            try:
                if (target.parent / name).stat().st_size >= size:
                    return True
            except FileNotFoundError:
                pass
        time.sleep(0.002)
    return False


_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}


def _interrupt(
    args: list[str],
    target: Path,
    sig: signal.Signals,
    *,
    previous: bytes | None,
    complete: Callable[[bytes], bool],
    tally: Tally,
    size: int = 0,
    then: float = 0.0,
) -> None:
    """Run the command, send *sig* once its temporary file has *size* bytes (and *then* seconds more), and
    check what is left: the previous output or nothing, never a truncated file."""
    folder = target.parent
    old = _parts(folder, target.name)
    log = folder.parent / f"stderr-{len(list(folder.parent.glob('stderr-*')))}.txt"
    process = _start(args, folder, log)
    try:
        reached = _wait_for_part(process, target, size=size, old=old)
        assert reached, f"the run ended (exit {process.returncode}) with no temporary file: {log.read_text()}"
        if then:
            time.sleep(then)  # a later point in the run; not a measurement
        process.send_signal(sig)
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = log.read_text(encoding="utf-8", errors="replace")
    content = target.read_bytes() if target.exists() else None
    if code in (0, 1) and then:  # the run finished before the signal arrived: its output must be whole
        tally.finished_first += 1
        assert content is not None and complete(content), stderr
        assert not _parts(folder, target.name), "a finished run leaves no temporary file"
        return
    tally.killed[sig.name] += 1
    if content is not None and content != previous and not complete(content):
        tally.truncated += 1
    assert code == _EXIT[sig], stderr
    assert content == previous or (content is not None and complete(content)), "the target was left truncated"
    if sig == signal.SIGKILL:
        assert all(name != target.name for name in _parts(folder, target.name))
        return
    assert "Traceback" not in stderr
    assert ("interrupted" if sig == signal.SIGINT else "terminated") in stderr
    # no temporary file: neither this run's nor one a killed run left earlier
    assert not _parts(folder, target.name), sorted(folder.iterdir())


def _complete_run(args: list[str], cwd: Path, log: Path) -> int:
    process = _start(args, cwd, log)
    return process.wait(timeout=120)


def test_map_output_survives_sigint_sigterm_and_sigkill(tmp_path: Path, tally: Tally) -> None:
    small = _street(tmp_path / "2024-01-kent-street.csv", 500, seed=1)
    large = _street(tmp_path / "2024-02-kent-street.csv", 12_000, seed=2)  # about 40 MB of N-Triples
    out = tmp_path / "out"
    out.mkdir()
    target = out / "kent.nt"
    args = ["map", str(large), "-o", target.name, "-q"]

    def complete(content: bytes) -> bool:
        return False  # signalled while at most 16 MB are written, the run can have replaced nothing

    # no previous output: the target must stay absent
    _interrupt(args, target, signal.SIGINT, previous=None, complete=complete, tally=tally)
    _interrupt(args, target, signal.SIGKILL, previous=None, complete=complete, tally=tally, size=4 << 20)
    assert not target.exists()
    assert _parts(out, target.name), "a run killed outright cannot remove its temporary file"
    # a complete run of another input; it also clears what the killed run left
    assert _complete_run(["map", str(small), "-o", target.name, "-q"], out, tmp_path / "small.txt") == 0
    previous = target.read_bytes()
    assert previous.endswith(b" .\n") and not _parts(out, target.name)
    for sig, size in [
        (signal.SIGKILL, 1 << 20),
        (signal.SIGINT, 16 << 20),  # also clears the SIGKILL leftover
        (signal.SIGTERM, 8 << 20),
    ]:
        _interrupt(args, target, sig, previous=previous, complete=complete, tally=tally, size=size)
    assert target.read_bytes() == previous


@pytest.mark.parametrize(
    ("fmt", "complete"),
    [
        ("json", lambda content: content.rstrip().endswith(b"}") and json.loads(content)["valid"] is False),
        ("html", lambda content: content.rstrip().endswith(b"</html>")),
    ],
)
def test_validation_report_survives_sigint_and_sigkill(
    tmp_path: Path, tally: Tally, fmt: str, complete: Callable[[bytes], bool]
) -> None:
    valid = _street(tmp_path / "2024-01-kent-street.csv", 300, seed=1)
    faulty = _street(tmp_path / "2024-02-kent-street.csv", 15_000, seed=2, faults=True)
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"report.{fmt}"
    args = ["validate", str(faulty), "--format", fmt, "-o", target.name]
    if fmt == "html":  # no previous output: the target must stay absent
        _interrupt(args, target, signal.SIGINT, previous=None, complete=complete, tally=tally)
        assert not target.exists()
    assert _complete_run(["validate", str(valid), "--format", fmt, "-o", target.name], out, tmp_path / "v.txt") == 0
    previous = target.read_bytes()
    assert json.loads(previous)["valid"] is True if fmt == "json" else previous.rstrip().endswith(b"</html>")
    _interrupt(args, target, signal.SIGKILL, previous=previous, complete=complete, tally=tally)
    _interrupt(args, target, signal.SIGINT, previous=previous, complete=complete, tally=tally)  # clears the leftover
    if fmt == "json":  # later in the run, when it may have finished: then its report is whole
        _interrupt(args, target, signal.SIGINT, previous=previous, complete=complete, tally=tally, then=0.5)
    assert target.read_bytes() == previous or complete(target.read_bytes())


def test_convert_output_survives_sigint_and_sigkill(tmp_path: Path, tally: Tally) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "records.ttl"

    def complete(content: bytes) -> bool:
        return len(Graph().parse(data=content, format="turtle")) > 0

    assert _complete_run(["convert", str(EXAMPLE), "-o", target.name], out, tmp_path / "c.txt") == 0
    previous = target.read_bytes()
    assert complete(previous)
    args = ["convert", str(OTHER_RECORDS), "-o", target.name]
    _interrupt(args, target, signal.SIGKILL, previous=previous, complete=complete, tally=tally)
    _interrupt(args, target, signal.SIGINT, previous=previous, complete=complete, tally=tally)
    assert target.read_bytes() == previous


def test_load_removes_its_intermediate_files(tmp_path: Path, tally: Tally) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    # a run killed outright leaves its scratch directory behind ...
    code = (
        "import os, signal\n"
        "from policeonto.output import scratch_directory\n"
        "with scratch_directory('policeonto-ontology-') as folder:\n"
        "    (folder / '0.nt').write_bytes(b'<a> <b> <c> .')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == -signal.SIGKILL
    (stale,) = scratch.iterdir()
    # ... which the next load removes; interrupted itself, that load removes its own as well
    source = _street(tmp_path / "2024-01-kent-street.csv", 500, seed=3)
    log = tmp_path / "load.txt"
    process = _start(["load", str(source), "--store", str(tmp_path / "store")], tmp_path, log, env)
    try:  # interrupted once its first scratch directory is made, before it reaches the ontology's step
        while process.poll() is None and not any(
            p.name.startswith("policeonto-") and p != stale for p in scratch.iterdir()
        ):
            time.sleep(0.005)
        assert process.poll() is None, log.read_text()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=120) == 130, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    tally.killed["SIGINT"] += 1
    assert "Traceback" not in log.read_text()
    assert list(scratch.iterdir()) == []


# ---- the pieces, in process --------------------------------------------------------------------------


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    target.write_bytes(b"previous\n")
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as sink:
        sink.write(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]


class _InterruptedFinaliser:
    """An object whose finaliser receives Ctrl-C: Python prints the KeyboardInterrupt and ignores it."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):  # the handler runs between these steps, inside the finaliser
            pass


def _swallowed_interrupt() -> None:
    _InterruptedFinaliser()  # collected at once


@pytest.fixture
def default_sigint() -> Iterator[None]:
    """Ctrl-C handled as in a fresh process: a library run earlier in this process may have left a handler
    of its own (Spark's context sets one), which :func:`interrupts.handling` rightly leaves in place."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.usefixtures("default_sigint")
def test_an_interruption_python_swallowed_still_keeps_the_output_out(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    target.write_bytes(b"previous\n")
    carried_on = False
    with interrupts.handling(), pytest.raises(KeyboardInterrupt), atomic_output(target) as sink:
        sink.write(b"half")
        _swallowed_interrupt()
        carried_on = True  # the run went on, as if never interrupted
        sink.write(b" and the rest\n")
    assert carried_on
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.usefixtures("default_sigint")
def test_a_command_whose_interruption_was_swallowed_exits_130(tmp_path: Path, monkeypatch) -> None:
    import policeonto.mapping.cli_support as cli_support

    real = cli_support.atomic_output

    @contextmanager
    def interrupted_while_writing(target: Path) -> Iterator[Any]:
        with real(target) as sink:
            yield sink
            _swallowed_interrupt()

    monkeypatch.setattr(cli_support, "atomic_output", interrupted_while_writing)
    source = _street(tmp_path / "2024-01-kent-street.csv", 20, seed=3)
    target = tmp_path / "out.nt"
    outcome = CliRunner().invoke(main, ["map", str(source), "-o", str(target)])
    assert outcome.exit_code == 130, outcome.output
    assert "interrupted (SIGINT)" in outcome.output
    assert not target.exists()


def test_stale_parts_are_removed_unless_their_writer_lives(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "out.nt"
    dead, live = tmp_path / ".out.nt.dead0000.part", tmp_path / ".out.nt.live0000.part"
    unrelated = tmp_path / ".other.nt.dead0000.part"
    for path in (dead, live, unrelated):
        path.write_bytes(b"half")
    with live.open("rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)  # a run still writing holds its lock
        with atomic_output(target) as sink:
            sink.write(b"whole\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, unrelated.name, "out.nt"])
    assert remove_stale_parts(target) == [live]


def test_a_symlinked_target_is_followed_and_its_mode_kept(tmp_path: Path) -> None:
    real = tmp_path / "releases" / "v1.nt"
    real.parent.mkdir()
    real.write_bytes(b"old\n")
    real.chmod(0o640)
    link = tmp_path / "current.nt"
    link.symlink_to(real)
    with atomic_output(link) as sink:
        sink.write(b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    assert real.stat().st_mode & 0o777 == 0o640


def test_a_pipe_target_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there, so writing does not wait
    try:
        with atomic_output(fifo) as sink:
            sink.write(b"streamed\n")
        try:
            received = os.read(reader, 100)
        except BlockingIOError:
            received = b""
    finally:
        os.close(reader)
    assert received == b"streamed\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode) and os.listdir(tmp_path) == ["pipe"]


@pytest.mark.parametrize(
    "name",
    ["", "..", ".", "../kent.ttl", "a/../../kent.ttl", "/etc/passwd", "a\0b.ttl", "a\\..\\b.ttl", "a//b.ttl", "a/"],
)
def test_contained_path_refuses_names_that_leave_the_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputPathError) as caught:
        contained_path(tmp_path, name)
    assert isinstance(caught.value, PoliceOntoError) and isinstance(caught.value, ValueError)
    assert caught.value.folder == tmp_path and caught.value.name == name


def test_contained_path_refuses_symlinks_pointing_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "kent.ttl").symlink_to(outside / "victim.ttl")
    (folder / "sub").symlink_to(outside)
    (folder / "inside.ttl").symlink_to(folder / "real.ttl")
    for name in ("kent.ttl", "sub/kent.ttl"):
        with pytest.raises(OutputPathError, match="outside"):
            contained_path(folder, name)
    assert contained_path(folder, "inside.ttl") == folder / "inside.ttl"
    assert contained_path(folder, "ontology/policeonto.ttl") == folder / "ontology" / "policeonto.ttl"


def test_convert_refuses_a_derived_name_leading_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.ttl"
    outside.write_text("untouched\n")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "pole-example.ttl").symlink_to(outside)
    result = CliRunner().invoke(main, ["convert", str(EXAMPLE), str(OTHER_RECORDS), "-o", str(folder)])
    assert result.exit_code == 2, result.output
    assert "refusing to write 'pole-example.ttl'" in result.output and "outside" in result.output
    assert outside.read_text() == "untouched\n"
    assert sorted(p.name for p in folder.iterdir()) == ["pole-example.ttl"]  # nothing written at all


def test_convert_refuses_two_inputs_writing_one_file(tmp_path: Path) -> None:
    twin = tmp_path / "twin" / EXAMPLE.name
    twin.parent.mkdir()
    twin.write_bytes(EXAMPLE.read_bytes())
    folder = tmp_path / "out"
    folder.mkdir()
    result = CliRunner().invoke(main, ["convert", str(EXAMPLE), str(twin), "-o", str(folder), "--no-validate"])
    assert result.exit_code == 2, result.output
    assert "would both write it" in result.output
    assert list(folder.iterdir()) == []


def test_scratch_directory_is_removed_however_the_block_ends(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(KeyboardInterrupt), scratch_directory("policeonto-test-") as folder:
        (folder / "0.nt").write_bytes(b"")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
