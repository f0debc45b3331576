"""Mixed writers (issue 10 §2): Spark and dls append to the same Delta table in turns (20 rounds),
then at the same time; every row is read back by Spark, delta-rs and dls, no commit is lost, and
each side's history lists both sides' commits.
"""

from __future__ import annotations

import json
import threading

from conftest import as_text_rows, read_delta_rs, read_dls, read_spark, rows, sorted_rows

ROUNDS = 20


def _setup(run_dls, warehouse, write_file):
    landing = warehouse.parent / "landing"
    landing.mkdir()
    run_dls("store", "init")
    entity = {
        "entity_id": "mixed",
        "group": "main.m",
        "source": str(landing),
        "source_format": "cloudFiles",
        "read_options": {"cloudFiles.format": "csv", "header": "true"},
        "source_schema": "id INT, who STRING",
        "destination": "mixed",
    }
    run_dls("upsert", "--json", json.dumps([entity]))
    return landing, warehouse / "main" / "m" / "mixed"


def test_spark_and_dls_append_in_turns_then_concurrently(spark, run_dls, warehouse, write_file):
    landing, table = _setup(run_dls, warehouse, write_file)
    expected = []
    for r in range(ROUNDS):
        write_file(landing / f"r{r:02}.csv", f"id,who\n{r * 10},dls\n{r * 10 + 1},dls\n")
        run_dls("run", "--group", "main.m")
        expected += [(r * 10, "dls"), (r * 10 + 1, "dls")]
        spark.sql(f"INSERT INTO delta.`{table}` VALUES ({r * 10 + 5}, 'spark')")
        expected.append((r * 10 + 5, "spark"))

    def check():
        want = sorted_rows(expected)
        assert rows(read_spark(spark, table).collect()) == want
        assert rows(read_delta_rs(table)) == want
        assert as_text_rows(read_dls(run_dls, table)) == as_text_rows(want)

    check()
    from deltalake import DeltaTable

    history = spark.sql(f"DESCRIBE HISTORY delta.`{table}`").collect()
    by_spark = [r for r in history if not (r.engineInfo or "").startswith("dls")]
    assert len(by_spark) == ROUNDS  # every Spark INSERT is a commit of its own
    assert len(history) - len(by_spark) >= ROUNDS  # dls: one per update (+ the creation)
    assert sorted(h["version"] for h in DeltaTable(str(table)).history()) == sorted(
        r.version for r in history
    )
    before = DeltaTable(str(table)).version()

    # Both sides at once: neither commit may be lost (optimistic concurrency on both sides).
    for r in range(ROUNDS, ROUNDS + 3):
        write_file(landing / f"r{r:02}.csv", f"id,who\n{r * 10},dls\n")
        results = {}
        dls_thread = threading.Thread(
            target=lambda: results.setdefault("dls", run_dls("run", "--group", "main.m", check=False))
        )
        dls_thread.start()
        spark.sql(f"INSERT INTO delta.`{table}` VALUES ({r * 10 + 5}, 'spark')")
        dls_thread.join()
        assert results["dls"].returncode == 0, results["dls"].stderr
        expected += [(r * 10, "dls"), (r * 10 + 5, "spark")]
    check()
    assert DeltaTable(str(table)).version() == before + 2 * 3  # no commit lost or merged
