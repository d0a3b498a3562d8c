#!/usr/bin/env bash
# `pip install --no-build-isolation --no-index .` offline, with Debian's
# setuptools and wheel, into a virtual environment and into a prefix; then
# the installed package (not the build tree's) analyses a sentence with the
# model it bundles and stores it in a corpus store.
#   pip_install_test.sh SOURCE_DIR BUILD_DIR PYTHON
set -euo pipefail
src=$1 build=$2 python=${3:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CMake build of the wheel is kept under the build directory, so that
# a second run is incremental.
export PROPSCAN_PIP_BUILD_DIR=$build/pip-build
unset PROPSCAN_MODEL PYTHONPATH
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 PIP_ROOT_USER_ACTION=ignore

check='
import os, sys
import propscan
where = os.path.dirname(propscan.__file__)
assert where.startswith(sys.argv[1]), f"imported {where}, not the installed package"
model = propscan.default_model_path()
assert model == os.path.join(where, "propscan.model"), model
text = "The corrupt élite 😡 lied to the nation again, and only traitors believe them."
r = propscan.Analyzer().analyze(text, id="one")
assert r.spans, "no span found"
assert all(text[s.start:s.end] == s.text for s in r.spans)
# The corpus store (SQLite and libcrypto from the system) works installed too.
with propscan.Store(os.path.join(sys.argv[1], "corpus.db"), create=True) as store:
    report = store.ingest([{"id": "one", "text": text, "source": "Outlet"}], threads=1)
    assert (report.added, report.failed) == (1, 0), report
    assert store.stats_dict(["source"])["rows"][0]["spans"] == len(r.spans)
print(where, r.spans[0].technique, f"{r.propaganda_score:.3f}")
'
# Checked away from the source tree, so that nothing is imported from it.
cd "$work"

# A virtual environment that sees Debian's packages (pandas).
"$python" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/pip" install -q --no-build-isolation --no-index "$src"
"$work/venv/bin/python" -c "$check" "$work/venv"

# A prefix, with the interpreter's own pip (Debian's puts it under
# PREFIX/local/lib/pythonX.Y/dist-packages, upstream's under
# PREFIX/lib/pythonX.Y/site-packages).
"$python" -m pip install -q --no-build-isolation --no-index --prefix "$work/prefix" "$src"
package=$(find "$work/prefix" -type d -name propscan -path "*-packages/propscan" | head -n 1)
[ -n "$package" ] || { echo "pip install --prefix: no propscan package under $work/prefix" >&2; exit 1; }
PYTHONPATH=$(dirname "$package") "$python" -c "$check" "$work/prefix"
# Like the runtime, the module loads neither libtorch nor the HTTP library.
if ldd "$work/venv/lib/"python3*/site-packages/propscan/_propscan*.so | grep -qE "libtorch|libc10|httplib"; then
  echo "the installed module links a training or server library" >&2
  exit 1
fi
echo "pip install: ok"
