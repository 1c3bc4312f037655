"""TCP peers for the network e2e suite: a line echo server with a reply delay and a client.

Every mode prints `ready <pid> ...` on stdout first, then one line per result, so a
test knows the process id it must find in the API and when the peer is in place.
Requests and replies are newline-terminated lines: a request is answered once, after
it was read whole, so one request is exactly one round trip on both sides.

    server --host 127.0.0.1 --port 0 [--delay-ms 50] [--reset]
        prints `ready <pid> <port>`; echoes each line back after the delay. With
        --reset it reads the first request, then closes with SO_LINGER {1, 0}: the
        kernel answers with a RST instead of a FIN.
    client --connect HOST:PORT --connects N
        N connections, each one request and its reply; `done <ok> <failed>`.
    client --connect HOST:PORT --rounds N [--size B]
        one connection, N request/response rounds; `done <local ip> <local port>
        <median round trip ns> <srtt after each round, us, comma separated>`.
    client --interactive
        commands on stdin, one answer line each:
          connect ID HOST PORT     -> connected ID <local ip> <local port> | failed ID <errno name>
          rounds ID N SIZE [PAUSE_MS] -> done ID <median round trip ns> <srtt us list> | error ID <reason>
          info ID                  -> info ID <srtt us> <rttvar us> <total_retrans>
          close ID                 -> closed ID
          quit
    --hold (client): after the work, wait for stdin to close before exiting, so the
    process is still alive when the test reads the API.

Every peer exits on stdin EOF (server, interactive client) and after --lifetime
seconds (default 300) whatever happens: nothing outlives a crashed test for long.
"""
import argparse
import errno
import os
import socket
import statistics
import struct
import sys
import threading
import time

from peer_life import exit_after, exit_on_stdin_eof, say

TCP_INFO_LEN = 104


def tcp_info(sock):
    """(srtt_us, rttvar_us, total_retrans) of a connected socket, from TCP_INFO."""
    raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_LEN)
    # struct tcp_info: 8 bytes of u8 fields, then u32 fields; tcpi_rtt is the 16th
    # u32 (offset 68), tcpi_rttvar the 17th, tcpi_total_retrans the 24th (offset 100).
    srtt, rttvar = struct.unpack_from("=II", raw, 68)
    (total_retrans,) = struct.unpack_from("=I", raw, 100)
    return srtt, rttvar, total_retrans


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def read_line(sock, buf):
    """One newline-terminated line from sock; returns (line, rest) or (None, b'') on EOF."""
    while b"\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line + b"\n", rest


# ---- server ------------------------------------------------------------------

def serve_connection(conn, delay_s, reset):
    buf = b""
    try:
        while True:
            line, buf = read_line(conn, buf)
            if line is None:
                break
            if reset:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                break
            if delay_s:
                time.sleep(delay_s)
            conn.sendall(line)
    except OSError:
        pass
    finally:
        conn.close()


def server(args):
    exit_on_stdin_eof()
    fam = family_of(args.host)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, args.port))
    ls.listen(128)
    say("ready", os.getpid(), ls.getsockname()[1])
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve_connection, args=(conn, args.delay_ms / 1000.0, args.reset),
                         daemon=True).start()


# ---- client ------------------------------------------------------------------

def split_hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def connect(host, port, timeout):
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
    except OSError:
        s.close()
        raise
    return s


def rounds(sock, n, size, pause_ms=0.0):
    """n request/response rounds, `pause_ms` apart; returns (median round trip ns, srtt us
    after each round)."""
    payload = b"x" * max(0, size - 1) + b"\n"
    times, srtts = [], []
    buf = b""
    for _ in range(n):
        t0 = time.perf_counter_ns()
        sock.sendall(payload)
        line, buf = read_line(sock, buf)
        times.append(time.perf_counter_ns() - t0)
        if line is None:
            raise ConnectionError("server closed the connection")
        srtts.append(tcp_info(sock)[0])
        if pause_ms:
            time.sleep(pause_ms / 1000.0)
    return int(statistics.median(times)) if times else 0, srtts


def csv(values):
    return ",".join(str(v) for v in values) or "-"


def client_connects(args):
    host, port = split_hostport(args.connect)
    ok = failed = 0
    for _ in range(args.connects):
        try:
            s = connect(host, port, args.timeout)
        except OSError:
            failed += 1
            continue
        try:
            rounds(s, 1, args.size)
            ok += 1
        finally:
            s.close()
    say("done", ok, failed)


def client_rounds(args):
    host, port = split_hostport(args.connect)
    s = connect(host, port, args.timeout)
    local = s.getsockname()
    med, srtts = rounds(s, args.rounds, args.size)
    say("done", local[0], local[1], med, csv(srtts))
    return s


def client_interactive(args):
    socks = {}
    for raw in sys.stdin:
        words = raw.split()
        if not words:
            continue
        cmd, ident = words[0], (words[1] if len(words) > 1 else "")
        try:
            if cmd == "connect":
                try:
                    s = connect(words[2], int(words[3]), args.timeout)
                except OSError as e:
                    say("failed", ident, errno.errorcode.get(e.errno, str(e.errno)))
                    continue
                socks[ident] = s
                local = s.getsockname()
                say("connected", ident, local[0], local[1])
            elif cmd == "rounds":
                pause = float(words[4]) if len(words) > 4 else 0.0
                med, srtts = rounds(socks[ident], int(words[2]), int(words[3]), pause)
                say("done", ident, med, csv(srtts))
            elif cmd == "info":
                say("info", ident, *tcp_info(socks[ident]))
            elif cmd == "close":
                socks.pop(ident).close()
                say("closed", ident)
            elif cmd == "quit":
                break
            else:
                say("error", ident or "-", "unknown-command")
        except (OSError, KeyError, IndexError, ValueError, ConnectionError) as e:
            say("error", ident or "-", type(e).__name__)
    for s in socks.values():
        s.close()


def client(args):
    say("ready", os.getpid())
    keep = None
    if args.interactive:
        client_interactive(args)
        return
    if args.connects:
        client_connects(args)
    elif args.rounds:
        keep = client_rounds(args)
    if args.hold:
        sys.stdin.buffer.read()
    if keep:
        keep.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--delay-ms", type=float, default=0.0)
    s.add_argument("--reset", action="store_true")
    c = sub.add_parser("client")
    c.add_argument("--connect", default="")
    c.add_argument("--connects", type=int, default=0)
    c.add_argument("--rounds", type=int, default=0)
    c.add_argument("--size", type=int, default=32)
    c.add_argument("--timeout", type=float, default=30.0)
    c.add_argument("--interactive", action="store_true")
    c.add_argument("--hold", action="store_true")
    for sp in (s, c):
        sp.add_argument("--lifetime", type=float, default=300.0)
    args = p.parse_args()
    exit_after(args.lifetime, "net_peer", 3)
    if args.mode == "server":
        server(args)
    else:
        client(args)


if __name__ == "__main__":
    main()
