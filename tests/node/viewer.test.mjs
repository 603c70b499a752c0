// The viewer in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against the real scribed on 127.0.0.1 with the offline
// provider and the fake Gemini server. Screenshots of a finished and of a
// failed job go to $SCRIBE_TEST_OUTPUT.
//
// Environment: SCRIBE_BUILD_DIR (build/), SCRIBE_SOURCE_DIR (the checkout),
// SCRIBE_TEST_OUTPUT (where screenshots go).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { BUILD, api, cleanup, newHost, startFake, startHost, submit } from "./scribed.mjs";

const OUTPUT = process.env.SCRIBE_TEST_OUTPUT ?? join(BUILD, "test-output");
mkdirSync(OUTPUT, { recursive: true });

const DOC = "# Tides\n\n" + Array.from({ length: 6 }, (_, i) =>
  `## Part ${i + 1}\n\nTides rise and fall twice a day ✓, pulled by the Moon and the Sun, ` +
  `which is why coastal towns watch the tables closely — «every metre matters».\n`).join("\n");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
  });
});
after(async () => {
  await cleanup();
  await browser?.close();
});

// A page that fails the test on console errors (unless `allowNetworkErrors`).
async function openPage(url, { allowNetworkErrors = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (allowNetworkErrors && /ERR_CONNECTION|Failed to load resource|net::/.test(m.text())) return;
    page.errors.push(m.text());
  });
  await page.goto(url);
  return page;
}

const scriptText = (page) => page.locator("#script").textContent();
const waitForState = (page, state, timeout = 60000) =>
  page.waitForFunction((s) => document.getElementById("state").textContent === s, state, { timeout });
const waitForText = (page, chars) =>
  page.waitForFunction((n) => document.getElementById("script").textContent.length > n, chars, { timeout: 30000 });

