#!/usr/bin/env python3
"""PyIceberg 0.12.0 against a started `server` binary (the Iceberg REST catalog).

    python catalog/tests/pyiceberg/catalog_test.py PORT   (catalog/scripts/pyiceberg-check.sh starts the server and runs this)

A plain script, not pytest: one line per check ("ok   ..." or "FAIL ...: why"), then a
last line "N passed, N failed"; the exit status is 1 if any check failed. Everything is
metadata only (no data files, no object storage). Names created here carry a random
suffix, so the script can run twice against one server; the seeded tables
(analytics.*, sales.*, ops.*) are read, and analytics.orders gets (and loses again)
one table property.
"""
import json
import random
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import (
    BadRequestError,
    CommitFailedException,
    NamespaceAlreadyExistsError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table.refs import SnapshotRefType
from pyiceberg.table.snapshots import Operation, Snapshot, Summary
from pyiceberg.table.sorting import NullOrder, SortDirection, SortField, SortOrder
from pyiceberg.table.update import (
    AddSnapshotUpdate,
    AssertLastAssignedFieldId,
    AssertRefSnapshotId,
    RemoveSnapshotsUpdate,
    SetLocationUpdate,
    SetPropertiesUpdate,
    SetSnapshotRefUpdate,
    UpgradeFormatVersionUpdate,
)
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform
from pyiceberg.types import (
    DecimalType,
    DoubleType,
    FixedType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
    StructType,
    TimestamptzType,
)

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8181
BASE = f"http://127.0.0.1:{PORT}"
SFX = uuid.uuid4().hex[:8]
SEEDED = {
    "analytics": ["orders", "customers", "line_items", "page_views"],
    "sales": ["invoices", "refunds", "quotes", "accounts"],
    "ops": ["deployments", "incidents", "alerts", "audit_log"],
}

passed = 0
failed = 0


def check(name, fn):
    """Run one check; an AssertionError or any other exception is a failure."""
    global passed, failed
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, the run goes on
        failed += 1
        detail = f"{type(e).__name__}: {e}".replace("\n", " ")
        if not isinstance(e, AssertionError):
            tb = traceback.extract_tb(e.__traceback__)
            here = [f for f in tb if f.filename == __file__]
            if here:
                detail += f" (line {here[-1].lineno})"
        print(f"FAIL {name}: {detail[:600]}", flush=True)
    else:
        passed += 1
        print(f"ok   {name}", flush=True)


def expect_raises(exc_type, fn, what=""):
    try:
        fn()
    except exc_type:
        return
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"{what}: expected {exc_type.__name__}, got {type(e).__name__}: {e}") from e
    raise AssertionError(f"{what}: expected {exc_type.__name__}, nothing raised")


def eq(actual, expected, what):
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"


# ---------------------------------------------------------------- raw HTTP helpers

