#!/usr/bin/env bash
# PyIceberg 0.12.0 (with pyarrow) against the `server` binary (the Iceberg REST catalog):
# builds the server, starts it on a free port on a temporary --data-dir (its SQLite store and
# warehouse), runs catalog/tests/pyiceberg/catalog_test.py (bounded by `timeout 300`), stops the
# server, then runs catalog/tests/pyiceberg/store_test.py (which starts, kills with SIGKILL and
# restarts servers of its own: data appended and read back, a create transaction, no
# acknowledged commit lost; bounded by `timeout 300`), and exits 1 if either failed.
#
#   catalog/scripts/pyiceberg-check.sh          (run by .ci/run)
#
# The client lives in a virtual environment at target/pyiceberg-venv (the
# workspace's target directory), created and
# filled with `pip install "pyiceberg[pyarrow]==0.12.0"` only when it is missing. If the
# client cannot be installed, that is a failure when CI=true and a
# "skipped: pyiceberg not installable (...)" line (exit 0) anywhere else.
set -euo pipefail
# The repository root: the workspace's target directory is there.
cd "$(dirname "$0")/../.."

version=0.12.0
venv=target/pyiceberg-venv
python=${PYTHON:-python3}

skip_or_fail() {
    if [ "${CI:-}" = "true" ]; then
        echo "error: pyiceberg not installable ($1); CI=true, so this is a failure" >&2
        exit 1
    fi
    echo "skipped: pyiceberg not installable ($1)"
    exit 0
}

have_client() {
    [ -x "$venv/bin/python" ] &&
        "$venv/bin/python" -c "import pyiceberg, pyarrow, sys; sys.exit(pyiceberg.__version__ != '$version')" 2>/dev/null
}

if ! have_client; then
    command -v "$python" >/dev/null || skip_or_fail "no $python"
    log=target/pyiceberg-install.log
    mkdir -p target
    rm -rf "$venv"
    if ! "$python" -m venv "$venv" >"$log" 2>&1; then
        rm -rf "$venv"
        skip_or_fail "$python -m venv failed: $(tail -n 1 "$log")"
    fi
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pyiceberg[pyarrow]==$version" >>"$log" 2>&1; then
        rm -rf "$venv"
        skip_or_fail "pip install pyiceberg[pyarrow]==$version failed: $(tail -n 1 "$log")"
    fi
    have_client || { rm -rf "$venv"; skip_or_fail "pyiceberg $version does not import after install"; }
fi

cargo build --quiet --release -p poolable-catalog --bin server

out=$(mktemp)
data=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$out" "$data"
}
trap cleanup EXIT

target/release/server --port 0 --data-dir "$data" >"$out" 2>&1 &
server_pid=$!

port=
for _ in $(seq 1 100); do
    line=$(head -n 1 "$out" 2>/dev/null || true)
    case "$line" in
        "listening on http://127.0.0.1:"*) port=${line##*:}; break ;;
    esac
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "error: the server did not print 'listening on http://127.0.0.1:PORT'; its output:" >&2
    cat "$out" >&2
    exit 1
fi
echo "server on port $port (pid $server_pid); PyIceberg $version from $venv"

status=0
timeout 300 "$venv/bin/python" catalog/tests/pyiceberg/catalog_test.py "$port" || status=$?
if [ "$status" -eq 124 ]; then
    echo "error: catalog/tests/pyiceberg/catalog_test.py did not finish within 300 s" >&2
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server exited during the test; its output:" >&2
    cat "$out" >&2
    [ "$status" -ne 0 ] || status=1
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

echo "== the store: appends read back, a create transaction, a SIGKILL mid-way through commits"
store_status=0
timeout 300 "$venv/bin/python" catalog/tests/pyiceberg/store_test.py target/release/server || store_status=$?
if [ "$store_status" -eq 124 ]; then
    echo "error: catalog/tests/pyiceberg/store_test.py did not finish within 300 s" >&2
fi
[ "$store_status" -eq 0 ] || status=1
exit "$status"
