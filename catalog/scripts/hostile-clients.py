#!/usr/bin/env python3
"""The `server` binary against hostile clients, as an operator would try it.

    cargo build --release --bin server && python3 catalog/scripts/hostile-clients.py [--store]   (from the repository root)

Starts target/release/server with `ulimit -n 1024` (default limits),
then: 1,100 idle connections (and a normal request during and after them),
300 connections each sending an unterminated 390 KB header (the server's RSS,
and a normal request), bad names of 60 and 6 KB, and the pools' in-use gauges.
Prints what each step saw; catalog/docs/example-service.md quotes its output.
"""
import socket, time, subprocess, resource, os, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
port = 18282
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the repository: target/
# `--store`: the server's default, its SQLite store, in a data dir of its own; else in memory.
import tempfile
store = ["--data-dir", tempfile.mkdtemp(prefix="hostile-")] if "--store" in sys.argv[1:] else ["--in-memory"]
srv = subprocess.Popen(["bash", "-c", f"ulimit -n 1024; exec target/release/server {' '.join(store)} --port {port}"], stdout=subprocess.DEVNULL)
time.sleep(1.0)
def rss():
    with open(f"/proc/{srv.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"): return line.split()[1] + " kB"
def get(path="/v1/namespaces/analytics/tables/orders"):
    t = time.time()
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    s.sendall(f"GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except Exception as e:
            return f"error {e} after {time.time()-t:.2f}s"
        if not chunk: break
        data += chunk
    return f"{data[:12].decode(errors='replace')} {len(data)} bytes in {time.time()-t:.3f}s"
print("rss at start", rss(), "| normal GET:", get())
idle = []
for i in range(1100):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=5); c.send(b"G"); idle.append(c)
    except Exception as e:
        print("connect failed at", i, e); break
time.sleep(0.5)
print("1100 idle connections open; rss", rss(), "| normal GET now:", get())
time.sleep(10.5)
print("after the header timeout; rss", rss(), "| normal GET:", get())
for c in idle: c.close()
# 300 connections each sending an unterminated 390 KB header
big = []
for i in range(300):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.setblocking(False)
    try:
        c.send(b"GET /metrics HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * 390_000)
    except BlockingIOError:
        pass
    big.append(c)
time.sleep(1.0)
print("300 connections with a 390 KB unterminated header: rss", rss(), "| normal GET:", get())
for c in big: c.close()
time.sleep(0.5)
print("bad name 60 KB:", get("/v1/namespaces/analytics/tables/" + "x-" * 30000))
print("bad name 6 KB:", get("/v1/namespaces/analytics/tables/" + "x-" * 3000))
print("metrics in_use:", [l for l in subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True).stdout.splitlines() if l.startswith("pool_in_use_objects")][:4])
srv.kill()
