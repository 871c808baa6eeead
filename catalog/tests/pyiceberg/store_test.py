#!/usr/bin/env python3
"""PyIceberg 0.12.0 (with pyarrow) against the `server` binary and its store: data written and
read back through the warehouse, a create transaction, and a SIGKILL mid-way through commits.

    python catalog/tests/pyiceberg/store_test.py SERVER_BINARY   (catalog/scripts/pyiceberg-check.sh runs this)

Starts its own servers (each on a free port, on a temporary --data-dir, killed at the end), so it
can kill one and restart it on the same data directory. One line per check ("ok   ..." or
"FAIL ...: why"), then "N passed, N failed"; the exit status is 1 if any check failed.
"""
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import TableAlreadyExistsError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

SERVER = sys.argv[1] if len(sys.argv) > 1 else "target/release/server"
SCHEMA = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
ARROW = pa.schema([pa.field("id", pa.int64()), pa.field("name", pa.string())])

passed = 0
failed = 0
servers = []


def check(name, fn):
    global passed, failed
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, the run goes on
        failed += 1
        detail = f"{type(e).__name__}: {e}".replace("\n", " ")
        tb = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
        if tb and not isinstance(e, AssertionError):
            detail += f" (line {tb[-1].lineno})"
        print(f"FAIL {name}: {detail[:600]}", flush=True)
    else:
        passed += 1
        print(f"ok   {name}", flush=True)


def eq(actual, expected, what):
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"


class Server:
    """A `server` process on a free port and the SQLite store in `data_dir`."""

    def __init__(self, data_dir):
        self.process = subprocess.Popen(
            [SERVER, "--port", "0", "--columns", "12", "--data-dir", data_dir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        servers.append(self)
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("listening on http://127.0.0.1:"):
                self.port = int(line.rsplit(":", 1)[1])
                break
        assert self.port, "the server did not start"
        # Its further output is read (and dropped), so that it never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.port}"

    def catalog(self):
        return load_catalog("rest", **{"uri": self.base})

    def raw_load(self, namespace, table):
        with urllib.request.urlopen(f"{self.base}/v1/iceberg/namespaces/{namespace}/tables/{table}", timeout=30) as r:
            return json.loads(r.read())

    def kill(self):
        """SIGKILL: a crash, nothing flushed or closed."""
        self.process.kill()
        self.process.wait(30)

    def in_use(self):
        with urllib.request.urlopen(f"{self.base}/metrics", timeout=30) as r:
            text = r.read().decode()
        return [l for l in text.splitlines() if l.startswith("pool_in_use_objects") and float(l.rsplit(None, 1)[1]) != 0]


def rows(start, n):
    return pa.Table.from_pylist([{"id": start + i, "name": f"row {start + i}"} for i in range(n)], schema=ARROW)


def file_matches_load(server, namespace, table):
    """The file at the load's metadata-location is there and equal (as JSON) to the load's metadata."""
    answer = server.raw_load(namespace, table)
    location = answer["metadata-location"]
    assert location.startswith("file://"), f"metadata-location not in the warehouse: {location}"
    with open(location[len("file://"):]) as f:
        on_disk = json.load(f)
    eq(on_disk, answer["metadata"], f"{location} vs the load's metadata")
    return answer


def ids_of(table):
    return sorted(table.scan().to_arrow().column("id").to_pylist())


def main():
    data = tempfile.mkdtemp(prefix="catalog-pyiceberg-")
    try:
        server = Server(data)
        cat = server.catalog()
        cat.create_namespace("lake")

        def create_transaction():
            with cat.create_table_transaction("lake.tx", SCHEMA, properties={"owner": "tx"}) as tx:
                tx.append(rows(0, 3))
            t = cat.load_table("lake.tx")
            eq(ids_of(t), [0, 1, 2], "rows read back")
            eq(len(t.metadata.snapshots), 1, "snapshots")
            eq(t.properties.get("owner"), "tx", "properties")
            file_matches_load(server, "lake", "tx")

        check("create_table_transaction with an append: the table, its snapshot and rows, its metadata file", create_transaction)

        def transaction_after_create():
            def again():
                with cat.create_table_transaction("lake.tx", SCHEMA) as tx:
                    tx.append(rows(10, 1))
            try:
                again()
            except TableAlreadyExistsError:
                pass
            else:
                raise AssertionError("a second create transaction of lake.tx succeeded")
            eq(ids_of(cat.load_table("lake.tx")), [0, 1, 2], "rows after the refused transaction")

        check("create_table_transaction of an existing table -> TableAlreadyExistsError, the table unchanged", transaction_after_create)

        def no_location():
            t = cat.create_table("lake.plain", SCHEMA)
            assert t.location().startswith("file://") and t.location().endswith("/warehouse/lake/plain"), t.location()
            t.append(rows(0, 5))
            t.append(rows(5, 5))
            eq(ids_of(cat.load_table("lake.plain")), list(range(10)), "rows read back")
            file_matches_load(server, "lake", "plain")

        check("a table created without a location: in the warehouse, appended to twice and read back", no_location)

        def crash():
            cat.create_namespace("crash")
            t = cat.create_table("crash.t", SCHEMA)
            acknowledged = []  # (snapshot id, first row id) of each append the server answered

            def writer():
                n = 0
                while True:
                    try:
                        t.append(rows(n * 10, 10))
                    except Exception:  # noqa: BLE001 - the server was killed
                        return
                    acknowledged.append((t.metadata.current_snapshot_id, n * 10))
                    n += 1

            thread = threading.Thread(target=writer, daemon=True)
            thread.start()
            deadline = time.time() + 60
            # Killed after a random number of appends, a random moment into the next one: while
            # it writes its data files, its metadata file, or commits.
            target = random.randint(6, 14)
            while len(acknowledged) < target and time.time() < deadline and thread.is_alive():
                time.sleep(0.005)
            time.sleep(random.uniform(0, 0.05))
            server.kill()
            thread.join(60)
            assert len(acknowledged) >= 6, f"only {len(acknowledged)} appends before the kill"
            print(f"     {len(acknowledged)} appends acknowledged before the SIGKILL", flush=True)

            restarted = Server(data)
            state["server"] = restarted
            t2 = restarted.catalog().load_table("crash.t")
            snapshots = {s.snapshot_id for s in t2.metadata.snapshots}
            lost = [sid for sid, _ in acknowledged if sid not in snapshots]
            eq(lost, [], "acknowledged snapshots lost")
            ids = set(ids_of(t2))
            for _, first in acknowledged:
                assert set(range(first, first + 10)) <= ids, f"rows {first}..{first + 9} of an acknowledged append missing"
            eq(len(ids), 10 * len(snapshots), "rows: ten per snapshot")
            file_matches_load(restarted, "crash", "t")
            t2.append(rows(100_000, 1))
            assert 100_000 in ids_of(restarted.catalog().load_table("crash.t")), "append after the restart"
            eq(ids_of(restarted.catalog().load_table("lake.plain")), list(range(10)), "the other tables survive")

        state = {"server": server}
        check("SIGKILL mid-way through appends, restart on the same --data-dir: every acknowledged commit there, "
              "the table readable, its metadata file equal to the load", crash)

        def nothing_in_use():
            deadline = time.time() + 5
            while True:
                busy = state["server"].in_use()
                if not busy:
                    return
                assert time.time() < deadline, f"in use: {busy}"
                time.sleep(0.2)

        check("/metrics: every pool_in_use_objects series is 0", nothing_in_use)
    finally:
        for s in servers:
            if s.process.poll() is None:
                s.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        failed += 1
        print(f"FAIL harness: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
