"""Load on `dls serve` (issue 14): N concurrent clients (default 50) read the API for S seconds
(default 30) while a pipeline update runs; every response must be 200; latency p50/p90/p99/max per
endpoint and overall are printed as a Markdown table for bench/RESULTS.md.

    .venv/bin/python bench/serve_load.py build/dls [CLIENTS] [SECONDS]
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests


def dls(binary: str, wh: Path, *args: str) -> None:
    subprocess.run([binary, "--warehouse", str(wh), *args], check=True, capture_output=True)


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/dls"
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    tmp = Path(tempfile.mkdtemp(prefix="dls-serve-load-"))
    wh, src = tmp / "wh", tmp / "in"
    src.mkdir()
    # An update that lasts: one file of 2,000 rows per batch.
    files = int(os.environ.get("DLS_LOAD_FILES", "400"))
    for f in range(files):
        rows = "\n".join(f"{f * 2000 + i},{(i % 7) - 1}" for i in range(2000))
        (src / f"f{100000 + f}.csv").write_text("id,amount\n" + rows + "\n")
    entities = [
        {"entity_id": "bronze", "group": "main.s", "source": str(src), "source_format": "cloudFiles",
         "read_options": {"cloudFiles.format": "csv", "header": "true",
                          "cloudFiles.inferColumnTypes": "true", "cloudFiles.maxFilesPerTrigger": "1"},
         "expectations": {"expect_all": {"positive": "amount > 0"}}, "is_quarantined": True,
         "destination": "bronze"},
        {"entity_id": "silver", "group": "main.s", "source": "bronze", "source_format": "dlt",
         "is_streaming": False, "select_expr": ["count(*) AS n"], "destination": "silver"},
    ]
    dls(binary, wh, "store", "init")
    dls(binary, wh, "upsert", "--json", json.dumps(entities))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([binary, "--warehouse", str(wh), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    token_file = wh / ".dls-serve-token"
    for _ in range(600):
        if token_file.exists():
            try:
                token = token_file.read_text().strip()
                if requests.get(url + "/api/tables", headers={"Authorization": f"Bearer {token}"},
                                timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    headers = {"Authorization": f"Bearer {token}"}
    # A first short update so that tables, events and quality exist, then the long one.
    r = requests.post(url + "/api/pipelines/main_s/updates", headers=headers,
                      json={"select": ["silver"]}, timeout=30)
    first = r.json()["update_id"]
    while requests.get(f"{url}/api/pipelines/main_s/updates/{first}", headers=headers,
                       timeout=30).json()["status"] == "RUNNING":
        time.sleep(0.2)
    r = requests.post(url + "/api/pipelines/main_s/updates", headers=headers, json={}, timeout=30)
    update_id = r.json()["update_id"]
    endpoints = [
        "/api/pipelines", "/api/pipelines/main_s/graph", "/api/pipelines/main_s/updates",
        f"/api/pipelines/main_s/updates/{update_id}", "/api/pipelines/main_s/events?limit=50",
        "/api/pipelines/main_s/quality", "/api/entities", "/api/entities/bronze/versions",
        "/api/tables/main.s.bronze", "/api/tables/main.s.bronze/history?limit=10",
        "/api/tables/main.s.silver/rows?limit=20",
    ]
    latencies: dict[str, list[float]] = {e.split("?")[0]: [] for e in endpoints}
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        while time.time() < stop_at:
            e = rng.choice(endpoints)
            t0 = time.perf_counter()
            try:
                resp = session.get(url + e, headers=headers, timeout=60)
                ok = resp.status_code == 200
                detail = f"{resp.status_code} {resp.text[:200]}"
            except requests.RequestException as ex:
                ok, detail = False, str(ex)
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                latencies[e.split("?")[0]].append(dt)
                if not ok:
                    failures.append(f"{e}: {detail}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    state = requests.get(f"{url}/api/pipelines/main_s/updates/{update_id}", headers=headers,
                         timeout=60).json()
    ran_during = state["status"] in ("RUNNING", "COMPLETED")
    requests.post(f"{url}/api/pipelines/main_s/updates/{update_id}/cancel", headers=headers,
                  timeout=60)
    server.send_signal(signal.SIGTERM)
    server.communicate(timeout=300)

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")

    every = [v for vs in latencies.values() for v in vs]
    print(f"{clients} clients, {elapsed:.1f} s, {len(every)} requests ({len(every) / elapsed:.0f}/s), "
          f"{len(failures)} errors; update {update_id[:8]} was {state['status']} at the end "
          f"({sum(1 for d in state['datasets'] if d['status'] != 'RUNNING')} datasets done)")
    print()
    print("| endpoint | requests | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for e, vs in list(latencies.items()) + [("all", every)]:
        if vs:
            print(f"| `{e}` | {len(vs)} | {statistics.median(vs):.1f} | {pct(vs, .9):.1f} | "
                  f"{pct(vs, .99):.1f} | {max(vs):.1f} |")
    for f in failures[:10]:
        print("error:", f, file=sys.stderr)
    return 0 if not failures and ran_during else 1


if __name__ == "__main__":
    sys.exit(main())
