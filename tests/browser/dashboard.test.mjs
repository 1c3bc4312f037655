// The dashboard in a real browser (Debian chromium via playwright-core) against a
// real hostscoped with real capture. Screenshots go to $HS_ARTIFACTS (build dir).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Daemon, Workload, waitFor } from "./daemon.mjs";

const CHROMIUM = process.env.HS_CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = process.env.HS_ARTIFACTS || join(process.cwd(), "artifacts");
const VIEWS = ["overview", "processes", "network", "database", "http", "alerts", "bottlenecks", "recommendations", "actions", "testing"];
// Endpoints another part of the daemon may not serve yet: the page shows "not
// available" for their 404s, which the browser itself logs as failed loads.
const OPTIONAL = /\/api\/performance\/(alerts|bottlenecks|optimization|testing)(\/|\?|$)/;

let daemon, browser;
const consoleErrors = [];
const allowed = [];  // predicates for errors a test provokes on purpose

async function newPage(token, opts = {}) {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 }, ...opts });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const e = { text: msg.text(), url: msg.location()?.url || "" };
    if (/Failed to load resource: the server responded with a status of 404/.test(e.text) && OPTIONAL.test(e.url)) return;
    if (allowed.some((ok) => ok(e))) return;
    consoleErrors.push(e);
  });
  page.on("pageerror", (err) => consoleErrors.push({ text: "uncaught: " + err.message, url: page.url() }));
  await page.goto(`${daemon.url}/#token=${token}`);
  return page;
}

async function show(page, view, query = "") {
  await page.evaluate((h) => { location.hash = h; }, `#/${view}${query}`);
  await page.waitForSelector(`main[data-view="${view}"]`);
}

// Every content slot has left its loading state.
async function settled(page) {
  await page.waitForFunction(() => document.querySelectorAll("main .panel .state.loading, main .kpis:empty").length === 0,
                             null, { timeout: 15000 });
}

