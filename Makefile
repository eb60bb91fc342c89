# The two commands a newcomer needs are `make demo` and `make test`; see README.md.
GO      ?= go
BIN     ?= bin
PKGS    ?= ./...
# Benchmarks: BENCH selects by name, BENCHTIME sets each benchmark's budget.
BENCH     ?= .
BENCHTIME ?= 1s
FUZZTIME  ?= 10s

.PHONY: all build test lint bench fuzz demo clean localnet-aptos

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./agigit ./relayer ./indexer ./localnet

# Tests that need PostgreSQL use DATABASE_URL when it is set; otherwise the
# script starts a throwaway cluster and removes it afterwards.
test:
	scripts/with-postgres.sh $(GO) test -count=1 -timeout 20m $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

bench:
	scripts/with-postgres.sh scripts/bench.sh '$(BENCH)' '$(BENCHTIME)'

# Runs every fuzz target for FUZZTIME; new crashers land in testdata/fuzz.
# Some targets query PostgreSQL, hence the wrapper (as for test).
fuzz:
	scripts/with-postgres.sh scripts/fuzz.sh '$(FUZZTIME)'

demo: build
	scripts/with-postgres.sh scripts/demo.sh $(BIN)

# The real `aptos node run-localnet` with move/ published at the embedded
# localnet's package address; needs the aptos CLI (docs/LOCALNET.md).
localnet-aptos: build
	scripts/localnet-aptos.sh $(BIN)

clean:
	rm -rf $(BIN)
