"""Cold start of ``vsscare serve``: process start to the first HTTP 200 on /healthz.

A fresh SQLite database, already migrated; a free port; 5 runs (``--runs``). Target: < 2 s.

    .venv/bin/python bench/serve_start.py
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from vsscare.bootstrap import upgrade_and_seed
from vsscare.core.db import Database

TARGET = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("vsscare")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vsscare"]


def cold_start(env: dict[str, str], timeout: float = 30.0) -> float:
    port = _free_port()
    began = time.perf_counter()
    proc = subprocess.Popen(
        [*_command(), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(timeout=1.0) as client:
            while True:
                try:
                    if client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        return time.perf_counter() - began
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    raise SystemExit(f"vsscare serve exited with {proc.returncode}")
                if time.perf_counter() - began > timeout:
                    raise SystemExit(f"no answer on /healthz within {timeout} s")
                time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vsscare-serve-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'vsscare.db'}"
        db = Database(url)
        upgrade_and_seed(db)
        db.dispose()
        env = {
            **os.environ,
            "VSSCARE_DATABASE_URL": url,
            "VSSCARE_DATA_DIR": tmp,
            "VSSCARE_LOG_LEVEL": "WARNING",
        }
        times = []
        for run in range(1, args.runs + 1):
            times.append(cold_start(env))
            print(f"run {run}: {times[-1]:.2f} s", flush=True)
    median = statistics.median(times)
    verdict = "meets" if median < TARGET else "MISSES"
    print(f"\ncold start to first 200 on /healthz: min {min(times):.2f} s, median {median:.2f} s")
    print(f"{os.cpu_count()} CPUs; median {verdict} the target of < {TARGET:.0f} s")


if __name__ == "__main__":
    main()
