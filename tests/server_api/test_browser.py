"""The web UI in Debian's chromium, driven by playwright-core (ui/tests/browser_test.mjs) against a
`dls serve` started here; screenshots go to <build>/ui-screenshots."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import ROOT, Server, make_warehouse


def test_the_web_ui_shows_the_graph_metrics_cascade_and_live_progress(tmp_path: Path) -> None:
    # Enough files, one per batch, for the update to be watched while it runs.
    wh = make_warehouse(tmp_path, files=40, per_batch=True)
    server = Server(wh)
    try:
        r = server.post("/api/pipelines/main_s/updates", {})
        assert r.status_code == 202, r.text
        assert server.wait_update(r.json()["update_id"])["status"] == "COMPLETED"
        # New input for the update the browser starts.
        for f in range(40, 80):
            (tmp_path / "in" / f"f{1000 + f}.csv").write_text(f"id,amount\n{f},5\n")
        build = Path(os.environ.get("DLS_BUILD_DIR", "build"))
        if not build.is_absolute():
            build = ROOT / build
        shots = build / "ui-screenshots"
        result = subprocess.run(
            ["node", str(ROOT / "ui" / "tests" / "browser_test.mjs"), server.url, server.token,
             str(shots)],
            capture_output=True, text=True, timeout=600)
        print(result.stdout)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (shots / "live-update-running.png").is_file()
    finally:
        server.stop()
