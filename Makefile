# dls — the two commands of the README: `make demo` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DUCKDB_STAMP := third_party/duckdb/lib/libduckdb.so
# Seconds per fuzz target: `make fuzz` (fuzz/README.md) and the short run of `make test`.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5

.PHONY: all setup configure build test demo asan bench format clean fuzz fuzz-smoke

all: build

# Installs missing Debian packages and the pinned DuckDB (see scripts/setup.sh), then the Python
# reference engines in .venv/ and the Delta jars (scripts/setup_python.sh).
setup:
	@bash scripts/setup.sh
	@bash scripts/setup_python.sh
	@bash scripts/install_python_package.sh

$(DUCKDB_STAMP):
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt | $(DUCKDB_STAMP)
	@bash scripts/setup.sh
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600
	$(MAKE) fuzz-smoke
	@bash scripts/setup_python.sh
	@bash scripts/install_python_package.sh
	DLS_BUILD_DIR=$(BUILD_DIR) DLS_BINARY=$(CURDIR)/$(BUILD_DIR)/dls bash scripts/run_pytest.sh

# Each fuzz target for FUZZ_SECONDS on its corpus (clang + libFuzzer, in build-fuzz/).
fuzz: | $(DUCKDB_STAMP)
	JOBS=$(JOBS) bash fuzz/run.sh $(FUZZ_SECONDS)

# The same for a few seconds each: part of `make test`; fails when a target crashes.
fuzz-smoke: | $(DUCKDB_STAMP)
	JOBS=$(JOBS) bash fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

demo: build
	bash examples/demo.sh $(BUILD_DIR)/dls

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
# tests/lsan.supp lists leaks inside third-party libraries.
asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(MAKE) test BUILD_DIR=build-asan \
	  BUILD_TYPE=Debug CMAKE_FLAGS="-DDLS_SANITIZE=ON"

bench: build
	bash bench/run.sh $(BUILD_DIR)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
