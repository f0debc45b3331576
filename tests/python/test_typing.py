"""The package type-checks: mypy --strict over its sources and the extension's stub (_core.pyi),
configured in pyproject.toml ([tool.mypy]); mypy is pinned in requirements/interop.txt."""

from __future__ import annotations

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_mypy_strict_passes_on_the_package():
    # A cache kept across runs (in pytest's cache directory) makes a rerun take a fraction of a second.
    cache = REPO / ".pytest_cache" / "mypy"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), "--cache-dir", str(cache)],
        cwd=REPO, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
