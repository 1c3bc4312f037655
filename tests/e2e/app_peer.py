#!/usr/bin/python3
"""A small web application for the attribution tests: each HTTP request is served on
its own thread, which queries PostgreSQL a known number of times before it answers.

    app_peer.py --pg-host H --pg-port P [--pg-user U] [--pg-db D] [--lifetime S]

Routes (GET):
  /one           1 query:  SELECT count(*) FROM hs_kv
  /many/<n>      n queries: SELECT v FROM hs_kv WHERE id = <i>   (n <= 200)
  /none          no query
Prints "ready <port> <pid>" when it listens on 127.0.0.1 (port chosen by the kernel).
Exits when stdin closes (the test died) or after --lifetime seconds.

The PostgreSQL client is the frontend/backend protocol's simple-query subset with
trust authentication (the private cluster of l7lab.Postgres), standard library only.
Every thread keeps its own connection, so a request's queries run on its thread.
"""
import argparse
import http.server
import os
import socket
import struct
import sys
import threading

MAX_QUERIES = 200


class PgError(Exception):
    pass


class PgConnection:
    def __init__(self, host, port, user, db):
        if host.startswith("/"):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(os.path.join(host, f".s.PGSQL.{port}"))
        else:
            self.sock = socket.create_connection((host, port), timeout=30)
        params = b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
        body = struct.pack("!I", 196608) + params
        self.sock.sendall(struct.pack("!I", len(body) + 4) + body)
        self._until_ready()

    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise PgError("connection closed")
            buf += chunk
        return buf

    def _until_ready(self):
        error = None
        while True:
            kind = self._read_exact(1)
            (length,) = struct.unpack("!I", self._read_exact(4))
            if length < 4 or length > 1 << 24:
                raise PgError(f"bad message length {length}")
            body = self._read_exact(length - 4)
            if kind == b"R" and struct.unpack("!I", body[:4])[0] != 0:
                raise PgError("the server asked for a password (trust authentication expected)")
            if kind == b"E":
                error = body
            if kind == b"Z":
                if error is not None:
                    raise PgError(error.decode(errors="replace"))
                return

    def query(self, sql):
        body = sql.encode() + b"\0"
        self.sock.sendall(b"Q" + struct.pack("!I", len(body) + 4) + body)
        self._until_ready()

    def close(self):
        try:
            self.sock.sendall(b"X\0\0\0\4")
        finally:
            self.sock.close()


class App(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pg):
        self.pg = pg
        self.local = threading.local()
        super().__init__(("127.0.0.1", 0), Handler)

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = PgConnection(*self.pg)
        return conn


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        try:
            if parts == ["one"]:
                self.server.connection().query("SELECT count(*) FROM hs_kv")
                n = 1
            elif len(parts) == 2 and parts[0] == "many" and parts[1].isdigit() and int(parts[1]) <= MAX_QUERIES:
                n = int(parts[1])
                conn = self.server.connection()
                for i in range(n):
                    conn.query(f"SELECT v FROM hs_kv WHERE id = {i}")
            elif parts == ["none"]:
                n = 0
            else:
                return self.answer(404, b"no such route\n")
        except (PgError, OSError) as e:
            self.server.local.conn = None
            return self.answer(500, f"database: {e}\n".encode())
        self.answer(200, f"{n} queries\n".encode())

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-host", required=True)
    ap.add_argument("--pg-port", type=int, required=True)
    ap.add_argument("--pg-user", default="postgres")
    ap.add_argument("--pg-db", default="hsbench")
    ap.add_argument("--lifetime", type=float, default=900)
    a = ap.parse_args()
    app = App((a.pg_host, a.pg_port, a.pg_user, a.pg_db))
    threading.Thread(target=app.serve_forever, daemon=True).start()
    print(f"ready {app.server_address[1]} {os.getpid()}", flush=True)
    # Ends with the test: stdin closes when the test process goes away.
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(a.lifetime)
    app.shutdown()


if __name__ == "__main__":
    main()
