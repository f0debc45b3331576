"""The seed README's examples run unchanged (apart from the import lines and local paths)."""

from __future__ import annotations

import doctest
import pathlib
from typing import Callable, List

import pytest

HERE = pathlib.Path(__file__).parent

SEED_YAML = """
delta_live_store:
  - entity_id: "1"
    source: {volume}/dataset1
    destination: dataset1_bronze
    destination_type: table
    source_format: cloudFiles
    is_streaming: true
    is_enabled: true
    source_schema: ~
    primary_keys:
      - id
    select_expr: []
    read_options:
      cloudFiles.format: csv
      header: "true"
    table_properties: {{}}
    tags: {{}}
    spark_conf: {{}}
    partition_cols: []
    group: main.etl
    comment: This is a an elt table.
    expectations:
      expect_all: {{}}
      expect_all_or_drop: {{}}
      expect_all_or_fail: {{}}
    is_quarantined: false
  - entity_id: "2"
    source: dataset1_bronze
    destination: dataset1_silver
    destination_type: table
    primary_keys:
      - id
    source_format: dlt
    is_streaming: true
    group: main.etl
    is_quarantined: True
    expectations:
      expect_all:
        temp_gt_50: "temp > 50"
    apply_changes:
      sequence_by: "my_seq_num"
      stored_as_scd_type: 2
"""


def test_seed_readme_examples(tmp_path, monkeypatch):
    volume = tmp_path / "Volumes" / "main" / "etl" / "data"
    for name in ("dataset1", "dataset2"):
        (volume / name).mkdir(parents=True)
        (volume / name / "part-0.csv").write_text("id,temp,my_seq_num\n1,60,1\n2,40,2\n")
    config_path = tmp_path / "config.yml"
    config_path.write_text(SEED_YAML.format(volume=volume))
    monkeypatch.setenv("DLS_WAREHOUSE", str(tmp_path / "warehouse"))
    monkeypatch.chdir(tmp_path)
    from dls.models import DeltaLiveEntityList

    def display(table) -> None:
        print(f"{table.num_rows} rows x {table.num_columns} columns")

    globs = dict(volume=str(volume), config_path=str(config_path), host="https://example", token="t", spark=None,
                 display=display, Callable=Callable, List=List, DeltaLiveEntityList=DeltaLiveEntityList)
    result = doctest.testfile(str(HERE / "seed_readme_examples.txt"), module_relative=False, globs=globs,
                              optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.attempted > 40
    assert result.failed == 0


@pytest.mark.parametrize("module", ["dls.models", "dls.utils", "dls.store"])
def test_module_docstring_examples(module, tmp_path, monkeypatch):
    import importlib

    monkeypatch.chdir(tmp_path)
    from dls.filters import by_is_enabled
    from dls.models import DeltaLiveEntity

    mod = importlib.import_module(module)
    globs = dict(vars(mod), tmp_path=tmp_path, DeltaLiveEntity=DeltaLiveEntity, by_is_enabled=by_is_enabled)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(mod, module, globs=globs)
    for t in tests:
        runner.run(t)
    assert runner.failures == 0 and runner.tries > 0
