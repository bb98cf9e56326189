# Frontline — the two commands a newcomer needs are `make demo` and `make test`.
# Everything else is here for developers and CI.

GO          ?= go
CHDB_VER    ?= 26.5.3
BIN         ?= bin/frontline
TEST_FLAGS  ?= -count=1 -timeout 30m
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
REVISION    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS     := -X main.version=$(VERSION) -X main.revision=$(REVISION)

# The embedded ClickHouse (chDB) library, loaded by the binary and the tests
# when they open an embedded store. An exported CHDB_LIB_PATH is used as it
# is; otherwise the library lives in a git-ignored cache, fetched when absent.
CHDB_LIB_PATH ?= $(CURDIR)/.cache/chdb/libchdb.so
export CHDB_LIB_PATH

# Debian packages the tests use as independent peers, as command[:package]:
# kcat (a Kafka client that is not ours), promtool (rule tests) and prometheus
# (scrapes the demo in the alert test), chromium (renders report.html).
# Installed with apt-get when absent.
TEST_TOOLS  ?= kcat promtool:prometheus chromium
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build demo test bench faults soak chdb tools lint fmt vet clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/frontline

## chdb: fetch libchdb.so (npm package @chdb/lib-linux-x64-gnu) when CHDB_LIB_PATH is absent, and check that it loads.
chdb: $(CHDB_LIB_PATH)

$(CHDB_LIB_PATH):
	@mkdir -p $(dir $@)
	@echo "fetching the embedded ClickHouse library (@chdb/lib-linux-x64-gnu@$(CHDB_VER), ~170 MB download, ~560 MB unpacked)…"
	cd $(dir $@) && npm pack --silent @chdb/lib-linux-x64-gnu@$(CHDB_VER) >/dev/null
	tar -xzf $(dir $@)chdb-lib-linux-x64-gnu-$(CHDB_VER).tgz -C $(dir $@) --strip-components=1 package/libchdb.so
	rm -f $(dir $@)chdb-lib-linux-x64-gnu-$(CHDB_VER).tgz
	@if [ "$(notdir $@)" != libchdb.so ]; then mv $(dir $@)libchdb.so $@; fi
	$(GO) run ./cmd/frontline version --engine || (rm -f $@ && false)

## demo: the embedded end-to-end run (in-process Kafka + chDB + collector + aggregator + simulator).
demo: chdb build
	./$(BIN) demo --data ./data --out ./out

## tools: install the Debian packages the tests need, when absent.
tools:
	@missing=""; for t in $(TEST_TOOLS); do cmd=$${t%%:*}; pkg=$${t#*:}; command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages for the tests:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

## test: every test, with the embedded ClickHouse and Kafka (they fail loudly when missing).
test: chdb tools
	$(GO) vet ./...
	$(GO) test $(TEST_FLAGS) ./...

## faults: the full fault matrix (broker faults, store outages, kills, rebalances, poison, floods, backfills); writes docs/faults.md.
faults: chdb
	$(GO) test -count=1 -timeout 60m -run TestFaultMatrix -v ./collector/ -args -faults.full -faults.out $(CURDIR)/docs/faults.md

## soak: the collector for 30 minutes at half its measured maximum rate, SIGKILLed every 5 minutes; writes docs/soak.md and docs/soak.png.
soak: chdb build
	$(GO) run ./cmd/soak -bin $(BIN) -out docs -duration 30m -kill-every 5m

## bench: benchmarks as ratios against baselines measured in the same run; writes BENCHMARKS.md.
bench: chdb build
	$(GO) run ./cmd/benchreport -out BENCHMARKS.md -bin $(BIN)

lint: fmt vet
fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
vet:
	$(GO) vet ./...

clean:
	rm -rf bin out
