#!/usr/bin/env bash
# Installs what dls needs to build on a fresh Debian machine:
#   1. the Debian packages of DESIGN §10 that are missing (apt-get update runs once, only if needed);
#   2. DuckDB 1.4.4 from the npm registry (libduckdb.so + duckdb.h), verified against the integrity
#      hashes pinned in scripts/duckdb.lock, unpacked under third_party/duckdb/.
# Idempotent: a second run with everything present does nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

packages=(build-essential cmake ninja-build pkg-config git nodejs npm ca-certificates
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libroaring-dev libcurl4-openssl-dev libssl-dev libavro-dev
  librdkafka-dev libcpp-httplib-dev clang-format chromium
  python3-dev python3-venv openjdk-17-jre-headless maven ccache
  clang-14 libclang-rt-14-dev)  # the fuzz targets (fuzz/README.md): clang and libFuzzer

missing=()
for p in "${packages[@]}"; do
  # npm/nodejs may come from elsewhere on the machine: a working binary is enough.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web UI's build tools and libraries and the browser tests' driver (esbuild, TypeScript, dagre,
# Chart.js, playwright-core; pinned by ui/package-lock.json): `make build` bundles ui/ with them.
ui="$root/ui"
if [ ! -f "$ui/node_modules/.package-lock.json" ] ||
  ! cmp -s "$ui/package-lock.json" "$ui/node_modules/.dls-package-lock.json"; then
  echo "setup: installing the web UI's npm packages (npm ci in ui)"
  npm ci --prefix "$ui" --no-audit --no-fund --loglevel=error
  cp "$ui/package-lock.json" "$ui/node_modules/.dls-package-lock.json"
fi

# The JSON Schema validator the tests run (ajv + yaml, pinned by tools/jsonschema/package-lock.json):
# schemas/config_schema.json against the C++ validator, generated bundle files against Databricks'
# schema. Installed only when missing.
jsonschema="$root/tools/jsonschema"
if [ ! -f "$jsonschema/node_modules/ajv/package.json" ] ||
  [ ! -f "$jsonschema/node_modules/yaml/package.json" ]; then
  echo "setup: installing the JSON Schema validator (npm ci in tools/jsonschema)"
  npm ci --prefix "$jsonschema" --no-audit --no-fund --loglevel=error
fi

# shellcheck source=duckdb.lock
source "$root/scripts/duckdb.lock"
dest="$root/third_party/duckdb"
stamp="$dest/.installed-${DUCKDB_LIB_PACKAGE##*@}"
if [ -f "$stamp" ] && [ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch PACKAGE@VERSION INTEGRITY -> prints the tarball path
  local spec="$1" integrity="$2" tgz actual
  (cd "$work" && npm pack --silent "$spec" >"$work/pack.out" 2>"$work/pack.err") || {
    echo "setup: 'npm pack $spec' failed:" >&2
    cat "$work/pack.err" >&2
    exit 1
  }
  tgz="$work/$(tail -n 1 "$work/pack.out")"
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "setup: integrity mismatch for $spec" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    exit 1
  fi
  echo "$tgz"
}

echo "setup: fetching DuckDB $DUCKDB_VERSION from the npm registry"
lib_tgz="$(fetch "$DUCKDB_LIB_PACKAGE" "$DUCKDB_LIB_INTEGRITY")"
hdr_tgz="$(fetch "$DUCKDB_HEADER_PACKAGE" "$DUCKDB_HEADER_INTEGRITY")"
rm -rf "$dest"
mkdir -p "$dest/lib" "$dest/include"
tar xzf "$lib_tgz" -C "$work" package/libduckdb.so
mv "$work/package/libduckdb.so" "$dest/lib/libduckdb.so"
tar xzf "$hdr_tgz" -C "$work" package/src/duckdb/src/include/duckdb.h
mv "$work/package/src/duckdb/src/include/duckdb.h" "$dest/include/duckdb.h"
touch "$stamp"
echo "setup: DuckDB $DUCKDB_VERSION installed in third_party/duckdb"