describe("dashboard", () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    daemon = await new Daemon().start();
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
             "--disable-default-apps", "--disable-sync", "--metrics-recording-only", "--disable-dev-shm-usage"],
    });
  });

  after(async () => {
    await browser?.close();
    await daemon?.cleanup();
  });

  test("the page is served compressed, revalidated by ETag", async () => {
    const r = await fetch(daemon.url + "/js/app.js", { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-encoding"), "gzip");
    assert.match(r.headers.get("content-type"), /^text\/javascript/);
    assert.equal(r.headers.get("cache-control"), "no-cache");
    const etag = r.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(daemon.url + "/js/app.js", { headers: { "Accept-Encoding": "gzip", "If-None-Match": etag } });
    assert.equal(again.status, 304);
    const vendor = await fetch(daemon.url + "/vendor/uPlot.iife.min.js");
    assert.equal(vendor.status, 200, "uPlot is vendored by scripts/setup");
  });

  test("overview renders non-empty live charts within seconds", async () => {
    const page = await newPage(daemon.admin);
    // The token left the address bar for localStorage.
    await page.waitForFunction(() => location.hash === "#/overview");
    assert.equal(await page.evaluate(() => localStorage.getItem("hostscope.token")), daemon.admin);
    await page.waitForSelector("#link.live", { timeout: 10000 });
    // Each tick the daemon pushes adds a point: three points with real syscalls in them.
    const started = Date.now();
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-chart="syscall"]');
      return c && Number(c.dataset.points) >= 3 && Number(c.dataset.nonzero) >= 3 && c.querySelector("canvas");
    }, null, { timeout: 15000 });
    const grown = await page.$eval('[data-chart="syscall"]', (c) => Number(c.dataset.points));
    await page.waitForFunction((n) => Number(document.querySelector('[data-chart="syscall"]').dataset.points) > n, grown,
                               { timeout: 10000 });
    assert.ok(Date.now() - started < 25000);
    for (const id of ["network", "database", "http", "system"]) {
      assert.ok(Number(await page.$eval(`[data-chart="${id}"]`, (c) => c.dataset.points)) >= 3, id + " chart has points");
    }
    // The syscall rate KPI matches what the API says, within an order of magnitude of live traffic.
    const rateText = await page.$eval('[data-kpi="syscalls"] .value', (e) => e.textContent);
    assert.match(rateText, /^[\d,.]+\/s$/);
    assert.ok(Number(rateText.replace(/[^\d.]/g, "")) > 0);
    assert.match(await page.$eval('[data-kpi="capture"] .value', (e) => e.textContent), /running|degraded/);
    assert.equal(await page.$eval("#role", (e) => e.textContent), "admin");
    await page.context().close();
  });

  test("a workload started here shows in the Processes view with its exact counts", async () => {
    const w = await new Workload({ getppid: 1234, badclose: 7, comm: "hs_ui_work" }).ready();
    try {
      for (let i = 0; i < 3; i++) await w.round();
      const page = await newPage(daemon.admin);
      await show(page, "processes", "?comm=hs_ui_work");
      // The process list, filtered by command, lists the workload's pid.
      await page.waitForSelector(`table.procs tr:has(td:text-is("${w.pid}"))`, { timeout: 15000 });
      await page.click(`table.procs tr:has(td:text-is("${w.pid}"))`);
      assert.match(page.url(), new RegExp(`#/processes\\?comm=hs_ui_work&pid=${w.pid}`));
      await page.waitForSelector(`[data-process="${w.pid}"]`);
      const count = async (syscall, col) => page.$eval(`table.syscalls tr:has(td:text-is("${syscall}")) td[data-label="${col}"]`,
                                                    (td) => Number(td.textContent.replace(/[^\d]/g, "")));
      await waitFor(async () => (await count("getppid", "count")) === 3 * 1234, { timeout: 15000, what: "3702 getppid" });
      await waitFor(async () => (await count("close", "errors")) === 3 * 7, { timeout: 15000, what: "21 failed closes" });
      // The API agrees with the page.
      const api = await daemon.api("GET", `/monitoring/metrics?type=syscall&pid=${w.pid}&syscall=getppid`);
      assert.equal(api.body.metrics[0].count, 3702);
      // Deep link: a fresh page opened on the same address shows the same process.
      const deep = await newPage(daemon.admin);
      await deep.goto(`${daemon.url}/#/processes?pid=${w.pid}`);
      await deep.waitForSelector(`[data-process="${w.pid}"]`, { timeout: 10000 });
      await deep.waitForSelector("[data-histogram] .bar", { timeout: 10000 });
      await deep.context().close();
      await page.context().close();
    } finally {
      await w.close();
    }
  });

  test("acknowledging an alert in the page changes it in the API", async (t) => {
    const probe = await daemon.api("GET", "/alerts");
    if (probe.status === 404) return t.skip("this daemon does not serve /api/performance/alerts");
    const created = await daemon.api("POST", "/alerts", { title: "browser suite alert", message: "raised by the test", severity: "high" });
    assert.ok(created.status >= 200 && created.status < 300, JSON.stringify(created.body));
    const id = created.body.id;
    const page = await newPage(daemon.admin);
    await show(page, "alerts");
    const ack = `button[data-mutating="acknowledge"][data-alert="${id}"]`;
    await page.waitForSelector(ack, { timeout: 10000 });
    await page.click(ack);
    const after = await waitFor(async () => {
      const r = await daemon.api("GET", "/alerts?limit=500");
      const a = r.body.alerts.find((x) => x.id === id);
      return a && a.status === "acknowledged" && a;
    }, { what: "alert " + id + " acknowledged" });
    assert.equal(after.acknowledged_by, "dashboard");
    // The page shows the new state, and offers resolve but no second acknowledge.
    await page.waitForSelector(`tr[data-alert="${id}"] .badge.acknowledged`, { timeout: 10000 });
    assert.equal(await page.locator(ack).count(), 0);
    await page.click(`button[data-mutating="resolve"][data-alert="${id}"]`);
    await waitFor(async () => {
      const r = await daemon.api("GET", "/alerts?limit=500");
      return r.body.alerts.find((x) => x.id === id)?.status === "resolved";
    }, { what: "alert " + id + " resolved" });
    await page.context().close();
  });

  test("a viewer token shows no mutating controls anywhere", async () => {
    const admin = await newPage(daemon.admin);
    await admin.waitForSelector('[data-mutating="capture"]', { timeout: 10000 });
    await admin.context().close();

    const page = await newPage(daemon.viewer);
    await page.waitForFunction(() => document.getElementById("role").textContent.startsWith("viewer"), null, { timeout: 10000 });
    for (const view of VIEWS) {
      await show(page, view);
      await settled(page);
      assert.equal(await page.locator("[data-mutating]").count(), 0, view + " shows a mutating control to a viewer");
    }
    // And the API indeed refuses the viewer a change.
    assert.equal((await daemon.api("POST", "/monitoring/stop", undefined, daemon.viewer)).status, 403);
    await page.context().close();
  });

  test("a refused token leads back to the prompt, and a good one opens the page", async () => {
    allowed.push((e) => /status of 401/.test(e.text) && /\/api\/performance\//.test(e.url));
    const page = await newPage("not-a-token");
    await page.waitForSelector("#login:not([hidden])", { timeout: 10000 });
    assert.match(await page.$eval("#login-error", (e) => e.textContent), /refused/);
    await page.fill("#token", daemon.viewer);
    await page.press("#token", "Enter");
    await page.waitForSelector("#tabs:not([hidden])", { timeout: 10000 });
    assert.equal(await page.evaluate(() => localStorage.getItem("hostscope.token")), daemon.viewer);
    await page.click("#logout");
    await page.waitForSelector("#login:not([hidden])");
    assert.equal(await page.evaluate(() => localStorage.getItem("hostscope.token")), null);
    await page.context().close();
  });

  test("a screenshot of every view, wide and phone-sized, light and dark", async () => {
    const shots = [
      { suffix: "", opts: {} },
      { suffix: "-phone-dark", opts: { viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true } },
    ];
    for (const { suffix, opts } of shots) {
      const page = await newPage(daemon.admin, opts);
      for (const view of VIEWS) {
        await show(page, view);
        await settled(page);
        // Nothing wider than the screen at phone width (tables scroll inside their panels).
        if (opts.viewport) {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 1, `${view} overflows the phone width by ${overflow}px`);
        }
        await page.screenshot({ path: join(ARTIFACTS, `${view}${suffix}.png`), fullPage: true });
      }
      await page.context().close();
    }
  });

  test("the page reconnects by itself after the daemon restarts", async () => {
    const page = await newPage(daemon.admin);
    await page.waitForSelector("#link.live", { timeout: 10000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-chart="syscall"]')?.dataset.points) >= 2, null,
                               { timeout: 15000 });
    const before = await page.$eval('[data-chart="syscall"]', (c) => Number(c.dataset.points));
    // While the daemon is down the browser logs refused connections: expected here.
    allowed.push((e) => /ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|Failed to fetch|ERR_CONNECTION_RESET/.test(e.text));
    await daemon.stop();
    await page.waitForSelector("#link.reconnecting, #link.polling", { timeout: 45000 });
    await daemon.start();
    await page.waitForSelector("#link.live", { timeout: 20000 });
    // Charts move again with the new daemon's points.
    await page.waitForFunction((n) => Number(document.querySelector('[data-chart="syscall"]').dataset.points) >= n + 2,
                               before, { timeout: 15000 });
    await page.context().close();
    allowed.pop();
  });

  test("no console errors in any of the above", () => {
    assert.deepEqual(consoleErrors, []);
  });
});
