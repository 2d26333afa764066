"""Ctrl-C and SIGTERM that are never lost.

Python raises :class:`KeyboardInterrupt` wherever the main thread happens to be when a signal arrives.
Raised inside a finaliser or a weak-reference callback (an import lock's, a collected object's), it is
printed as "Exception ignored" and the program goes on as if nothing had happened: a run the user stopped
would finish and write its output.

Within :func:`handling`, SIGINT and SIGTERM are recorded before they are raised, and :func:`check` raises
again for a signal that was recorded. Output is committed only after a check (see
:func:`policeonto.output.atomic_output`), so an interruption that was swallowed still ends the run as
interrupted, with nothing half-done left behind.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Terminated", "check", "handling"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it unwinds and removes its temporary files."""


_received: list[int] = []  # the signals received within handling(), in order


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def check() -> None:
    """Raise again for a SIGINT or SIGTERM received within :func:`handling`, if any (whether or not it was
    swallowed); do nothing otherwise.

    >>> check()  # nothing received
    """
    if _received:
        raise Terminated if _received[0] == signal.SIGTERM else KeyboardInterrupt


@contextmanager
def handling() -> Iterator[None]:
    """Record SIGINT and SIGTERM while raising them as :class:`KeyboardInterrupt` and :class:`Terminated`.

    Only the main thread's default handlers are replaced (SIGTERM otherwise ends the process without
    unwinding); a program that handles or ignores either signal keeps its own handling.
    """
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    ours = []
    if threading.current_thread() is threading.main_thread():
        ours = [signum for signum, default in defaults.items() if signal.getsignal(signum) == default]
    for signum in ours:
        signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum in ours:
            signal.signal(signum, defaults[signum])
        _received.clear()
