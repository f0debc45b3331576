"""The wheel: built with `pip wheel .`, installed into a fresh virtual environment in another
directory, and used there (libduckdb is bundled next to the extension, found by RPATH $ORIGIN)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap
import zipfile

REPO = pathlib.Path(__file__).resolve().parents[2]


def run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_wheel_installs_and_works_in_a_fresh_venv_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-build-isolation", "--no-deps", "-w", str(wheels)])
    [wheel] = list(wheels.glob("dls-*.whl"))
    # Editors find the types: the marker and the extension's stub are in the wheel.
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"dls/py.typed", "dls/_core.pyi"} <= names, sorted(names)
    env_dir = tmp_path / "elsewhere" / "venv"
    run([sys.executable, "-m", "venv", str(env_dir)])
    python = env_dir / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)])
    script = textwrap.dedent(
        """
        import os, dls
        from dls.store import DeltaLiveStore
        from dls.models import DeltaLiveEntity
        from dls.filters import by_group
        assert os.path.realpath(dls.__file__).startswith(os.path.realpath(os.environ["VENV"])), dls.__file__
        store = DeltaLiveStore("main.etl.ctl", warehouse="wh")
        store.initialize()
        store.upsert(DeltaLiveEntity(entity_id="1", source="/d", destination="t", group="g",
                                     read_options={"cloudFiles.format": "csv"}))
        print(len(store.find_entities(by_group("g"))), dls.utils.load_config_schema()["type"])
        """
    )
    workdir = tmp_path / "elsewhere" / "work"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH", "DLS_WAREHOUSE")}
    env["VENV"] = str(env_dir)
    out = run([str(python), "-c", "import dls.utils\n" + script], cwd=workdir, env=env)
    assert out.split() == ["1", "object"]
