"""dls.loaders: YAML load/export, the directory loader with default factories and Python
callables, the list and JSON loaders."""

from __future__ import annotations

import json
import uuid

import pytest

import dls
from dls.filters import by_group, by_is_enabled
from dls.loaders import (
    DeltaLiveStoreLoader,
    DirectoryEntry,
    FileServiceLoader,
    JsonLoader,
    ListLoader,
    LoadSummary,
    YamlLoader,
    entity_from_directory_entry,
    medallion_from_directory_entry,
)
from dls.models import DeltaLiveEntity

YAML = """
delta_live_store:
  - entity_id: "1"
    source: /Volumes/main/etl/data/dataset1
    destination: dataset1_bronze
    read_options:
      cloudFiles.format: csv
      header: "true"
    group: main.etl
  - entity_id: "2"
    source: dataset1_bronze
    destination: dataset1_silver
    source_format: dlt
    primary_keys: [id]
    group: main.etl
    is_quarantined: true
    expectations:
      expect_all:
        temp_gt_50: "temp > 50"
"""


def test_yaml_load_then_reload_without_an_entity_disables_it(store, tmp_path):
    path = tmp_path / "config.yml"
    path.write_text(YAML)
    summary = YamlLoader(path).load(store)
    assert isinstance(summary, LoadSummary) and sorted(summary.inserted) == ["1", "2"]
    assert YamlLoader(path).load(store).unchanged == ["1", "2"]
    path.write_text(YAML.split("  - entity_id: \"2\"")[0])
    again = YamlLoader(path).load(store)
    assert again.disabled == ["2"]
    assert [e.entity_id for e in store.find_entities(by_is_enabled())] == ["1"]
    assert YamlLoader(path).validate() == 1


def test_yaml_export_round_trips(store, tmp_path, warehouse):
    src = tmp_path / "config.yml"
    src.write_text(YAML)
    YamlLoader(src).load(store)
    out = tmp_path / "out" / "exported.yml"
    text = YamlLoader(out).export(store, schema=tmp_path / "schemas" / "config_schema.json")
    assert text.startswith("# yaml-language-server: $schema=../schemas/config_schema.json")
    assert out.read_text() == text
    other = dls.store.DeltaLiveStore("main.etl.other", warehouse=warehouse)
    other.initialize()
    YamlLoader(out).load(other)
    key = lambda es: sorted((e.to_json(generated=False)) for e in es)  # noqa: E731
    assert key(other.find_entities()) == key(store.find_entities())
    assert YamlLoader.store is YamlLoader.export
    assert store.to_yaml() == _core_export(store)


def _core_export(store):
    from dls import _core

    return _core.export_yaml(store._store, "")


def test_file_service_loader_with_default_and_medallion_factories(store, landing):
    entries = FileServiceLoader(landing).entries()
    assert [(e.name, e.file_format) for e in entries] == [("customers", "csv"), ("orders", "csv")]
    summary = FileServiceLoader(landing, host="https://x", token="t").load(store)
    assert len(summary.inserted) == 2
    bronze = {e.destination: e for e in store.find_entities()}
    assert set(bronze) == {"customers_bronze", "orders_bronze"}
    assert bronze["orders_bronze"].read_options == {"cloudFiles.format": "csv", "header": "true"}
    # Deterministic ids: loading again writes nothing.
    assert FileServiceLoader(landing).load(store).changed is False
    medallion = medallion_from_directory_entry(group="main.etl", bronze={"prefix": "raw_"},
                                               silver={"expectations": {"expect_all": {"ok": "id IS NOT NULL"}}})
    summary = FileServiceLoader(landing, factory=medallion).load(store)
    assert len(summary.inserted) == 4
    names = sorted(e.destination for e in store.find_entities(by_group("main.etl")))
    assert names == ["customers_silver", "orders_silver", "raw_customers_bronze", "raw_orders_bronze"]
    silver = store.find_entity(by_group("main.etl") & dls.filters.by_destination("orders_silver"))
    assert silver.source == "raw_orders_bronze" and silver.source_format == "dlt"
    assert silver.expectations.expect_all == {"ok": "id IS NOT NULL"}
    expected_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "dls:entity:main.etl/orders_silver"))
    assert silver.entity_id == expected_id


def test_file_service_loader_takes_any_python_callable(store, landing):
    seen = []

    def factory(entry: DirectoryEntry):
        seen.append(entry)
        return DeltaLiveEntity(entity_id=entry.name, source=entry.path, destination=entry.name + "_raw",
                               source_format=entry.file_format)

    FileServiceLoader(landing, factory=factory).load(store)
    assert [e.name for e in seen] == ["customers", "orders"] and all(e.is_dir for e in seen)
    assert sorted(e.destination for e in store.find_entities()) == ["customers_raw", "orders_raw"]
    # Wrapping a default factory (the seed's customisation hook).
    base = entity_from_directory_entry(group="g")

    def tagged(entry):
        out = base(entry)
        for e in out:
            e.tags["owner"] = "me"
        return out

    FileServiceLoader(landing, factory=tagged).load(store)
    assert all(e.tags == {"owner": "me"} for e in store.find_entities(by_group("g")))


def test_file_service_loader_duplicates_and_bad_factories_write_nothing(store, landing):
    (landing / "Orders").mkdir()
    (landing / "Orders" / "x.csv").write_text("id\n1\n")
    version = store.version
    with pytest.raises(dls.InvalidMetadataError, match="orders_bronze"):
        FileServiceLoader(landing).load(store)
    with pytest.raises(dls.InvalidMetadataError, match="factory"):
        FileServiceLoader(landing, factory=lambda e: ["not an entity"]).load(store)
    with pytest.raises(dls.InvalidMetadataError):
        FileServiceLoader(landing, factory=lambda e: DeltaLiveEntity(entity_id=e.name, source="", destination=e.name)).load(store)
    assert store.version == version
    with pytest.raises(dls.NotFoundError):
        FileServiceLoader(landing / "nope").load(store)


def test_list_and_json_loaders(store, tmp_path):
    entities = [DeltaLiveEntity(entity_id=str(i), source=f"/d/{i}", destination=f"t{i}",
                                read_options={"cloudFiles.format": "json"}) for i in range(3)]
    summary = ListLoader(entities).load(store)
    assert sorted(summary.inserted) == ["0", "1", "2"]
    listing = store.find_entities().to_json()
    path = tmp_path / "entities.json"
    path.write_text(listing)
    assert JsonLoader(path).load(store).unchanged == ["0", "1", "2"]
    data = json.loads(listing)
    data[0]["comment"] = "changed"
    assert JsonLoader(text=json.dumps(data)).load(store).updated == ["0"]
    with pytest.raises(dls.InvalidMetadataError, match=r"\[1\]"):
        JsonLoader(text='[{"entity_id": "x", "source": "s", "destination": "d"}, {"entity_id": 5}]').load(store)
    assert issubclass(ListLoader, DeltaLiveStoreLoader)
