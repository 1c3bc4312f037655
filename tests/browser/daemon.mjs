// Starts a real hostscoped (real capture: run as root) on a free loopback port with
// a private state dir, like tests/e2e/hsdaemon.py, and talks to its API.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HOSTSCOPED = process.env.HOSTSCOPED || "build/daemon/hostscoped";
export const WORKLOAD = process.env.HS_WORKLOAD || "build/tests/root/hs_syscall_workload";

// Polls fn() until it returns a truthy value; throws with the last value at the deadline.
export async function waitFor(fn, { timeout = 10000, step = 100, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export class Daemon {
  constructor() {
    this.stateDir = mkdtempSync(join(tmpdir(), "hs-browser-"));
    this.logPath = join(this.stateDir, "daemon.log");
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  async start() {
    this.port ??= await freePort();
    const log = openSync(this.logPath, "a");
    this.proc = spawn(HOSTSCOPED, ["--state-dir", this.stateDir, "--listen", `127.0.0.1:${this.port}`, "--log-level", "info"],
                      { stdio: ["ignore", log, log] });
    this.exited = new Promise((r) => this.proc.on("exit", (code, sig) => r(code ?? sig)));
    await waitFor(async () => {
      if (this.proc.exitCode != null) throw new Error("daemon exited: " + this.logs().slice(-2000));
      const r = await fetch(this.url + "/healthz").catch(() => null);
      return r?.ok;
    }, { timeout: 30000, what: "daemon /healthz" });
    this.admin = readFileSync(join(this.stateDir, "admin.token"), "utf8").trim();
    this.viewer = readFileSync(join(this.stateDir, "viewer.token"), "utf8").trim();
    return this;
  }

  // SIGTERM and wait (the daemon detaches its probes on the way out).
  async stop() {
    if (this.proc && this.proc.exitCode == null && this.proc.signalCode == null) {
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 15000);
      await this.exited;
      clearTimeout(t);
    }
  }

  async cleanup() {
    await this.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  logs() { return readFileSync(this.logPath, "utf8"); }

  async api(method, path, body, token = this.admin) {
    const r = await fetch(this.url + "/api/performance" + path, {
      method, headers: { Authorization: "Bearer " + token, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined });
    const json = (r.headers.get("content-type") || "").startsWith("application/json") ? await r.json() : null;
    return { status: r.status, body: json };
  }
}

// hs_syscall_workload: exact getppid / close(-1) counts per round, driven over stdin.
export class Workload {
  constructor(args) {
    this.proc = spawn(WORKLOAD, Object.entries(args).map(([k, v]) => `${k}=${v}`), { stdio: ["pipe", "pipe", "inherit"] });
    this.buf = "";
    this.waiters = [];
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (d) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        this.waiters.shift()?.(line);
      }
    });
  }
  line() { return new Promise((r) => this.waiters.push(r)); }
  async ready() {
    const [word, pid] = (await this.line()).split(" ");
    if (word !== "ready") throw new Error("workload said " + word);
    this.pid = Number(pid);
    return this;
  }
  async round() {
    const p = this.line();
    this.proc.stdin.write("go\n");
    const line = await p;
    if (!line.startsWith("done")) throw new Error("workload said " + line);
  }
  async close() {
    this.proc.stdin.end();
    await new Promise((r) => (this.proc.exitCode != null ? r() : this.proc.on("exit", r)));
  }
}
