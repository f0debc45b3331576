#!/usr/bin/env bash
# Fetches the Delta Lake jars pinned in scripts/delta_jars.lock from Maven Central (one Maven run,
# no transitive dependencies) into the jar cache, and checks each against its pinned sha256.
# The cache is $DLS_JARS_DIR, by default ~/.cache/dls/jars (outside the repository, shared by work
# trees). Spark then starts with them offline (tests/interop/conftest.py passes them as spark.jars).
# Idempotent: when every jar is present with its pinned sum, nothing is fetched.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="$root/scripts/delta_jars.lock"
dest="${DLS_JARS_DIR:-$HOME/.cache/dls/jars}"
mkdir -p "$dest"

coords=()
sums=()
while read -r coord sum; do
  case "$coord" in '' | '#'*) continue ;; esac
  coords+=("$coord")
  sums+=("$sum")
done <"$lock"

jar_name() {  # group:artifact:version -> artifact-version.jar
  local rest="${1#*:}"
  echo "${rest%%:*}-${rest##*:}.jar"
}

verified() {  # jar sha256 -> 0 when the file exists and matches
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

missing=0
for i in "${!coords[@]}"; do
  verified "$dest/$(jar_name "${coords[$i]}")" "${sums[$i]}" || missing=1
done
[ "$missing" -eq 0 ] && exit 0

command -v mvn >/dev/null || {
  echo "fetch_delta_jars: mvn is missing (scripts/setup.sh installs the Debian package maven)" >&2
  exit 1
}

# A throw-away POM listing the pinned jars; maven-dependency-plugin copies them without their
# transitive dependencies (Spark provides those).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
{
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo '<groupId>dls</groupId><artifactId>delta-jars</artifactId><version>0</version><dependencies>'
  for c in "${coords[@]}"; do
    IFS=: read -r g a v <<<"$c"
    echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
  done
  echo '</dependencies></project>'
} >"$work/pom.xml"
echo "fetch_delta_jars: fetching ${#coords[@]} Delta jars from Maven Central into $dest"
if ! mvn -B -q -f "$work/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
  -DexcludeTransitive=true -DoutputDirectory="$work/jars" >"$work/mvn.log" 2>&1; then
  echo "fetch_delta_jars: Maven failed:" >&2
  cat "$work/mvn.log" >&2
  exit 1
fi
for i in "${!coords[@]}"; do
  name="$(jar_name "${coords[$i]}")"
  if ! verified "$work/jars/$name" "${sums[$i]}"; then
    echo "fetch_delta_jars: $name is missing or does not match its pinned sha256 ${sums[$i]}" >&2
    exit 1
  fi
  mv "$work/jars/$name" "$dest/$name"
done
echo "fetch_delta_jars: Delta jars ready in $dest"
