#!/usr/bin/env bash
# Installs the reference engines the interop tests run against (issue 10 §1):
#   1. .venv/ at the repository root (git-ignored) with the packages pinned, with their sha256, in
#      requirements/interop.txt (pyspark, delta-spark, deltalake, pyarrow, pytest and dependencies);
#   2. the Delta jars pinned in scripts/delta_jars.lock, from Maven Central into the jar cache
#      (scripts/fetch_delta_jars.sh), so Spark starts with Delta offline;
#   3. the Kafka jars pinned in scripts/kafka_jars.lock (a KRaft broker the Kafka interop tests
#      start, and Spark's Kafka source), likewise (scripts/fetch_kafka_jars.sh).
# Needs python3 with venv, Java 17 and Maven (Debian packages listed in scripts/setup.sh).
# Idempotent: a stamp named after the requirements file's sha256 marks a finished install, so a
# second run with nothing changed only checks the stamp and the jars.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
req="$root/requirements/interop.txt"
venv="$root/.venv"

for tool in python3 java mvn; do
  command -v "$tool" >/dev/null || {
    echo "setup_python: $tool is missing (scripts/setup.sh installs it)" >&2
    exit 1
  }
done

if [ ! -x "$venv/bin/python" ]; then
  echo "setup_python: creating $venv"
  python3 -m venv "$venv"
fi

stamp="$venv/.dls-interop-$(sha256sum "$req" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup_python: installing requirements/interop.txt into .venv (hash-checked)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$req"
  "$venv/bin/python" -m pip check >/dev/null
  rm -f "$venv"/.dls-interop-*
  touch "$stamp"
fi

bash "$root/scripts/fetch_delta_jars.sh"
bash "$root/scripts/fetch_kafka_jars.sh"
