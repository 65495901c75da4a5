"""Lockstep: the two benchmark processes of a speed pair run at the same time and take turns, one
timed round each, so that A's and B's rounds of a case are a fraction of a second apart and nothing
one process does overlaps a round of the other.

Why: on the 2-core machine a case's predict() median moved 15-20 % between processes run one after
the other, and neighbouring cases of one process moved together (correlation 0.3-0.5 at a few
seconds apart, 0.1-0.2 at half a minute): the noise follows the machine over seconds.  Rounds a
tenth of a second apart see the same machine, so the ratio B/A of a pair keeps less of it.

The protocol: ``speed`` starts both processes with a pipe each way and ``LSTM_SPEC_TURNS=READ,WRITE,FIRST``
(the file descriptors, and 1 for the side that starts).  One token is passed back and forth; a
process works only while it holds the token.  It takes the token before each test (``acquire``) and
passes it on before each timed round, waiting to get it back (``next_round``): so the other side's
set-up, warm-up and rounds all fall between two of its rounds, never inside one.  The side that starts
waits first for the other's "ready" (sent when the other reaches its first test), so no round runs
while the other is still importing.  A process that ends says "done" (or its pipe closes when it
dies); from then on the other runs alone, without waiting.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping

TURNS_VARIABLE = "LSTM_SPEC_TURNS"
TOKEN, READY, DONE = b"T", b"R", b"D"


class TurnsSetupError(Exception):
    """``LSTM_SPEC_TURNS`` that does not name two open pipe ends and who starts."""


class Turns:
    """One process's side of the token passing (see the module docstring)."""

    def __init__(self, read_fd: int, write_fd: int, first: bool):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.holding = first
        self.waiting_for_ready = first
        self.partner_done = False
        self.started = False

    def _receive(self) -> bytes:
        message = os.read(self.read_fd, 1)
        if message in (DONE, b""):  # b"": the other process ended without saying so
            self.partner_done = True
        return message

    def _send(self, message: bytes) -> None:
        try:
            os.write(self.write_fd, message)
        except BrokenPipeError:
            self.partner_done = True

    def acquire(self) -> None:
        """Waits until this process holds the token (at once when it does, or the other side is done)."""
        if not self.started:
            self.started = True
            if not self.holding:
                self._send(READY)
        while self.waiting_for_ready and not self.partner_done:
            self.waiting_for_ready = self._receive() != READY
        while not self.holding and not self.partner_done:
            self.holding = self._receive() == TOKEN

    def next_round(self) -> None:
        """Before a timed round: passes the token to the other side and waits to get it back."""
        self.acquire()
        if not self.partner_done:
            self.holding = False
            self._send(TOKEN)
        self.acquire()

    def finish(self) -> None:
        """This process is done: the other side runs on alone."""
        self._send(DONE)
        os.close(self.write_fd)
        os.close(self.read_fd)


def turns_from(environ: Mapping[str, str]) -> Turns | None:
    """The ``Turns`` that ``LSTM_SPEC_TURNS`` describes, or None without it (a process timed alone)."""
    text = environ.get(TURNS_VARIABLE, "").strip()
    if not text:
        return None
    try:
        read_fd, write_fd, first = (int(part) for part in text.split(","))
        os.fstat(read_fd), os.fstat(write_fd)
    except (ValueError, OSError) as error:
        raise TurnsSetupError(f"{TURNS_VARIABLE}={text!r}: give READ_FD,WRITE_FD,FIRST (two open pipe ends "
                              f"and 1 or 0), as `python3 suite.py speed` sets it; unset it to time a process "
                              f"alone ({error})") from None
    return Turns(read_fd, write_fd, first == 1)


def pipes_for_a_pair(first: str, sides: tuple[str, str]) -> tuple[dict[str, str], list[int]]:
    """Two pipes joining the processes of ``sides``: each side's ``LSTM_SPEC_TURNS`` value, and every
    descriptor made (the parent passes each side its two and closes all of them once both started)."""
    a_to_b, b_to_a = os.pipe(), os.pipe()
    a, b = sides
    values = {a: f"{b_to_a[0]},{a_to_b[1]},{int(first == a)}",
              b: f"{a_to_b[0]},{b_to_a[1]},{int(first == b)}"}
    return values, [*a_to_b, *b_to_a]


def descriptors(value: str) -> tuple[int, int]:
    read_fd, write_fd, _ = (int(part) for part in value.split(","))
    return read_fd, write_fd


MAX_ROUNDS = 10_000


def round_count(call, max_time: float, min_rounds: int) -> int:
    """The rounds a lockstep case runs: as many as fit ``max_time`` at the duration of one more warm
    ``call`` (timed here, untimed for the benchmark), at least ``min_rounds``.  A fixed count, since
    pytest-benchmark's own choice of rounds is made inside its timing loop."""
    started = time.perf_counter()
    call()
    duration = time.perf_counter() - started
    return max(min_rounds, min(MAX_ROUNDS, math.ceil(max_time / max(duration, 1e-9))))
