"""Tables written now by Spark 4.2 + Delta 4.4, read by dls (issue 10 §2): deletion vectors after
DELETE/UPDATE/MERGE, column mapping (name) with renamed and dropped columns, change data feed,
v2 checkpoints, timestamp_ntz, liquid clustering, type widening, row tracking. dls must read each
exactly as Spark does (docs/delta.md lists these features as read). Every table is also read by
delta-rs where delta-rs supports the feature, as a second opinion.
"""

from __future__ import annotations

import pytest

from conftest import as_text_rows, read_delta_rs, read_dls, read_spark, rows


def _sql(spark, *statements):
    for s in statements:
        spark.sql(s)


def _same_as_spark(spark, run_dls, path, version=None):
    from_spark = read_spark(spark, path, version).collect()
    from_dls = read_dls(run_dls, path, version)
    assert as_text_rows(from_dls) == as_text_rows(from_spark)
    columns = [f.name for f in read_spark(spark, path, version).schema.fields]
    if from_dls:
        assert list(from_dls[0].keys()) == columns
    return from_spark


def _protocol_features(path):
    from deltalake import DeltaTable

    p = DeltaTable(str(path)).protocol()
    return set(p.reader_features or []) | set(p.writer_features or [])


def test_deletion_vectors_after_delete_update_merge(spark, run_dls, tmp_path):
    t = tmp_path / "dv"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, s STRING) USING delta "
        "TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')",
        f"INSERT INTO delta.`{t}` SELECT id, concat('v', id) FROM range(20)",
        f"DELETE FROM delta.`{t}` WHERE id % 5 = 0",
        f"UPDATE delta.`{t}` SET s = 'updated' WHERE id % 7 = 1",
        f"MERGE INTO delta.`{t}` AS d USING (SELECT id, 'merged' AS s FROM range(15, 25)) AS u "
        "ON d.id = u.id WHEN MATCHED THEN UPDATE SET s = u.s WHEN NOT MATCHED THEN INSERT *",
    )
    assert "deletionVectors" in _protocol_features(t)
    assert list((t).glob("*.bin")), "Spark wrote no deletion vector file"
    got = _same_as_spark(spark, run_dls, t)
    # 20 rows, DELETE takes 0, 5, 10, 15; MERGE updates 16..19 and inserts 15 and 20..24.
    assert len(got) == 20 - 4 + 6
    assert rows(read_delta_rs(t)) == rows(got)
    # Every version, including the ones between the DMLs, reads the same in dls and Spark.
    for version in range(1, 5):
        _same_as_spark(spark, run_dls, t, version)


def test_column_mapping_name_with_renamed_and_dropped_columns(spark, run_dls, tmp_path):
    t = tmp_path / "cm"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, old_name STRING, gone STRING) USING delta "
        "TBLPROPERTIES ('delta.columnMapping.mode' = 'name')",
        f"INSERT INTO delta.`{t}` VALUES (1, 'a', 'x'), (2, 'b', 'y')",
        f"ALTER TABLE delta.`{t}` RENAME COLUMN old_name TO new_name",
        f"ALTER TABLE delta.`{t}` DROP COLUMN gone",
        f"ALTER TABLE delta.`{t}` ADD COLUMN gone STRING",  # same name, new physical column
        f"INSERT INTO delta.`{t}` VALUES (3, 'c', 'z')",
    )
    got = _same_as_spark(spark, run_dls, t)
    assert as_text_rows(got) == [("1", "a", None), ("2", "b", None), ("3", "c", "z")]
    assert rows(read_delta_rs(t)) == rows(got)


def test_change_data_feed_table(spark, run_dls, tmp_path):
    t = tmp_path / "cdf"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, s STRING) USING delta "
        "TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')",
        f"INSERT INTO delta.`{t}` VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        f"UPDATE delta.`{t}` SET s = 'B' WHERE id = 2",
        f"DELETE FROM delta.`{t}` WHERE id = 3",
    )
    assert (t / "_change_data").is_dir()
    got = _same_as_spark(spark, run_dls, t)
    assert as_text_rows(got) == [("1", "a"), ("2", "B")]
    _same_as_spark(spark, run_dls, t, 1)


