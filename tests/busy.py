"""A bounded CPU hog: the busy machine that the timing chapters must survive.

A reader's laptop is busy, and a chapter that measures time must still pass there
(the book's design guide: "Timing never breaks the build"). ``CpuHog`` makes this
machine busy on purpose: it starts processes that spin on the processor, at the
normal priority, until ``stop()``. ``chapters/conftest.py`` runs every notebook that
reads a clock under such a hog, so nbval's ordinary run of those notebooks is also
their busy-machine run.

The hog cannot outlive its test run: each spinning process stops by itself after
``seconds`` and as soon as the process that started it has gone (even after a
``kill -9``), and ``stop()`` terminates, then kills, and always reaps it.

Run as a script (``python busy.py SECONDS DUTY PARENT_PID``) it is one spinning
process; that is how ``CpuHog`` starts it. It imports the standard library only.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time

PERIOD = 0.05  # seconds per spin-and-sleep cycle: well below one scheduler tick


def available_cpus() -> int:
    """Number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def spin(seconds: float, duty: float, parent: int) -> None:
    """Keep one core busy ``duty`` of the time, until a deadline or an orphaning."""
    deadline = time.monotonic() + seconds
    spin_for, sleep_for = duty * PERIOD, (1.0 - duty) * PERIOD
    while time.monotonic() < deadline and os.getppid() == parent:
        busy_until = time.monotonic() + spin_for
        while time.monotonic() < busy_until:
            pass
        if sleep_for > 0:
            time.sleep(sleep_for)


class CpuHog:
    """Processes that spin ``duty`` of the time, for ``seconds`` at most.

    Use ``with CpuHog(2, seconds=60):`` or ``start()`` / ``stop()``.
    """

    def __init__(self, n_processes: int, seconds: float, duty: float = 1.0):
        if n_processes < 1 or seconds <= 0 or not 0 < duty <= 1:
            raise ValueError(
                f"need n_processes >= 1, seconds > 0, 0 < duty <= 1; got "
                f"{n_processes}, {seconds}, {duty}"
            )
        self.n_processes, self.seconds, self.duty = n_processes, seconds, duty
        self.processes: list[subprocess.Popen] = []

    @property
    def pids(self) -> list[int]:
        """Process ids of the spinning processes."""
        return [p.pid for p in self.processes]

    def running(self) -> bool:
        """True while at least one spinning process is alive."""
        return any(p.poll() is None for p in self.processes)

    def start(self) -> CpuHog:
        """Start the spinning processes (a second call does nothing)."""
        if self.processes:
            return self
        command = [sys.executable, "-S", os.path.abspath(__file__)]
        command += [str(self.seconds), str(self.duty), str(os.getpid())]
        atexit.register(self.stop)
        for _ in range(self.n_processes):
            self.processes.append(
                subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        return self

    def stop(self) -> None:
        """Terminate the spinning processes (kill them if they linger) and reap them."""
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.processes = []
        atexit.unregister(self.stop)

    def __enter__(self) -> CpuHog:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    try:
        spin(float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group
        pass
