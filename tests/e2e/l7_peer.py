"""HTTP/1.1 peers for the L7 e2e suites and scripts/services (stdlib only).

    server [--host 127.0.0.1] [--port 0] [--lifetime S] [--pidfile F]
        A threading HTTP/1.1 server (keep-alive, Content-Length on every answer):
          GET /sleep/<ms>   200 after sleeping <ms> milliseconds (0..10000)
          GET /items/<id>   200, a small JSON body naming the id
          GET /missing      404
          GET /fail         500
          anything else     404
        Prints `ready <pid> <port>` on stdout once it accepts connections. Exits on
        stdin EOF when stdin is a pipe (a test closes it), on SIGTERM/SIGINT, and after
        --lifetime seconds (default 300; 0 = never, for scripts/services).

    client --port P [--host 127.0.0.1] (--path PATH | --template T --count K) [--count K]
           [--new-connection] [--hold]
        K GET requests on ONE keep-alive connection (a new connection per request with
        --new-connection). --path sends PATH K times; --template replaces `{i}` with
        1..K (varying ids), `{uuid}` with a UUID and `{hex}` with 16 hex digits made from it. Prints `done <pid> <median ns> <status:count,...>`, where the
        median is the client's own request-sent -> response-headers-read time. With
        --hold it then waits for stdin EOF before exiting, so the test can read the API
        while the process is alive.

Every peer exits after --lifetime seconds whatever happens (default 300).
"""
import argparse
import http.client
import http.server
import json
import os
import signal
import socketserver
import statistics
import sys
import threading
import time

from peer_life import exit_after, exit_on_stdin_eof, say


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hs-l7-peer/1"

    def log_message(self, *args):  # quiet: the tests read the API, not a log
        pass

    def _answer(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "sleep" and parts[1].isdigit():
            ms = min(int(parts[1]), 10000)
            time.sleep(ms / 1000.0)
            self._answer(200, json.dumps({"slept_ms": ms}))
        elif len(parts) == 2 and parts[0] == "items":
            self._answer(200, json.dumps({"item": parts[1]}))
        elif path == "/fail":
            self._answer(500, json.dumps({"error": "fail"}))
        else:
            self._answer(404, json.dumps({"error": "not found"}))

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.do_GET()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(args):
    srv = Server((args.host, args.port), Handler)
    if args.tls_cert:
        # HTTPS through the system OpenSSL (Python's ssl module links libssl.so.3).
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    if args.pidfile:
        tmp = args.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, args.pidfile)

    def on_signal(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    say("ready", os.getpid(), port)
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()


def expand(template, i):
    """{i} -> i, {uuid} -> a UUID made from i, {hex} -> 16 hex digits made from i."""
    import hashlib
    import uuid
    h = hashlib.sha256(str(i).encode()).hexdigest()
    return (template.replace("{i}", str(i)).replace("{uuid}", str(uuid.UUID(h[:32])))
            .replace("{hex}", h[:16]))


def client(args):
    if args.template:
        paths = [expand(args.template, i + 1) for i in range(args.count)]
    else:
        paths = [args.path] * args.count
    times, statuses = [], {}
    conn = None
    for p in paths:
        if conn is None or args.new_connection:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPConnection(args.host, args.port, timeout=30)
            conn.connect()
        t0 = time.monotonic_ns()
        conn.request("GET", p)
        resp = conn.getresponse()
        times.append(time.monotonic_ns() - t0)
        resp.read()
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
    if conn is not None:
        conn.close()
    med = int(statistics.median(times)) if times else 0
    say("done", os.getpid(), med, ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())) or "-")
    if args.hold:
        try:
            while sys.stdin.buffer.read1(4096):
                pass
        except (OSError, ValueError):
            pass


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--pidfile")
    s.add_argument("--lifetime", type=float, default=300)
    s.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    s.add_argument("--tls-key", help="and this private key (PEM)")
    c = sub.add_parser("client")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--path")
    c.add_argument("--template")
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--new-connection", action="store_true")
    c.add_argument("--hold", action="store_true")
    c.add_argument("--lifetime", type=float, default=300)
    args = ap.parse_args()
    exit_after(args.lifetime, "l7_peer", 0)
    if args.mode == "server":
        exit_on_stdin_eof()
        serve(args)
    else:
        if not args.path and not args.template:
            ap.error("client needs --path or --template")
        if args.count < 1 or args.count > 100000:
            ap.error("--count must be 1..100000")
        client(args)


if __name__ == "__main__":
    main()