def test_v2_checkpoints(spark, run_dls, tmp_path):
    t = tmp_path / "v2cp"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id BIGINT) USING delta TBLPROPERTIES "
        "('delta.checkpointPolicy' = 'v2', 'delta.checkpointInterval' = '2')",
        *[f"INSERT INTO delta.`{t}` VALUES ({i})" for i in range(5)],
    )
    assert "v2Checkpoint" in _protocol_features(t)
    names = [p.name for p in (t / "_delta_log").iterdir()]
    assert any(".checkpoint." in n for n in names), names
    got = _same_as_spark(spark, run_dls, t)
    assert len(got) == 5
    assert rows(read_delta_rs(t)) == rows(got)


def test_timestamp_ntz_and_timestamp(spark, run_dls, tmp_path):
    t = tmp_path / "ntz"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, wall TIMESTAMP_NTZ, instant TIMESTAMP) USING delta",
        f"INSERT INTO delta.`{t}` VALUES (1, TIMESTAMP_NTZ'2024-03-01 12:34:56.123456', "
        "TIMESTAMP'2024-03-01 12:34:56.5'), (2, NULL, NULL)",
    )
    assert "timestampNtz" in _protocol_features(t)
    got = _same_as_spark(spark, run_dls, t)
    assert rows(read_delta_rs(t)) == rows(got)


def test_liquid_clustering(spark, run_dls, tmp_path):
    t = tmp_path / "clustered"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, k STRING) USING delta CLUSTER BY (k)",
        f"INSERT INTO delta.`{t}` VALUES (1, 'a'), (2, 'b'), (3, 'a')",
        f"OPTIMIZE delta.`{t}`",
    )
    assert "clustering" in _protocol_features(t)
    got = _same_as_spark(spark, run_dls, t)
    assert len(got) == 3
    assert rows(read_delta_rs(t)) == rows(got)


def test_type_widening(spark, run_dls, tmp_path):
    t = tmp_path / "widened"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, small SMALLINT) USING delta "
        "TBLPROPERTIES ('delta.enableTypeWidening' = 'true')",
        f"INSERT INTO delta.`{t}` VALUES (1, 7)",
        f"ALTER TABLE delta.`{t}` ALTER COLUMN small TYPE INT",
        f"INSERT INTO delta.`{t}` VALUES (2, 100000)",
    )
    assert "typeWidening" in _protocol_features(t)
    got = _same_as_spark(spark, run_dls, t)
    assert as_text_rows(got) == [("1", "7"), ("2", "100000")]
    # Old versions keep their own (narrower) schema.
    _same_as_spark(spark, run_dls, t, 1)


def test_row_tracking(spark, run_dls, tmp_path):
    t = tmp_path / "tracked"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id INT, s STRING) USING delta "
        "TBLPROPERTIES ('delta.enableRowTracking' = 'true')",
        f"INSERT INTO delta.`{t}` VALUES (1, 'a'), (2, 'b')",
        f"UPDATE delta.`{t}` SET s = 'B' WHERE id = 2",
    )
    assert "rowTracking" in _protocol_features(t)
    got = _same_as_spark(spark, run_dls, t)
    assert as_text_rows(got) == [("1", "a"), ("2", "B")]


@pytest.mark.parametrize(
    "properties, named",
    [
        ("'delta.enableRowTracking' = 'true'", "rowTracking"),
        ("'delta.columnMapping.mode' = 'name'", "column mapping"),
    ],
)
def test_dls_refuses_to_write_features_it_does_not_implement(
    spark, run_dls, warehouse, write_file, properties, named
):
    """A dls pipeline whose destination is a Spark table with a feature dls cannot write fails
    naming the feature, and leaves the table as it was."""
    import json

    t = warehouse / "main" / "s" / "target"
    _sql(
        spark,
        f"CREATE TABLE delta.`{t}` (id STRING) USING delta TBLPROPERTIES ({properties})",
        f"INSERT INTO delta.`{t}` VALUES ('1')",
    )
    before = sorted(p.name for p in (t / "_delta_log").iterdir())
    data = warehouse.parent / "landing"
    write_file(data / "a.csv", "id\n2\n")
    run_dls("store", "init")
    entity = {
        "entity_id": "target",
        "group": "main.s",
        "source": str(data),
        "source_format": "cloudFiles",
        "read_options": {"cloudFiles.format": "csv", "header": "true"},
        "destination": "target",
    }
    run_dls("upsert", "--json", json.dumps([entity]))
    refused = run_dls("run", "--group", "main.s", check=False)
    assert refused.returncode != 0
    assert named in refused.stderr, refused.stderr
    assert "entity 'target'" in refused.stderr, refused.stderr
    assert sorted(p.name for p in (t / "_delta_log").iterdir()) == before
    assert as_text_rows(read_spark(spark, t).collect()) == [("1",)]
