# The two commands of the README. Everything else is a helper for them.
.PHONY: run test deps build build-asan bench clean

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

run: build
	./build/release/epermit demo --dir $(DEMO_DIR) --port $(PORT)

test: build-asan
	ctest --preset asan

bench: build
	./bench/run.sh

clean:
	rm -rf build
