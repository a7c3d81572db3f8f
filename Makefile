# The two commands of the README. Everything else is a helper for them.
.PHONY: run test deps build build-asan build-fuzz bench clean

DEMO_DIR ?= demo-city
PORT ?= 8080

deps:
	./scripts/install-deps.sh

build: deps
	cmake --preset release
	cmake --build --preset release -j2

build-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j2

# clang++-14 libFuzzer targets of fuzz/ (only those; fuzz/README.md).
build-fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j2

run: build
	./build/release/epermit demo --dir $(DEMO_DIR) --port $(PORT)

# The gcc ASan/UBSan tests, whose log output (every test process and every node the
# process tests start writes into TEST_LOGS: the asan test preset sets EPERMIT_TEST_LOG_DIR)
# is then scanned for the test residents' names and ID numbers; then each fuzzer for a
# fixed number of runs (about a minute).
TEST_LOGS = build/asan/test-logs

test: build-asan build-fuzz
	rm -rf $(TEST_LOGS)
	ctest --preset asan
	python3 tests/process/scan_logs.py --logs $(TEST_LOGS)
	ctest --preset fuzz

bench: build
	./bench/run.sh

clean:
	rm -rf build