test("with API keys: sign in, watch a job through the cookie, sign out", async () => {
  const { dir, host } = await newHost(["--auth", "on"]);
  const key = execFileSync(join(BUILD, "bin/scribectl"),
    ["--db", join(dir, "scribe.db"), "keys", "create", "--name", "browser"], { encoding: "utf8" }).trim();
  const page = await openPage(host.url + "/", { allowNetworkErrors: true });  // the first 401
  await page.locator("#signin").waitFor({ state: "visible" });
  assert.equal(await page.locator("#submit").isVisible(), false);
  await page.screenshot({ path: join(OUTPUT, "viewer-sign-in.png") });
  await page.fill("#api-key", "sk_scribe_not-a-key");
  await page.click("#signin-form button[type=submit]");
  await page.locator("#signin-error").waitFor({ state: "visible" });
  await page.fill("#api-key", key);
  await page.click("#signin-form button[type=submit]");
  await page.locator("#who").waitFor({ state: "visible" });
  assert.match(await page.locator("#who-key").textContent(), /^key_/);
  // The key lives in an HttpOnly, SameSite=Strict cookie: never in a URL, never readable by scripts.
  const cookie = (await page.context().cookies()).find((c) => c.name === "scribe_key");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(await page.evaluate(() => document.cookie.includes("scribe_key")), false);
  await page.fill("#content", "# Keys\n\nOnly the holder of a key sees this.\n");
  await page.selectOption("#provider", "offline");
  await page.click("#generate");
  await page.waitForURL(/\/jobs\/job_/);
  await waitForState(page, "succeeded");
  assert.doesNotMatch(page.url(), /sk_scribe/);
  const id = page.url().split("/").pop();
  const output = await fetch(`${host.url}/api/jobs/${id}/output`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(await scriptText(page), await output.text());
  assert.equal((await fetch(`${host.url}/api/jobs/${id}/output`)).status, 401);
  await page.click("#signout");
  await page.locator("#signin").waitFor({ state: "visible" });
  assert.deepEqual(page.errors, []);
});

test("submit a document and watch its script to the end", async () => {
  const { host } = await newHost();
  const page = await openPage(host.url + "/");
  await page.fill("#content", "# Moon\n\nThe Moon orbits the Earth.\n\n- It has phases\n- It causes tides\n");
  await page.selectOption("#provider", "offline");
  await page.click("#generate");
  await page.waitForURL(/\/jobs\/job_/);
  await waitForState(page, "succeeded");
  const id = page.url().split("/").pop();
  const output = await api(host.url, "GET", `/api/jobs/${id}/output`);
  assert.equal(await scriptText(page), output.text);
  assert.match(await page.locator("#outcome").textContent(), /Done: .* from narrator/);
  assert.equal(await page.locator("#chars").textContent(), output.text.length.toLocaleString("en-US"));
  await page.screenshot({ path: join(OUTPUT, "viewer-finished.png"), fullPage: true });
  // The job is in the list and opens its viewer.
  await page.goto(host.url + "/");
  await page.locator(`#job-rows a[href="/jobs/${id}"]`).click();
  await waitForState(page, "succeeded");
  assert.equal(await scriptText(page), output.text);
  assert.deepEqual(page.errors, []);
});

test("a host restart mid-stream: the page reconnects and ends with identical text", async () => {
  const setup = await newHost();
  const id = await submit(setup.host.url, { content: DOC, params: { chunks_per_second: 60 } });
  const page = await openPage(`${setup.host.url}/jobs/${id}`, { allowNetworkErrors: true });
  await waitForText(page, 150);
  setup.host.child.kill("SIGKILL");
  await page.waitForSelector("#connection", { state: "visible", timeout: 10000 });
  await new Promise((r) => setTimeout(r, 500));
  const restarted = await startHost(setup);
  await waitForState(page, "succeeded", 90000);
  const output = await api(restarted.url, "GET", `/api/jobs/${id}/output`);
  assert.equal(await scriptText(page), output.text);
  assert.ok(Number(await page.evaluate(() => document.body.dataset.reconnects)) >= 1);
  assert.equal(await page.locator("#connection").isVisible(), false);
  assert.deepEqual(page.errors, []);
});

test("reload mid-stream and a second tab show the same text", async () => {
  const { host } = await newHost();
  const id = await submit(host.url, { content: DOC, params: { chunks_per_second: 60 } });
  const first = await openPage(`${host.url}/jobs/${id}`);
  await waitForText(first, 100);
  await first.reload();
  const second = await openPage(`${host.url}/jobs/${id}`);
  await Promise.all([waitForState(first, "succeeded"), waitForState(second, "succeeded")]);
  const output = await api(host.url, "GET", `/api/jobs/${id}/output`);
  assert.equal(await scriptText(first), output.text);
  assert.equal(await scriptText(second), output.text);
  assert.deepEqual([...first.errors, ...second.errors], []);
});

test("a provider failing mid-stream: the partial stays, Continue completes it, Use partial keeps it", async () => {
  const fake = await startFake();
  const config = join(mkdtempSync(join(tmpdir(), "scribe-config-")), "scribe.json");
  writeFileSync(config, JSON.stringify({ plugin_config: { GOOGLE_API_KEY: "test-key", GEMINI_BASE_URL: fake } }));
  const { host } = await newHost(["--config", config, "--auto-continues", "0"]);
  const doc = await api(host.url, "POST", "/api/documents", { title: "Tides", content: DOC });
  const body = { document_id: doc.json().id, provider: "gemini", model: "fake-midstream-error" };

  const id = await submit(host.url, body);
  const page = await openPage(`${host.url}/jobs/${id}`);
  await waitForState(page, "failed");
  const partial = await scriptText(page);
  assert.ok(partial.length > 0);
  assert.equal(partial, (await api(host.url, "GET", `/api/jobs/${id}/output`)).text);
  assert.match(await page.locator("#outcome").textContent(), /failed \(provider_unavailable\)/);
  assert.equal(await page.locator("#continue").isVisible(), true);
  await page.screenshot({ path: join(OUTPUT, "viewer-failed.png"), fullPage: true });
  await page.click("#continue");
  await waitForState(page, "succeeded");
  const text = await scriptText(page);
  assert.equal(text, (await api(host.url, "GET", `/api/jobs/${id}/output`)).text);
  assert.ok(text.startsWith(partial));
  assert.equal(text.indexOf(partial.slice(-40)), partial.length - 40);  // no repeated span

  const other = await submit(host.url, body);
  const second = await openPage(`${host.url}/jobs/${other}`);
  await waitForState(second, "failed");
  const kept = await scriptText(second);
  await second.click("#use-partial");
  assert.equal(await second.evaluate(() => document.body.dataset.usingPartial), "true");
  assert.match(await second.locator("#outcome").textContent(), /Using the partial script/);
  assert.equal(await scriptText(second), kept);
  assert.deepEqual([...page.errors, ...second.errors], []);
});

test("cancel mid-stream keeps the partial script", async () => {
  const { host } = await newHost();
  const id = await submit(host.url, { content: DOC, params: { chunks_per_second: 30 } });
  const page = await openPage(`${host.url}/jobs/${id}`);
  await waitForText(page, 60);
  await page.click("#cancel");
  await waitForState(page, "cancelled");
  const output = await api(host.url, "GET", `/api/jobs/${id}/output`);
  assert.equal(await scriptText(page), output.text);
  assert.match(await page.locator("#outcome").textContent(), /Cancelled/);
  assert.deepEqual(page.errors, []);
});

test("a document from an uploaded file or from the stored ones", async () => {
  const { host } = await newHost();
  const stored = await api(host.url, "POST", "/api/documents", { title: "Stored notes", content: "Stored text to narrate." });
  const page = await openPage(host.url + "/");
  await page.check("input[value=file]");
  await page.setInputFiles("#file", { name: "upload.md", mimeType: "text/markdown",
                                      buffer: Buffer.from("# Uploaded\n\nText from a file ✓.\n") });
  await page.click("#generate");
  await page.waitForURL(/\/jobs\/job_/);
  await waitForState(page, "succeeded");
  const fromFile = await api(host.url, "GET", `/api/jobs/${page.url().split("/").pop()}`);
  assert.equal(fromFile.json().title, "upload");
  assert.match(await scriptText(page), /Text from a file ✓\./);

  await page.goto(host.url + "/");
  await page.check("input[value=stored]");
  await page.selectOption("#stored", stored.json().id);
  await page.click("#generate");
  await page.waitForURL(/\/jobs\/job_/);
  await waitForState(page, "succeeded");
  const fromStore = await api(host.url, "GET", `/api/jobs/${page.url().split("/").pop()}`);
  assert.equal(fromStore.json().document_id, stored.json().id);
  assert.match(await scriptText(page), /Stored text to narrate\./);
  assert.deepEqual(page.errors, []);
});

test("works from the keyboard and on a phone-width screen", async () => {
  const { host } = await newHost();
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(host.url + "/");
  await page.focus("#content");
  await page.keyboard.type("Keyboard only. The narrator reads this.");
  // Tab to the Generate button and press Enter.
  for (let i = 0; i < 12; ++i) {
    if (await page.evaluate(() => document.activeElement?.id) === "generate") break;
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "generate");
  await page.keyboard.press("Enter");
  await waitForState(page, "succeeded");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `page is ${width}px wide on a 375px screen`);
  await page.screenshot({ path: join(OUTPUT, "viewer-phone.png"), fullPage: true });
});
