"""schemathesis runs the OpenAPI document of `dls serve` against the server: a bounded number of
generated requests per operation; no 5xx, and every status, content type and body must be the
ones the document describes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import Server

# Examples per operation; with --max-time 100 the run takes under two minutes.
MAX_EXAMPLES = int(os.environ.get("DLS_SCHEMATHESIS_EXAMPLES", "10"))


def test_the_server_conforms_to_its_openapi_document(server: Server, tmp_path: Path) -> None:
    # Data for the operations to find: one completed update, so events, quality and tables exist.
    r = server.post("/api/pipelines/main_s/updates", {})
    assert r.status_code == 202, r.text
    assert server.wait_update(r.json()["update_id"])["status"] == "COMPLETED"

    document = server.get("/api/openapi.json")
    assert document.status_code == 200
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(document.json()))
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", str(schema_file), "--url", server.url,
         "--header", f"Authorization: Bearer {server.token}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
         "response_schema_conformance",
         "--mode", "positive", "--phases", "examples,fuzzing",
         "--max-examples", str(MAX_EXAMPLES), "--seed", "14", "--workers", "2",
         "--request-timeout", "60", "--max-time", "100", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its caches stay out of the tree
    print(result.stdout[-20000:])
    (tmp_path / "schemathesis.txt").write_text(result.stdout)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    # The server stayed healthy.
    assert server.get("/api/tables").status_code == 200
