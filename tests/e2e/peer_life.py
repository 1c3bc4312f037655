"""What every e2e peer process (l7_peer.py, net_peer.py) does about its output and
its end: line-per-event stdout, exit when the test closes stdin or dies, exit
after a lifetime whatever happens."""
import os
import stat
import sys
import threading
import time


def say(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


def exit_on_stdin_eof():
    """Ends the process when the test closes our stdin (or dies); only when stdin is a pipe."""
    try:
        if not stat.S_ISFIFO(os.fstat(0).st_mode):
            return
    except OSError:
        return

    def watch():
        try:
            while sys.stdin.buffer.read1(4096):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def exit_after(seconds, name, code):
    """Ends the process `seconds` from now (nothing when seconds <= 0) with `code`."""
    if seconds <= 0:
        return

    def stop():
        time.sleep(seconds)
        sys.stderr.write(f"{name}: lifetime of {seconds}s over, exiting\n")
        os._exit(code)
    threading.Thread(target=stop, daemon=True).start()