def http(method, path, body=None):
    """(status, parsed JSON or None) of one request to the server, no PyIceberg involved."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, text = resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, (json.loads(text) if text else None)
    except ValueError:
        return status, text


CONFIG = {}


def api(path):
    """/v1/{prefix}/path, or /v1/path when the config names no prefix."""
    prefix = (CONFIG.get("overrides") or {}).get("prefix") or (CONFIG.get("defaults") or {}).get("prefix")
    return f"/v1/{prefix}/{path}" if prefix else f"/v1/{path}"


def ns_path(*parts):
    return "\x1f".join(urllib.parse.quote(p, safe="") for p in parts).replace("\x1f", "%1F")


def raw_pages(path, key, page_size):
    """Follow next-page-token with pageSize; returns (items, number of pages)."""
    items, token, pages = [], None, 0
    while True:
        q = {"pageSize": str(page_size)}
        if token:
            q["pageToken"] = token
        status, body = http("GET", f"{path}?{urllib.parse.urlencode(q)}")
        eq(status, 200, f"GET {path} page {pages}")
        page = body[key]
        assert len(page) <= page_size, f"page of {len(page)} items for pageSize={page_size}"
        items.extend(page)
        pages += 1
        token = body.get("next-page-token")
        if not token:
            return items, pages
        assert pages < 1000, "next-page-token never ends"


# ---------------------------------------------------------------- metadata checks

def check_metadata(table, what):
    """What a strict client (and the Iceberg spec) wants of table metadata."""
    md = table.metadata
    eq(md.format_version in (1, 2), True, f"{what} format-version")
    ids = [f.field_id for s in md.schemas for f in s._lazy_id_to_field.values()]
    assert md.schemas, f"{what}: no schemas"
    for s in md.schemas:
        own = list(s._lazy_id_to_field.keys())
        assert len(own) == len(set(own)), f"{what}: duplicate field ids in schema {s.schema_id}"
    schema_ids = [s.schema_id for s in md.schemas]
    assert len(schema_ids) == len(set(schema_ids)), f"{what}: duplicate schema ids {schema_ids}"
    assert md.last_column_id >= max(ids, default=0), f"{what}: last-column-id {md.last_column_id} < highest field id {max(ids)}"
    spec_ids = [s.spec_id for s in md.partition_specs]
    assert len(spec_ids) == len(set(spec_ids)), f"{what}: duplicate spec ids {spec_ids}"
    pids = [f.field_id for s in md.partition_specs for f in s.fields]
    assert md.last_partition_id is not None, f"{what}: no last-partition-id"
    assert md.last_partition_id >= max(pids, default=999), f"{what}: last-partition-id {md.last_partition_id} < {max(pids)}"
    schema = md.schema()
    md.spec().check_compatible(schema)  # raises ValidationError: transform vs source type
    for spec in md.partition_specs:
        spec.check_compatible(schema, allow_missing_fields=True)
    md.sort_order().check_compatible(schema)
    order_ids = [o.order_id for o in md.sort_orders]
    assert len(order_ids) == len(set(order_ids)), f"{what}: duplicate sort order ids"
    snap_ids = {s.snapshot_id for s in md.snapshots}
    for name, ref in md.refs.items():
        assert ref.snapshot_id in snap_ids, f"{what}: ref {name} -> unknown snapshot {ref.snapshot_id}"
    if md.current_snapshot_id is not None:
        assert md.current_snapshot_id in snap_ids, f"{what}: current-snapshot-id not in snapshots"
        eq(md.refs["main"].snapshot_id, md.current_snapshot_id, f"{what}: refs.main vs current-snapshot-id")
        assert md.snapshot_log and md.snapshot_log[-1].snapshot_id == md.current_snapshot_id, f"{what}: snapshot-log tail"
    else:
        assert "main" not in md.refs, f"{what}: refs.main without current-snapshot-id"
    for entry in md.snapshot_log:
        assert entry.snapshot_id in snap_ids, f"{what}: snapshot-log names unknown snapshot {entry.snapshot_id}"
    for s in md.snapshots:
        if md.format_version >= 2:
            assert s.sequence_number is not None and s.sequence_number <= md.last_sequence_number, f"{what}: sequence numbers"
    assert table.metadata_location, f"{what}: no metadata-location"


def col_names(table):
    return [f.name for f in table.schema().fields]


# ---------------------------------------------------------------- the checks

def main():
    state = {}

    def config():
        status, body = http("GET", "/v1/config")
        eq(status, 200, "GET /v1/config status")
        assert isinstance(body.get("defaults"), dict) and isinstance(body.get("overrides"), dict), f"defaults/overrides: {body}"
        eps = body.get("endpoints")
        assert isinstance(eps, list) and eps, f"no endpoints list: {body}"
        for e in eps:
            verb, _, path = e.partition(" ")
            assert verb in ("GET", "HEAD", "POST", "DELETE", "PUT") and path.startswith("/v1/"), f"endpoint form: {e!r}"
            if path.startswith("/v1/namespaces") or path.startswith("/v1/tables"):
                raise AssertionError(f"endpoint without the literal {{prefix}}: {e!r}")
        for needed in [
            "GET /v1/{prefix}/namespaces", "POST /v1/{prefix}/namespaces",
            "GET /v1/{prefix}/namespaces/{namespace}", "HEAD /v1/{prefix}/namespaces/{namespace}",
            "DELETE /v1/{prefix}/namespaces/{namespace}", "POST /v1/{prefix}/namespaces/{namespace}/properties",
            "GET /v1/{prefix}/namespaces/{namespace}/tables", "POST /v1/{prefix}/namespaces/{namespace}/tables",
            "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}", "POST /v1/{prefix}/tables/rename",
        ]:
            assert needed in eps, f"endpoint not advertised: {needed}"
        CONFIG.update(body)

    check("GET /v1/config: defaults, overrides, endpoints as '<VERB> /v1/{prefix}/...'", config)

    def connect():
        state["cat"] = load_catalog("rest", **{"uri": BASE})

    check("load_catalog('rest')", connect)
    cat = state.get("cat")
    if cat is None:
        return

    # ---- seeded catalog
    def list_seeded_namespaces():
        got = cat.list_namespaces()
        assert len(got) == len(set(got)), f"duplicates in {got}"
        for ns in SEEDED:
            assert (ns,) in got, f"{ns} not in {got}"

    check("list_namespaces has analytics, sales, ops", list_seeded_namespaces)

    for ns, tables in SEEDED.items():
        def list_seeded_tables(ns=ns, tables=tables):
            got = cat.list_tables(ns)
            assert len(got) == len(set(got)), f"duplicates in {got}"
            eq(sorted(got), sorted((ns, t) for t in tables), f"list_tables({ns})")

        check(f"list_tables({ns}) is the four seeded tables", list_seeded_tables)

    for ns, tables in SEEDED.items():
        for t in tables:
            def load_seeded(ident=f"{ns}.{t}"):
                table = cat.load_table(ident)
                check_metadata(table, ident)
                again = cat.load_table(ident)
                eq(again.metadata.table_uuid, table.metadata.table_uuid, f"{ident} table-uuid stable across loads")
                # a transaction builds (PyIceberg checks the default spec and sort order against the schema)
                table.transaction().set_properties(probe="1").table_metadata

            check(f"load_table {ns}.{t}: metadata a strict client accepts", load_seeded)

    def seeded_properties():
        t = cat.load_table("analytics.orders")
        before = t.metadata_location
        key = f"pyiceberg.check.{SFX}"
        with t.transaction() as tx:
            tx.set_properties({key: "yes"})
        assert t.metadata_location != before, "commit answered the same metadata-location"
        eq(cat.load_table("analytics.orders").properties.get(key), "yes", "property after set")
        with t.transaction() as tx:
            tx.remove_properties(key)
        assert key not in cat.load_table("analytics.orders").properties, "property still there after remove"

    check("analytics.orders: transaction sets then removes a table property", seeded_properties)

    # ---- namespaces
    ns = f"pyi_{SFX}"
    ns2 = f"pyi_{SFX}_other"
    missing_ns = f"pyi_{SFX}_missing"

    def create_ns():
        cat.create_namespace(ns, {"owner": "pyiceberg", "purpose": "test"})
        cat.create_namespace(ns2)
        eq(cat.load_namespace_properties(ns), {"owner": "pyiceberg", "purpose": "test"}, "namespace properties")
        got = cat.list_namespaces()
        assert (ns,) in got and (ns2,) in got, f"new namespaces not listed: {got}"

    check("create_namespace with properties, load_namespace_properties, listed", create_ns)

    check("create_namespace again -> NamespaceAlreadyExistsError",
          lambda: expect_raises(NamespaceAlreadyExistsError, lambda: cat.create_namespace(ns)))

    def ns_exists():
        eq(cat.namespace_exists(ns), True, "namespace_exists(new)")
        eq(cat.namespace_exists(missing_ns), False, "namespace_exists(missing)")
        eq(http("HEAD", api(f"namespaces/{ns_path(ns)}"))[0] in (200, 204), True, "HEAD namespace status")
        eq(http("HEAD", api(f"namespaces/{ns_path(missing_ns)}"))[0], 404, "HEAD missing namespace status")

    check("namespace_exists (HEAD): true, false", ns_exists)

    def update_ns():
        summary = cat.update_namespace_properties(ns, removals={"purpose", "absent"}, updates={"team": "lake", "owner": "me"})
        eq(sorted(summary.updated), ["owner", "team"], "updated")
        eq(sorted(summary.removed), ["purpose"], "removed")
        eq(sorted(summary.missing), ["absent"], "missing")
        eq(cat.load_namespace_properties(ns), {"owner": "me", "team": "lake"}, "properties after update")

    check("update_namespace_properties: updated / removed / missing", update_ns)

    def missing_namespace_errors():
        expect_raises(NoSuchNamespaceError, lambda: cat.load_namespace_properties(missing_ns), "load_namespace_properties")
        expect_raises(NoSuchNamespaceError, lambda: cat.list_tables(missing_ns), "list_tables")
        expect_raises(NoSuchNamespaceError, lambda: cat.drop_namespace(missing_ns), "drop_namespace")
        expect_raises(NoSuchNamespaceError, lambda: cat.update_namespace_properties(missing_ns, updates={"a": "b"}),
                      "update_namespace_properties")
        expect_raises(NoSuchNamespaceError, lambda: cat.create_table(f"{missing_ns}.t", Schema(NestedField(1, "id", LongType()))),
                      "create_table")

    check("missing namespace -> NoSuchNamespaceError (load, list_tables, drop, update, create_table)", missing_namespace_errors)

    # ---- tables
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType()),
        NestedField(3, "ts", TimestamptzType()),
        NestedField(4, "amount", DecimalType(10, 2)),
        NestedField(5, "tags", ListType(6, StringType(), element_required=False)),
        NestedField(7, "attrs", MapType(8, StringType(), 9, LongType(), value_required=False)),
        NestedField(10, "loc", StructType(NestedField(11, "lat", DoubleType()), NestedField(12, "hash", FixedType(16)))),
        identifier_field_ids=[1],
    )
    spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name="ts_day"))
    order = SortOrder(SortField(source_id=1, transform=IdentityTransform(), direction=SortDirection.ASC,
                                null_order=NullOrder.NULLS_FIRST))
    ident = f"{ns}.events"

    def create_table():
        t = cat.create_table(ident, schema, partition_spec=spec, sort_order=order, properties={"owner": "pyiceberg"})
        check_metadata(t, ident)
        eq(col_names(t), ["id", "name", "ts", "amount", "tags", "attrs", "loc"], "columns")
        s = t.schema()
        eq(str(s.find_type("amount")), "decimal(10, 2)", "decimal type")
        eq(str(s.find_type("loc.hash")), "fixed[16]", "fixed type")
        assert isinstance(s.find_type("tags"), ListType) and isinstance(s.find_type("attrs"), MapType), "nested types"
        eq(t.metadata.last_column_id, max(s._lazy_id_to_field), "last-column-id")
        eq(s.identifier_field_names(), {"id"}, "identifier fields")
        eq([(f.name, str(f.transform), s.find_column_name(f.source_id)) for f in t.spec().fields],
           [("ts_day", "day", "ts")], "partition spec")
        eq([(s.find_column_name(f.source_id), f.direction) for f in t.sort_order().fields], [("id", SortDirection.ASC)], "sort order")
        eq(t.properties.get("owner"), "pyiceberg", "property")
        assert t.location(), "no location"
        assert "format-version" not in t.properties, "format-version kept as a table property"
        state["events"] = t

    check("create_table (nested types, day partition, sort order, properties)", create_table)

    def table_exists():
        eq(cat.table_exists(ident), True, "table_exists(new)")
        eq(cat.table_exists(f"{ns}.nope"), False, "table_exists(missing)")
        eq(http("HEAD", api(f"namespaces/{ns_path(ns)}/tables/events"))[0] in (200, 204), True, "HEAD table status")
        eq(http("HEAD", api(f"namespaces/{ns_path(ns)}/tables/nope"))[0], 404, "HEAD missing table status")

    check("table_exists (HEAD): true, false", table_exists)

    def list_new_tables():
        eq(cat.list_tables(ns), [(ns, "events")], "list_tables(new namespace)")

    check("list_tables(new namespace)", list_new_tables)

    check("create_table again -> TableAlreadyExistsError",
          lambda: expect_raises(TableAlreadyExistsError, lambda: cat.create_table(ident, schema)))

    def missing_table_errors():
        expect_raises(NoSuchTableError, lambda: cat.load_table(f"{ns}.nope"), "load_table")
        expect_raises(NoSuchTableError, lambda: cat.drop_table(f"{ns}.nope"), "drop_table")
        status, body = http("GET", api(f"namespaces/{ns_path(ns)}/tables/nope"))
        eq(status, 404, "raw status")
        err = body["error"]
        assert isinstance(err["message"], str) and err["type"] == "NoSuchTableException" and err["code"] == 404, f"ErrorModel: {body}"

    check("missing table -> NoSuchTableError (load, drop); ErrorModel body", missing_table_errors)

    def bad_transform():
        bad = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="name_day"))
        expect_raises(BadRequestError, lambda: cat.create_table(f"{ns}.bad_spec", schema, partition_spec=bad), "day(string)")
        eq(cat.table_exists(f"{ns}.bad_spec"), False, "rejected table exists")

    check("create_table with day() on a string column -> BadRequestError (400)", bad_transform)

    def table_properties():
        t = cat.load_table(ident)
        with t.transaction() as tx:
            tx.set_properties(a="1", b="2")
        eq({k: t.properties.get(k) for k in ("a", "b")}, {"a": "1", "b": "2"}, "answered properties")
        with t.transaction() as tx:
            tx.remove_properties("a")
            tx.set_properties(c="3")
        reloaded = cat.load_table(ident).properties
        assert "a" not in reloaded and reloaded.get("b") == "2" and reloaded.get("c") == "3", f"properties: {reloaded}"
        check_metadata(cat.load_table(ident), ident)

    check("table properties: set, then remove + set in one transaction", table_properties)

    def add_column():
        t = cat.load_table(ident)
        before_loc, before_last, before_schema = t.metadata_location, t.metadata.last_column_id, t.metadata.current_schema_id
        with t.update_schema() as u:
            u.add_column("note", StringType(), doc="added by pyiceberg")
        assert t.metadata_location != before_loc, "same metadata-location after commit"
        r = cat.load_table(ident)
        assert "note" in col_names(r), f"column missing after reload: {col_names(r)}"
        eq(r.schema().find_field("note").field_id, before_last + 1, "new field id")
        eq(r.metadata.last_column_id, before_last + 1, "last-column-id")
        assert r.metadata.current_schema_id != before_schema, "current-schema-id unchanged"
        assert r.metadata.schema_by_id(before_schema) is not None, "old schema dropped from schemas"
        eq(r.metadata_location, t.metadata_location, "reload metadata-location = commit's")
        check_metadata(r, ident)

    check("update_schema().add_column: new schema current, ids and last-column-id", add_column)

    def evolve_spec():
        t = cat.load_table(ident)
        before = t.spec().spec_id
        with t.update_spec() as u:
            u.add_field("id", BucketTransform(8), "id_bucket")
            u.add_identity("name")
        r = cat.load_table(ident)
        fields = [(f.name, str(f.transform)) for f in r.spec().fields]
        eq(fields, [("ts_day", "day"), ("id_bucket", "bucket[8]"), ("name", "identity")], "new default spec")
        assert r.spec().spec_id != before, "default-spec-id unchanged"
        eq(len(r.metadata.partition_specs), 2, "number of specs")
        eq(r.metadata.last_partition_id, 1002, "last-partition-id")
        check_metadata(r, ident)

    check("update_spec(): add bucket[8](id) and identity(name)", evolve_spec)

    def sort_order():
        t = cat.load_table(ident)
        before = t.sort_order().order_id
        with t.update_sort_order() as u:
            u.desc("ts", IdentityTransform(), NullOrder.NULLS_LAST)
        r = cat.load_table(ident)
        assert r.sort_order().order_id != before, "default-sort-order-id unchanged"
        f = r.sort_order().fields
        eq([(r.schema().find_column_name(x.source_id), x.direction, x.null_order) for x in f],
           [("ts", SortDirection.DESC, NullOrder.NULLS_LAST)], "new sort order")
        check_metadata(r, ident)

    check("update_sort_order(): desc(ts) becomes the default", sort_order)

    def conflicting_schema_changes():
        a = cat.load_table(ident)
        b = cat.load_table(ident)
        eq(a.metadata_location, b.metadata_location, "both loaded from the same metadata")
        with a.update_schema() as u:
            u.add_column("winner_col", LongType())
        expect_raises(CommitFailedException, lambda: b.update_schema().add_column("loser_col", LongType()).commit(), "second commit")
        r = cat.load_table(ident)
        assert "winner_col" in col_names(r), "winner's column missing"
        assert "loser_col" not in col_names(r), "loser's column present"
        eq(r.metadata_location, a.metadata_location, "failed commit changed the metadata")

    check("two conflicting schema changes: one wins, one CommitFailedException, loser absent", conflicting_schema_changes)

    def stale_field_id_assertion():
        stale = cat.load_table(ident)
        fresh = cat.load_table(ident)
        with fresh.update_schema() as u:
            u.add_column("bumps_last_column_id", LongType())
        tx = stale.transaction()
        tx._apply((SetPropertiesUpdate(updates={"stale": "x"}),),
                  (AssertLastAssignedFieldId(last_assigned_field_id=stale.metadata.last_column_id),))
        expect_raises(CommitFailedException, tx.commit_transaction, "stale assert-last-assigned-field-id")
        assert "stale" not in cat.load_table(ident).properties, "failed commit applied its update"

    check("stale assert-last-assigned-field-id -> CommitFailedException, nothing applied", stale_field_id_assertion)

    def race():
        n = 8
        cats = [load_catalog("rest", **{"uri": BASE}) for _ in range(n)]
        tables = [c.load_table(ident) for c in cats]
        eq(len({t.metadata_location for t in tables}), 1, "all eight loaded the same metadata")
        schemas_before = len(tables[0].metadata.schemas)
        barrier = threading.Barrier(n)
        results = [None] * n

        def worker(i):
            barrier.wait()
            try:
                with tables[i].update_schema() as u:
                    u.add_column("raced", StringType())
                results[i] = "won"
            except CommitFailedException:
                results[i] = "conflict"
            except Exception as e:  # noqa: BLE001
                results[i] = f"{type(e).__name__}: {e}"

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        for c in cats:
            c.close()
        eq(sorted(results), ["conflict"] * 7 + ["won"], "outcomes")
        r = cat.load_table(ident)
        eq(col_names(r).count("raced"), 1, "raced column count")
        eq(len(r.metadata.schemas), schemas_before + 1, "schemas added")
        check_metadata(r, ident)

    check("eight threads race the same add_column: exactly one wins, seven CommitFailedException", race)

    def snapshots():
        t = cat.create_table(f"{ns}.snaps", Schema(NestedField(1, "id", LongType(), required=True)))
        base = t.location().rstrip("/")
        s1, s2 = random.getrandbits(62) + 1, random.getrandbits(62) + 1
        now = int(time.time() * 1000)

        def snap(sid, parent, seq):
            return Snapshot(snapshot_id=sid, parent_snapshot_id=parent, sequence_number=seq, timestamp_ms=now + seq,
                            manifest_list=f"{base}/metadata/snap-{sid}.avro", summary=Summary(Operation.APPEND), schema_id=0)

        tx = t.transaction()
        tx._apply((AddSnapshotUpdate(snapshot=snap(s1, None, 1)),
                   SetSnapshotRefUpdate(ref_name="main", type=SnapshotRefType.BRANCH, snapshot_id=s1)),
                  (AssertRefSnapshotId(ref="main", snapshot_id=None),))
        tx.commit_transaction()
        tx = t.transaction()
        tx._apply((AddSnapshotUpdate(snapshot=snap(s2, s1, 2)),
                   SetSnapshotRefUpdate(ref_name="main", type=SnapshotRefType.BRANCH, snapshot_id=s2)),
                  (AssertRefSnapshotId(ref="main", snapshot_id=s1),))
        tx.commit_transaction()
        r = cat.load_table(f"{ns}.snaps")
        eq(r.metadata.current_snapshot_id, s2, "current-snapshot-id")
        eq(r.metadata.refs["main"].snapshot_id, s2, "refs.main")
        eq([e.snapshot_id for e in r.metadata.snapshot_log], [s1, s2], "snapshot-log")
        eq(r.metadata.last_sequence_number, 2, "last-sequence-number")
        check_metadata(r, "snaps")
        # a stale main assertion is a conflict
        # (sent as it is: a transaction would check it against its own metadata first)
        expect_raises(CommitFailedException,
                      lambda: cat.commit_table(r, (AssertRefSnapshotId(ref="main", snapshot_id=s1),),
                                               (SetPropertiesUpdate(updates={"x": "y"}),)),
                      "stale main")
        eq(cat.load_table(f"{ns}.snaps").properties.get("x"), None, "stale commit applied nothing")
        r.manage_snapshots().create_tag(s2, "v2").commit()
        tx = r.transaction()
        tx._apply((RemoveSnapshotsUpdate(snapshot_ids=[s1]),))
        tx.commit_transaction()
        r = cat.load_table(f"{ns}.snaps")
        eq([s.snapshot_id for s in r.metadata.snapshots], [s2], "snapshots after remove-snapshots")
        assert s1 not in [e.snapshot_id for e in r.metadata.snapshot_log], "removed snapshot still in snapshot-log"
        eq((r.metadata.refs["v2"].snapshot_id, r.metadata.refs["v2"].snapshot_ref_type), (s2, SnapshotRefType.TAG), "tag v2")
        check_metadata(r, "snaps")

    check("snapshots: add-snapshot + set-snapshot-ref (main), tag, remove-snapshots", snapshots)

    def set_location():
        t = cat.load_table(ident)
        new = t.location().rstrip("/") + "_moved"
        tx = t.transaction()
        tx._apply((SetLocationUpdate(location=new),))
        tx.commit_transaction()
        eq(cat.load_table(ident).location(), new, "location after set-location")

    check("set-location", set_location)

    def upgrade_format_version():
        # A catalog may create v1 tables (then PyIceberg's upgrade must make them v2) or
        # refuse format-version 1 with a 400 (a v2-only catalog: then upgrade-format-version 2
        # on a v2 table is accepted and changes nothing, and a downgrade to 1 is a 400).
        try:
            t = cat.create_table(f"{ns}.v1", Schema(NestedField(1, "id", LongType())), properties={"format-version": "1"})
        except BadRequestError:
            t = cat.create_table(f"{ns}.v1", Schema(NestedField(1, "id", LongType())))
            eq(t.format_version, 2, "created format-version")
            cat.commit_table(t, (), (UpgradeFormatVersionUpdate(format_version=2),))
            expect_raises(BadRequestError, lambda: cat.commit_table(t, (), (UpgradeFormatVersionUpdate(format_version=1),)),
                          "downgrade to 1")
        else:
            eq(t.format_version, 1, "created format-version")
            t.transaction().upgrade_table_version(2).commit_transaction()
        r = cat.load_table(f"{ns}.v1")
        eq(r.format_version, 2, "format-version after upgrade")
        check_metadata(r, "v1")

    check("upgrade-format-version: v1 -> 2, or (v2-only catalog) 2 accepted and 1 refused", upgrade_format_version)

    def rename():
        cat.create_table(f"{ns}.src", Schema(NestedField(1, "id", LongType())))
        t = cat.rename_table(f"{ns}.src", f"{ns2}.dst")
        eq(t.name(), (ns2, "dst"), "renamed table name")
        eq(cat.table_exists(f"{ns}.src"), False, "old name exists")
        eq(cat.table_exists(f"{ns2}.dst"), True, "new name exists")
        eq(cat.list_tables(ns2), [(ns2, "dst")], "list_tables(destination)")
        assert (ns, "src") not in cat.list_tables(ns), "old name still listed"
        cat.create_table(f"{ns}.src2", Schema(NestedField(1, "id", LongType())))
        expect_raises(TableAlreadyExistsError, lambda: cat.rename_table(f"{ns}.src2", f"{ns2}.dst"), "rename onto existing")
        expect_raises(NoSuchTableError, lambda: cat.rename_table(f"{ns}.nope", f"{ns}.nope2"), "rename missing")

    check("rename_table across namespaces; onto existing -> TableAlreadyExistsError; missing -> NoSuchTableError", rename)

    # ---- paging
    pns = f"pyi_{SFX}_paging"

    def paging():
        cat.create_namespace(pns)
        names = [f"t{i}" for i in range(7)]
        for n in names:
            cat.create_table(f"{pns}.{n}", Schema(NestedField(1, "id", LongType())))
        paged = load_catalog("rest", **{"uri": BASE, "rest-page-size": "2"})
        all_tables = cat.list_tables(pns)
        got = paged.list_tables(pns)
        eq(sorted(got), sorted((pns, n) for n in names), "paged list_tables")
        eq(len(got), len(set(got)), "paged list_tables has no duplicates")
        eq(got, all_tables, "paged and unpaged list_tables, same order")
        ns_all = cat.list_namespaces()
        ns_paged = paged.list_namespaces()
        eq(len(ns_paged), len(set(ns_paged)), "paged list_namespaces has no duplicates")
        eq(ns_paged, ns_all, "paged and unpaged list_namespaces, same order")
        paged.close()
        items, pages = raw_pages(api(f"namespaces/{ns_path(pns)}/tables"), "identifiers", 3)
        eq(pages, 3, "pages of 3 for 7 tables")
        eq(sorted(i["name"] for i in items), sorted(names), "raw paged tables")
        items, pages = raw_pages(api("namespaces"), "namespaces", 2)
        assert pages >= 2, "namespaces not paged"
        eq([tuple(i) for i in items], ns_all, "raw paged namespaces")

    check("paging: pageSize / pageToken / next-page-token, every item once, stable order", paging)

    # ---- drops
    def drops():
        expect_raises(NamespaceNotEmptyError, lambda: cat.drop_namespace(ns), "drop non-empty namespace")
        assert cat.namespace_exists(ns), "non-empty namespace dropped anyway"
        for t in cat.list_tables(ns):
            cat.drop_table(t)
        eq(cat.table_exists(ident), False, "dropped table exists")
        expect_raises(NoSuchTableError, lambda: cat.load_table(ident), "load dropped table")
        eq(cat.list_tables(ns), [], "tables after drops")
        cat.drop_namespace(ns)
        eq(cat.namespace_exists(ns), False, "dropped namespace exists")
        assert (ns,) not in cat.list_namespaces(), "dropped namespace listed"
        for other in (ns2, pns):
            for t in cat.list_tables(other):
                cat.purge_table(t)
            cat.drop_namespace(other)
        for n in (ns, ns2, pns):
            assert (n,) not in cat.list_namespaces(), f"{n} still listed"

    check("drop: non-empty namespace -> NamespaceNotEmptyError; drop_table, purge_table, drop_namespace", drops)

    def seeded_untouched():
        eq(sorted(cat.list_tables("analytics")), sorted(("analytics", t) for t in SEEDED["analytics"]), "analytics")

    check("seeded tables still there", seeded_untouched)
    cat.close()

    # ---- metrics: nothing in use once the clients are done
    def metrics():
        deadline = time.time() + 5
        while True:
            with urllib.request.urlopen(BASE + "/metrics", timeout=30) as resp:
                text = resp.read().decode()
            series = [line for line in text.splitlines() if line.startswith("pool_in_use_objects")]
            busy = [line for line in series if float(line.rsplit(None, 1)[1]) != 0]
            if series and not busy:
                return
            if time.time() > deadline:
                assert series, "no pool_in_use_objects series in /metrics"
                raise AssertionError(f"in use after the run: {busy}")
            time.sleep(0.2)

    check("/metrics: every pool_in_use_objects series is 0", metrics)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - a crash outside a check is a failure too
        failed += 1
        print(f"FAIL harness: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
