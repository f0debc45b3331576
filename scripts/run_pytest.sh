#!/usr/bin/env bash
# The Python step of `make test`: pytest over the Python test folders that exist on this branch
# (tests/interop: dls against Spark + Delta and delta-rs; tests/python: the dls Python package;
# tests/server_api: `dls serve` as a process, with schemathesis),
# in the .venv that scripts/setup_python.sh fills. A missing folder is left out of the command;
# no folder at all, or a folder that collects no test (pytest's exit 5), fails the run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="$root/.venv/bin/python"
[ -x "$python" ] || {
  echo "run_pytest: $python is missing -- run 'make setup'" >&2
  exit 1
}
folders=()
for d in tests/interop tests/python tests/server_api; do
  [ -d "$d" ] && folders+=("$d")
done
[ ${#folders[@]} -gt 0 ] || {
  echo "run_pytest: no Python test folder (tests/interop, tests/python, tests/server_api) found" >&2
  exit 1
}
# Arguments (test files, -k ...) go to one pytest run as given. Otherwise each folder runs in its
# own pytest process: both have a conftest.py, and their tests import helpers from it, which one
# process cannot hold twice under the same module name.
if [ $# -gt 0 ]; then
  exec "$python" -m pytest -p no:cacheprovider "$@"
fi
status=0
for d in "${folders[@]}"; do
  echo "run_pytest: $d"
  "$python" -m pytest -p no:cacheprovider "$d" || status=1
done
exit "$status"
