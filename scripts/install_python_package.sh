#!/usr/bin/env bash
# Builds the dls Python package (pyproject.toml: scikit-build-core + nanobind over the C++ layer
# libraries) and installs it into the project's virtual environment, .venv/ at the repository root.
#
# The build directory is persistent (build/python), so after the first build only what changed is
# compiled again. The venv normally comes from scripts/setup_python.sh; when it does not exist yet
# it is created here. Pinned build and test requirements: python/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "install_python_package: creating the virtual environment $VENV"
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Only what is missing is downloaded (pip checks the pins against what is installed).
"$PY" -m pip install --quiet -r python/requirements.txt

# --no-build-isolation: build with the pinned nanobind/scikit-build-core installed above rather than
# fetching them again into a temporary environment.
"$PY" -m pip install --quiet --no-build-isolation .
"$PY" -c 'import dls; print("installed dls", dls.__version__, "in", dls.__file__.rsplit("/", 2)[0])'
