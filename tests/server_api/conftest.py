"""Fixtures of the `dls serve` tests: a warehouse with a small pipeline that ran once, and a
`dls serve` process on a free port (DLS_BINARY, set by `make test`, names the binary)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def dls_binary() -> str:
    binary = os.environ.get("DLS_BINARY") or str(ROOT / "build" / "dls")
    if not Path(binary).is_file():
        raise RuntimeError(f"the dls binary {binary} is missing: build it (make build) or set DLS_BINARY")
    return binary


def run_dls(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([dls_binary(), "--warehouse", str(warehouse), *args],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"dls {' '.join(args)} failed: {result.stderr}"
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_warehouse(tmp: Path, files: int = 2, per_batch: bool = False) -> Path:
    """A control table with bronze (csv, a warn rule, quarantine) -> silver (a count) in group
    main.s; the pipeline is named main_s."""
    warehouse = tmp / "wh"
    source = tmp / "in"
    source.mkdir(parents=True)
    for f in range(files):
        (source / f"f{1000 + f}.csv").write_text(f"id,amount\n{f},{-1 if f % 2 else 5}\n")
    options = {"cloudFiles.format": "csv", "header": "true", "cloudFiles.inferColumnTypes": "true"}
    if per_batch:
        options["cloudFiles.maxFilesPerTrigger"] = "1"
    entities = [
        {"entity_id": "bronze", "group": "main.s", "source": str(source),
         "source_format": "cloudFiles", "read_options": options,
         "expectations": {"expect_all": {"positive": "amount > 0"}}, "is_quarantined": True,
         "destination": "bronze"},
        {"entity_id": "silver", "group": "main.s", "source": "bronze", "source_format": "dlt",
         "is_streaming": False, "select_expr": ["count(*) AS n"], "destination": "silver"},
        {"entity_id": "gold", "group": "main.s", "source": "silver", "source_format": "dlt",
         "is_streaming": False, "select_expr": ["n * 2 AS twice"], "destination": "gold"},
    ]
    run_dls(warehouse, "store", "init")
    run_dls(warehouse, "upsert", "--json", json.dumps(entities))
    return warehouse


class Server:
    """A running `dls serve`."""

    def __init__(self, warehouse: Path, *extra: str) -> None:
        self.warehouse = warehouse
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [dls_binary(), "--warehouse", str(warehouse), "serve", "--port", str(self.port),
             *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        token_file = warehouse / ".dls-serve-token"
        self.printed = ""
        deadline = time.time() + 60
        while True:
            try:
                if token_file.exists():
                    token = token_file.read_text().strip()
                    r = requests.get(self.url + "/api/tables",
                                     headers={"Authorization": f"Bearer {token}"}, timeout=5)
                    if r.status_code == 200:
                        self.token = token
                        break
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"dls serve exited: {self.process.stderr.read()}")  # type: ignore[union-attr]
            if time.time() > deadline:
                raise RuntimeError("dls serve did not start within 60 s")
            time.sleep(0.1)
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw: object) -> requests.Response:
        return requests.get(self.url + path, headers=self.headers, timeout=60, **kw)  # type: ignore[arg-type]

    def post(self, path: str, body: object = None, **kw: object) -> requests.Response:
        return requests.post(self.url + path, headers=self.headers, json=body, timeout=60, **kw)  # type: ignore[arg-type]

    def wait_update(self, update_id: str, timeout: float = 120) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            u = self.get(f"/api/pipelines/main_s/updates/{update_id}").json()
            if u["status"] not in ("RUNNING", "CANCELING"):
                return u
            time.sleep(0.1)
        raise AssertionError(f"update {update_id} did not end")

    def stop(self) -> tuple[int, str, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=120)
        return self.process.returncode, out, err


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path)


@pytest.fixture
def server(warehouse: Path) -> Iterator[Server]:
    s = Server(warehouse, "--allow-query")
    yield s
    s.stop()
