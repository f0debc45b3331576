"""Fixtures of the dls package's tests: a fresh warehouse per test, an initialized store, CSV
data directories, and the `dls` binary for comparing with the CLI."""

from __future__ import annotations

import os
import pathlib
import shutil
from typing import Iterator

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def warehouse(tmp_path: pathlib.Path) -> str:
    path = tmp_path / "warehouse"
    return str(path)


@pytest.fixture
def store(warehouse: str):
    from dls.store import DeltaLiveStore

    s = DeltaLiveStore("main.etl.control_table", warehouse=warehouse, user="tester")
    s.initialize()
    return s


def write_csv(directory: pathlib.Path, name: str, header: str, rows: list) -> pathlib.Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows))
    return path


@pytest.fixture
def landing(tmp_path: pathlib.Path) -> pathlib.Path:
    """/landing/orders/*.csv and /landing/customers/*.csv."""
    root = tmp_path / "landing"
    write_csv(root / "orders", "part-0.csv", "id,customer,amount", ["1,a,10", "2,b,-5", "3,a,30"])
    write_csv(root / "customers", "part-0.csv", "id,name", ["a,Ann", "b,Bob"])
    return root


@pytest.fixture(scope="session")
def dls_binary() -> str:
    """The `dls` command built from this tree ($DLS_BINARY, else build/dls)."""
    path = os.environ.get("DLS_BINARY") or str(REPO / "build" / "dls")
    assert os.access(path, os.X_OK), f"the dls binary is not built at {path} (make build)"
    return path
