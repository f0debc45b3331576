#!/usr/bin/env bash
# Fetches the Apache Kafka jars pinned in scripts/kafka_jars.lock from Maven Central into the jar
# cache, one folder per set: $DLS_JARS_DIR/kafka/broker (a KRaft broker the Kafka interop tests
# start, tests/interop/kafka_broker.py) and $DLS_JARS_DIR/kafka/spark (Spark's Kafka source). The
# cache is $DLS_JARS_DIR, by default ~/.cache/dls/jars (outside the repository, shared by work trees).
# Each jar is checked against its pinned sha256. One Maven run per set with a missing or changed
# jar, without transitive resolution: the lock lists every jar of a set.
# Idempotent: when every jar is present with its pinned sum, nothing is fetched (offline).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="$root/scripts/kafka_jars.lock"
dest="${DLS_JARS_DIR:-$HOME/.cache/dls/jars}/kafka"

sets=()
coords=()
sums=()
while read -r set coord sum; do
  case "$set" in '' | '#'*) continue ;; esac
  sets+=("$set")
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

# The sets with a jar missing or not matching its sum, in lock order, each once.
todo=()
for i in "${!coords[@]}"; do
  if ! verified "$dest/${sets[$i]}/$(jar_name "${coords[$i]}")" "${sums[$i]}"; then
    case " ${todo[*]-} " in *" ${sets[$i]} "*) ;; *) todo+=("${sets[$i]}") ;; esac
  fi
done
[ "${#todo[@]}" -eq 0 ] && exit 0

command -v mvn >/dev/null || {
  echo "fetch_kafka_jars: mvn is missing (scripts/setup.sh installs the Debian package maven)" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for set in "${todo[@]}"; do
  # A throw-away POM per set (a set may pin another version of a jar another set has, e.g.
  # kafka-clients); maven-dependency-plugin copies exactly the listed jars.
  mkdir -p "$work/$set"
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo "<groupId>dls</groupId><artifactId>kafka-$set-jars</artifactId><version>0</version><dependencies>"
    for i in "${!coords[@]}"; do
      [ "${sets[$i]}" = "$set" ] || continue
      IFS=: read -r g a v <<<"${coords[$i]}"
      echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    done
    echo '</dependencies></project>'
  } >"$work/$set/pom.xml"
  echo "fetch_kafka_jars: fetching the Kafka $set jars from Maven Central into $dest/$set"
  if ! mvn -B -q -f "$work/$set/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DexcludeTransitive=true -DoutputDirectory="$work/$set/jars" >"$work/$set/mvn.log" 2>&1; then
    echo "fetch_kafka_jars: Maven failed:" >&2
    cat "$work/$set/mvn.log" >&2
    exit 1
  fi
  mkdir -p "$dest/$set"
  for i in "${!coords[@]}"; do
    [ "${sets[$i]}" = "$set" ] || continue
    name="$(jar_name "${coords[$i]}")"
    if ! verified "$work/$set/jars/$name" "${sums[$i]}"; then
      echo "fetch_kafka_jars: $name is missing or does not match its pinned sha256 ${sums[$i]}" >&2
      exit 1
    fi
    mv "$work/$set/jars/$name" "$dest/$set/$name"
  done
  # A jar of an earlier pin would also be on the broker's classpath ('broker/*'): keep only the
  # set's pinned files.
  for f in "$dest/$set"/*.jar; do
    keep=0
    for i in "${!coords[@]}"; do
      [ "${sets[$i]}" = "$set" ] && [ "$(basename "$f")" = "$(jar_name "${coords[$i]}")" ] && keep=1
    done
    [ "$keep" -eq 1 ] || rm -f "$f"
  done
done
echo "fetch_kafka_jars: Kafka jars ready in $dest"
