"""``batch --scheduler`` never hangs: workers that cannot run the sweep, or that are all lost.

The Dask clusters are real (a ``LocalCluster`` of worker processes); the workers are made unable
to import ``sim``, or to run another version of it, by a ``preload`` script. ``batch`` runs as a
real ``python -m sim`` process. The timeouts are generous: they only turn a hang into a failure,
they do not measure speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sim.batch.store import MANIFEST_FILE

ROOT = Path(__file__).resolve().parent.parent
HANG = 240  # [s] a batch still running after this long is hanging

HIDE_SIM = '''\
"""Dask preload: the package sim cannot be imported in this worker."""
import sys


class HideSim:
    def find_spec(self, name, path=None, target=None):
        if name == "sim" or name.startswith("sim."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, HideSim())
'''

OTHER_VERSION = '''\
"""Dask preload: this worker runs another version of sim."""
import sim

sim.__version__ = "0.0.0-other"
'''


pytestmark = pytest.mark.slow


def sweep_file(folder: Path, samples: int = 2, end_year: int = 2025) -> Path:
    """A small sweep file (runs at 0.2 % of households, from 2025)."""
    spec = {
        "scale": 0.002,
        "overrides": {"time.end_year": end_year},
        "parameters": {"behaviour.value_coef": {"low": 0.5, "high": 3.0}},
        "design": {"method": "lhs", "samples": samples},
        "indicators": ["recycling_rate"],
    }
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def cluster(preload: Path | None = None, workers: int = 1):
    """A local Dask cluster of worker processes, optionally with a preload script."""
    from distributed import LocalCluster

    extra = {"preload": [str(preload)]} if preload is not None else {}
    return LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, **extra
    )


def batch(*args: str) -> list[str]:
    """The command line of ``python -m sim batch ARGS``."""
    return [sys.executable, "-m", "sim", "batch", *args, "--quiet"]


@pytest.mark.parametrize(
    ("preload", "says"),
    [(HIDE_SIM, "cannot import sim (ModuleNotFoundError"), (OTHER_VERSION, "runs sim 0.0.0-other")],
    ids=["cannot-import", "other-version"],
)
def test_batch_fails_fast_when_the_workers_cannot_run_the_sweep(tmp_path, preload, says):
    script = tmp_path / "preload_worker.py"
    script.write_text(preload, encoding="utf-8")
    out = tmp_path / "out"
    with cluster(script) as dask:
        proc = subprocess.run(
            batch(str(sweep_file(tmp_path)), "--scheduler", dask.scheduler_address, "--out", str(out)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    message = " ".join(proc.stderr.split())
    assert proc.returncode == 2, proc.stderr
    assert message.startswith("Error:") and "Traceback" not in message
    assert says in message
    assert "dask worker" in message and "make install" in message and "Nothing was run" in message
    assert not out.exists()


def test_batch_stops_with_a_clear_message_when_every_worker_is_lost(tmp_path):
    out = tmp_path / "out"
    with cluster() as dask:
        proc = subprocess.Popen(
            batch(
                str(sweep_file(tmp_path, samples=100, end_year=2035)),
                "--scheduler",
                dask.scheduler_address,
                "--out",
                str(out),
                "--worker-timeout",
                "5",
            ),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + HANG
            manifest = out / MANIFEST_FILE
            while time.monotonic() < deadline and proc.poll() is None and not manifest.is_file():
                time.sleep(0.1)
            assert proc.poll() is None, proc.communicate()
            dask.scale(0)  # every worker goes away mid-sweep
            _, stderr = proc.communicate(timeout=HANG)
        finally:
            proc.kill()
    message = " ".join(stderr.split())
    assert proc.returncode == 5, stderr
    assert "no worker for 5 s" in message and "--resume" in message and "Traceback" not in message
    recorded = manifest.read_text().splitlines()  # what finished before the loss is kept
    assert 1 <= len(recorded) < 100


def test_batch_fails_fast_when_the_scheduler_cannot_import_sim(tmp_path):
    """The scheduler unpacks the tasks, so it needs sim too (a worker alone is not enough)."""
    hide = tmp_path / "hide_sim.py"
    hide.write_text(HIDE_SIM, encoding="utf-8")
    info = tmp_path / "scheduler.json"
    dask = Path(sys.executable).with_name("dask")
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--port", "0", "--no-dashboard", "--scheduler-file", info, "--preload", hide],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        deadline = time.monotonic() + HANG
        while not info.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text(encoding="utf-8"))["address"]
        worker = subprocess.Popen(
            [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        proc = subprocess.run(
            batch(str(sweep_file(tmp_path)), "--scheduler", address, "--out", str(tmp_path / "out")),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.kill()
                process.wait()
    message = " ".join(proc.stderr.split())
    assert proc.returncode == 2, proc.stderr
    assert "the scheduler: cannot import sim" in message and "Nothing was run" in message
    assert not (tmp_path / "out").exists()
