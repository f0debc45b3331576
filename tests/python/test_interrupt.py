"""Ctrl-C during a pipeline run: KeyboardInterrupt, no dataset left half written, every table
readable, and the next run finishes the work."""

from __future__ import annotations

import _thread
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
    first_table = tmp_path / "warehouse" / "main" / "etl" / "t00" / "_delta_log"

    def interrupt_when_the_first_dataset_committed() -> None:
        deadline = time.monotonic() + 120
        while not first_table.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        _thread.interrupt_main()

    watcher = threading.Thread(target=interrupt_when_the_first_dataset_committed)
    watcher.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(parallelism=1)
    watcher.join()
    elapsed = time.monotonic() - started

    written = [i for i in range(n) if (tmp_path / "warehouse" / "main" / "etl" / f"t{i:02d}" / "_delta_log").exists()]
    assert 0 in written and len(written) < n, (written, elapsed)
    for i in written:
        table = dls.read_table(f"main.etl.t{i:02d}", warehouse=warehouse)
        assert table.num_rows == 200  # all of its batch or (not written at all) nothing

    update = pipeline.run(parallelism=2)
    assert update.ok, update.failure_summary
    for i in range(n):
        assert dls.read_table(f"main.etl.t{i:02d}", warehouse=warehouse).num_rows == 200
    assert {d.status for d in update.datasets if int(d.name[-2:]) in written} == {"UP_TO_DATE"}
