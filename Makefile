# The front door: `make run` opens the console on the embedded demo cloud, `make test`
# runs every test. Each installs the Debian packages it needs when they are missing.
SWIFT ?= swift
BIN := .build/debug/appsnap

.PHONY: run test build bench release clean

build:
	scripts/install-deps.sh build
	$(SWIFT) build

run: build
	$(BIN)

test:
	scripts/install-deps.sh test
	$(SWIFT) build
	$(SWIFT) test --no-parallel

bench:
	scripts/install-deps.sh bench
	$(SWIFT) build -c release
	Benchmarks/run.sh

clean:
	rm -rf .build
