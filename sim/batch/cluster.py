"""Running a sweep on a Dask cluster without ever hanging.

A Dask worker that cannot import ``sim`` dies on its first task, is restarted by its nanny and
dies again, while the client waits for results forever; a cluster whose workers are all gone
keeps the remaining tasks waiting for a worker that never comes. So, before anything is
submitted, :func:`connect` checks with a probe (``eval`` of an import, a builtin, so that the
probe itself reaches a worker that cannot import ``sim``) that the scheduler and every worker
import ``sim`` at the client's version, and fails fast with a message that says how to start
workers. During the sweep, :class:`DaskExecutor` lets the runner notice when the cluster has
had no worker for a while (:meth:`DaskExecutor.check_workers`), and the sweep stops with
:class:`WorkersLostError` instead of waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from sim.errors import InputError

#: Default wait [s] for workers to answer the probe, and with no worker during a sweep.
WORKER_TIMEOUT_S = 60.0
#: What the probe evaluates where it runs: the version of ``sim`` found there.
PROBE = "__import__('sim').__version__"


class ClusterError(InputError):
    """The Dask cluster cannot run the sweep (unreachable, no worker, or a wrong environment)."""


class WorkersLostError(RuntimeError):
    """Every Dask worker was gone for longer than the timeout during a sweep."""


def how_to_start_workers(address: str) -> str:
    """The advice printed when workers are missing or run in the wrong environment."""
    return (
        "Start the workers in this project's environment, with the same code: in a checkout of "
        f"the project, `make install`, then `.venv/bin/dask worker {address} --nthreads 1` "
        '(docs/batch.md, "On a Dask cluster").'
    )


def _with_timeout(call: Callable[[], Any], timeout_s: float) -> Any:
    """``call()``, or :class:`TimeoutError` after ``timeout_s`` (in a daemon thread: never blocks exit)."""
    future: Future = Future()

    def target() -> None:
        try:
            future.set_result(call())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=target, daemon=True).start()
    return future.result(timeout=timeout_s)


def probe(client: Any, address: str, timeout_s: float = WORKER_TIMEOUT_S) -> int:
    """Check that the scheduler and every worker import ``sim`` at this client's version.

    Args:
        client: A connected ``distributed.Client``.
        address: The scheduler's address, for messages.
        timeout_s: Seconds to wait for a first worker, and for the answers.

    Returns:
        The number of workers checked.

    Raises:
        ClusterError: Naming what failed and how to start workers.
    """
    from sim import __version__

    advice = how_to_start_workers(address)
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (TimeoutError, OSError):
        raise ClusterError(
            f"--scheduler {address}: no Dask worker joined within {timeout_s:g} s; nothing was run. {advice}"
        ) from None
    try:
        answers = {"the scheduler": _with_timeout(lambda: _run_on_scheduler(client), timeout_s)}
        answers |= _with_timeout(lambda: client.run(eval, PROBE, {}, on_error="return"), timeout_s)
    except TimeoutError:
        raise ClusterError(
            f"--scheduler {address}: the cluster did not answer a check within {timeout_s:g} s; "
            f"nothing was run. {advice}"
        ) from None
    wrong = {
        where: (
            f"cannot import sim ({type(v).__name__}: {v})"
            if isinstance(v, BaseException)
            else f"runs sim {v}"
        )
        for where, v in answers.items()
        if v != __version__
    }
    if wrong:
        listed = "; ".join(f"{where}: {why}" for where, why in sorted(wrong.items()))
        raise ClusterError(
            f"--scheduler {address}: {len(wrong)} of {len(answers)} Dask processes (the scheduler and "
            f"its workers) cannot run this sweep, which needs sim {__version__}: {listed}. Nothing was "
            f"run. {advice}"
        )
    return len(answers) - 1


def _run_on_scheduler(client: Any) -> Any:
    try:
        return client.run_on_scheduler(eval, PROBE, {})
    except Exception as exc:  # the scheduler's own import error, sent back
        return exc


class DaskExecutor(Executor):
    """The ``concurrent.futures`` executor of a Dask client, which notices a cluster without workers.

    Args:
        client: A connected ``distributed.Client``.
        address: The scheduler's address, for messages.
        lost_after_s: Seconds without any worker after which :meth:`check_workers` raises.
    """

    def __init__(self, client: Any, address: str, lost_after_s: float = WORKER_TIMEOUT_S) -> None:
        """Wrap the client's executor; no worker has been missed yet."""
        self.client = client
        self.address = address
        self.lost_after_s = lost_after_s
        self._executor = client.get_executor(pure=False)
        self._none_since: float | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Submit ``fn(*args, **kwargs)`` to the cluster."""
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop submitting (the client and its cluster stay up)."""
        self._executor.shutdown(wait=wait)

    def check_workers(self) -> None:
        """Raise :class:`WorkersLostError` if the cluster has had no worker for ``lost_after_s`` seconds."""
        try:
            workers = len(_with_timeout(self.client.nthreads, min(self.lost_after_s, 10.0)))
        except Exception:  # the scheduler itself is unreachable or silent: no worker either
            workers = 0
        now = time.monotonic()
        if workers:
            self._none_since = None
            return
        if self._none_since is None:
            self._none_since = now
        if now - self._none_since >= self.lost_after_s:
            raise WorkersLostError(
                f"the Dask cluster at {self.address} has had no worker for {self.lost_after_s:g} s, so "
                f"the remaining runs cannot finish. {how_to_start_workers(self.address)}"
            )


def connect(address: str, timeout_s: float = WORKER_TIMEOUT_S) -> tuple[Any, DaskExecutor]:
    """Connect to a Dask scheduler and check its workers (:func:`probe`).

    Args:
        address: The scheduler, e.g. ``tcp://10.0.0.5:8786``.
        timeout_s: Seconds to wait for the scheduler, for workers to answer, and (during the
            sweep) with no worker before giving up.

    Returns:
        The client (close it when done) and its executor.

    Raises:
        ClusterError: If the scheduler cannot be reached or the workers cannot run the sweep.
    """
    from distributed import Client

    try:
        client = Client(address, timeout=f"{min(timeout_s, 10.0)}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"--scheduler {address}: cannot connect to a Dask scheduler ({exc}).") from None
    try:
        probe(client, address, timeout_s)
    except BaseException:
        client.close()
        raise
    return client, DaskExecutor(client, address, lost_after_s=timeout_s)
