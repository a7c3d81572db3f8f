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

# The gcc ASan/UBSan tests, then each fuzzer for a fixed number of runs (about a minute).
test: build-asan build-fuzz
	ctest --preset asan
	ctest --preset fuzz

bench: build
	./bench/run.sh

clean:
	rm -rf build
