"""Two threads using two stores at once (the GIL is released during table access)."""

from __future__ import annotations

import threading

from dls.filters import by_group
from dls.models import DeltaLiveEntity
from dls.store import DeltaLiveStore


def test_two_threads_with_two_stores(warehouse):
    errors = []
    results = {}

    def work(name: str) -> None:
        try:
            store = DeltaLiveStore(f"main.etl.{name}", warehouse=warehouse)
            store.initialize()
            for i in range(8):
                store.upsert(DeltaLiveEntity(entity_id=f"{name}{i}", source=f"/d/{i}", destination=f"{name}_{i}",
                                             group=name, read_options={"cloudFiles.format": "csv"}))
                assert len(store.find_entities(by_group(name))) == i + 1
            results[name] = sorted(e.entity_id for e in store.find_entities())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == {n: sorted(f"{n}{i}" for i in range(8)) for n in ("a", "b")}


def test_two_threads_writing_one_table_lose_nothing(warehouse):
    DeltaLiveStore("main.etl.shared", warehouse=warehouse).initialize()
    errors = []

    def work(name: str) -> None:
        try:
            store = DeltaLiveStore("main.etl.shared", warehouse=warehouse)
            for i in range(5):
                store.upsert(DeltaLiveEntity(entity_id=f"{name}{i}", source="/d", destination=f"{name}{i}",
                                             read_options={"cloudFiles.format": "csv"}))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(DeltaLiveStore("main.etl.shared", warehouse=warehouse).find_entities()) == 10
