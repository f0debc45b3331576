"""`dls serve` as a process: its token, its help, graceful stop, and a run through the API."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

from conftest import Server, dls_binary, make_warehouse


def test_first_start_prints_the_token_once_and_stores_it_0600(warehouse: Path) -> None:
    s = Server(warehouse)
    code, out, err = s.stop()
    assert code == 0, err
    assert f"token: {s.token}" in out
    mode = stat.S_IMODE(os.stat(warehouse / ".dls-serve-token").st_mode)
    assert mode == 0o600
    again = Server(warehouse)
    code, out, err = again.stop()
    assert code == 0, err
    assert again.token == s.token
    assert s.token not in out  # printed once only
    assert "dls serve: stopped" in err


def test_sigint_stops_the_server_and_cancels_a_running_update(tmp_path: Path) -> None:
    wh = make_warehouse(tmp_path, files=300, per_batch=True)
    s = Server(wh)
    r = s.post("/api/pipelines/main_s/updates", {})
    assert r.status_code == 202, r.text
    update_id = r.json()["update_id"]
    s.process.send_signal(signal.SIGINT)
    _, err = s.process.communicate(timeout=120)
    assert s.process.returncode == 0, err
    assert "dls serve: stopped" in err
    events = subprocess.run([dls_binary(), "--warehouse", str(wh), "--format", "json", "updates"],
                            capture_output=True, text=True, check=True)
    assert update_id in events.stdout
    assert "CANCELED" in events.stdout, events.stdout


def test_help_explains_security_and_options() -> None:
    out = subprocess.run([dls_binary(), "serve", "--help"], capture_output=True, text=True,
                         check=True).stdout
    for word in ("--port", "--host", "--token-file", "--allow-query", "127.0.0.1", "Bearer",
                 "0600", "413", "409", "SIGINT", "/api/openapi.json"):
        assert word in out, word


def test_a_busy_port_is_a_clear_error(server: Server) -> None:
    r = subprocess.run([dls_binary(), "--warehouse", str(server.warehouse), "serve", "--port",
                        str(server.port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "cannot listen on 127.0.0.1:" in r.stderr


def test_errors_are_json_with_the_cli_messages(server: Server) -> None:
    r = server.get("/api/entities/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    cli = subprocess.run([dls_binary(), "--warehouse", str(server.warehouse), "show", "nope"],
                         capture_output=True, text=True)
    assert r.json()["error"]["message"] in cli.stderr
    r = requests_get_without_token(server, "/api/entities")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def requests_get_without_token(server: Server, path: str):  # type: ignore[no-untyped-def]
    import requests

    return requests.get(server.url + path, timeout=30)


def test_an_update_through_the_api_shows_in_graph_updates_and_tables(server: Server) -> None:
    r = server.post("/api/pipelines/main_s/updates", {})
    assert r.status_code == 202, r.text
    u = server.wait_update(r.json()["update_id"])
    assert u["status"] == "COMPLETED", u
    graph = server.get("/api/pipelines/main_s/graph").json()
    assert [n["status"] for n in graph["nodes"]] == ["COMPLETED"] * 3
    rows = server.get("/api/tables/main.s.gold/rows").json()
    assert rows["rows"] == [[2]]
    q = server.post("/api/query", {"sql": "SELECT twice FROM main.s.gold"})
    assert q.status_code == 200 and q.json()["rows"] == [[2]]
