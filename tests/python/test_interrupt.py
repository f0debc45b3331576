"""Ctrl-C during a pipeline run: KeyboardInterrupt promptly (between datasets, and within a
dataset between its batches or by interrupting its query), no batch left half written, every table
readable, and the next run finishes the work."""

from __future__ import annotations

import _thread
import pathlib
import threading
import time

import pytest

import dls
from dls.filters import by_group
from dls.models import DeltaLiveEntity
from dls.pipeline import DeltaLiveStorePipeline


def test_keyboard_interrupt_cancels_the_run_and_leaves_tables_readable(store, tmp_path, warehouse):
    n = 16
    entities = []
    for i in range(n):
        d = tmp_path / "in" / f"d{i}"
        d.mkdir(parents=True)
        (d / "a.csv").write_text("id,v\n" + "".join(f"{j},{j * i}\n" for j in range(200)))
        entities.append(DeltaLiveEntity(entity_id=f"e{i}", group="main.etl", source=str(d), destination=f"t{i:02d}",
                                        source_schema="id BIGINT, v BIGINT",
                                        read_options={"cloudFiles.format": "csv", "header": "true"}))
    store.upsert(entities)
    pipeline = DeltaLiveStorePipeline(store).with_filter(by_group("main.etl"))

    def table(i: int) -> pathlib.Path:
        return tmp_path / "warehouse" / "main" / "etl" / f"t{i:02d}"

    def rows(i: int) -> int:
        return dls.read_table(f"main.etl.t{i:02d}", warehouse=warehouse).num_rows

    def interrupt_when_the_first_dataset_committed() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if (table(0) / "_delta_log").exists() and rows(0) > 0:
                    break
            except dls.DlsError:  # the log is being written: look again
                pass
            time.sleep(0.005)
        _thread.interrupt_main()

    watcher = threading.Thread(target=interrupt_when_the_first_dataset_committed)
    watcher.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(parallelism=1)
    watcher.join()
    elapsed = time.monotonic() - started

    # Every table is readable, with all of its batch or none of it: the dataset running at the
    # interrupt stopped before its data commit (its table may have been created, empty) or
    # after it; the datasets not started wrote nothing.
    created = [i for i in range(n) if (table(i) / "_delta_log").exists()]
    counts = {i: rows(i) for i in created}
    complete = [i for i in created if counts[i] == 200]
    assert set(counts.values()) <= {0, 200}, counts
    assert 0 in complete and len(complete) < n, (counts, elapsed)

    update = pipeline.run(parallelism=2)
    assert update.ok, update.failure_summary
    for i in range(n):
        assert rows(i) == 200
    assert {d.status for d in update.datasets if int(d.name[-2:]) in complete} == {"UP_TO_DATE"}


def test_keyboard_interrupt_stops_a_long_dataset_between_its_batches(store, tmp_path, warehouse):
    # One streaming table reading 24 files one per batch (cloudFiles.maxFilesPerTrigger): 24
    # commits. Interrupted after its first data commit, it stops within the dataset instead of
    # finishing its input; the batches it committed stay, and the next run adds the rest, once.
    files, rows_per_file = 24, 50
    source = tmp_path / "in" / "long"
    source.mkdir(parents=True)
    for f in range(files):
        (source / f"part-{f:03d}.csv").write_text(
            "id,v\n" + "".join(f"{f * rows_per_file + j},{j}\n" for j in range(rows_per_file)))
    store.upsert(DeltaLiveEntity(entity_id="long", group="main.etl", source=str(source), destination="long",
                                 source_schema="id BIGINT, v BIGINT",
                                 read_options={"cloudFiles.format": "csv", "header": "true",
                                               "cloudFiles.maxFilesPerTrigger": "1"}))
    pipeline = DeltaLiveStorePipeline(store).with_filter(by_group("main.etl"))
    log = tmp_path / "warehouse" / "main" / "etl" / "long" / "_delta_log"

    def rows() -> int:
        return dls.read_table("main.etl.long", warehouse=warehouse).num_rows

    def interrupt_after_the_first_data_commit() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if log.exists() and any(log.glob("*.json")):
                try:
                    if rows() > 0:
                        break
                except dls.DlsError:  # the log is being written: look again
                    pass
            time.sleep(0.005)
        _thread.interrupt_main()

    watcher = threading.Thread(target=interrupt_after_the_first_data_commit)
    watcher.start()
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(parallelism=1)
    watcher.join()

    kept = rows()  # readable, and whole batches only
    assert kept % rows_per_file == 0 and 0 < kept < files * rows_per_file, kept

    update = pipeline.run(parallelism=1)
    assert update.ok, update.failure_summary
    table = dls.read_table("main.etl.long", warehouse=warehouse)
    assert sorted(table.column("id").to_pylist()) == list(range(files * rows_per_file))
