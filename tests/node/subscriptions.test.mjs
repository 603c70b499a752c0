// Durable Streams subscriptions on the real scribed, beyond what the
// conformance suite checks: a webhook wake that could not be delivered is
// retried and survives a kill -9 (signed with the same key after the
// restart); a pull-wake claim, its lease and its token survive a kill -9; an
// expired lease makes the wake again and fences the old token; management
// needs an API key while callbacks need only the wake's token; bad requests
// get clear errors.
//
// Environment: SCRIBE_BUILD_DIR (build/), SCRIBE_SOURCE_DIR (the checkout).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { createServer } from "node:http";
import { join } from "node:path";
import { BUILD, api, cleanup, freePort, newHost, startHost } from "./scribed.mjs";

after(cleanup);

const offset = (n) => "0000000000000000_" + String(n).padStart(16, "0");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, predicate, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function kill(host) {
  const exited = new Promise((resolve) => host.child.once("exit", resolve));
  host.child.kill("SIGKILL");
  await exited;
}

// A webhook receiver on 127.0.0.1:`port` that keeps every notification and
// answers `answer` (JSON).
async function receiver(port, answer) {
  const received = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => { raw += chunk; });
    req.on("end", () => {
      received.push({ raw, body: JSON.parse(raw), signature: req.headers["webhook-signature"] });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  return received;
}

function signedBy(notification, jwks) {
  const [, t, kid, signature] =
    notification.signature.match(/^t=(\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$/);
  const key = jwks.keys.find((k) => k.kid === kid);
  return key !== undefined && verify(null, Buffer.from(`${t}.${notification.raw}`),
    createPublicKey({ key, format: "jwk" }), Buffer.from(signature, "base64url"));
}

const sub = (id) => `/v1/stream/__ds/subscriptions/${id}`;
const link = (body, path) => body.streams.find((s) => s.path === path);

test("a webhook wake is retried while its receiver is down and survives a kill -9", async () => {
  const { dir, port, host } = await newHost();
  const hookPort = await freePort();  // nothing listens there yet
  const created = await api(host.url, "PUT", sub("orders"), {
    type: "webhook", pattern: "orders/*", webhook: { url: `http://127.0.0.1:${hookPort}/hook` },
    lease_ttl_ms: 5000,
  });
  assert.equal(created.status, 201, created.text);
  const kid = created.json().webhook.signing.kid;
  assert.equal((await api(host.url, "PUT", "/v1/stream/orders/1", { n: 1 })).status, 201);

  // The delivery fails (connection refused) and the subscription says so.
  await until("a failed delivery", async () =>
    (await api(host.url, "GET", sub("orders"))).json().status === "failed");
  await kill(host);

  const received = await receiver(hookPort, { done: true });
  const again = await startHost({ port, dir });
  const notification = await until("the notification", () => received[0]);
  const jwks = (await api(again.url, "GET", "/v1/stream/__ds/jwks.json")).json();
  assert.ok(signedBy(notification, jwks), "signed with the published key");
  assert.ok(notification.signature.includes(`kid=${kid},`), "the same key as before the kill");
  assert.equal(notification.body.subscription_id, "orders");
  assert.equal(notification.body.callback_url, `${again.url}${sub("orders")}/callback`);
  const wake = link(notification.body, "orders/1");
  assert.equal(wake.tail_offset, offset(8));  // {"n":1}\n
  assert.equal(wake.has_pending, true);

  // {"done": true} acknowledged the wake; the next append wakes again.
  await until("the acknowledgement", async () => {
    const body = (await api(again.url, "GET", sub("orders"))).json();
    return body.status === "active" && link(body, "orders/1").acked_offset === offset(8);
  });
  assert.equal((await api(again.url, "POST", "/v1/stream/orders/1", { n: 2 })).status, 204);
  const second = await until("the second notification", () => received[1]);
  assert.equal(second.body.generation, notification.body.generation + 1);
  assert.equal(link(second.body, "orders/1").tail_offset, offset(16));
});

test("a pull-wake claim, its lease and its token survive a kill -9", async () => {
  const { dir, port, host } = await newHost();
  assert.equal((await api(host.url, "PUT", "/v1/stream/wake/pool", [])).status, 201);
  assert.equal((await api(host.url, "PUT", sub("builds"), {
    type: "pull-wake", pattern: "builds/**", wake_stream: "wake/pool", lease_ttl_ms: 60000,
  })).status, 201);
  assert.equal((await api(host.url, "PUT", "/v1/stream/builds/web/42", { step: "compile" })).status, 201);
  const events = await until("the wake event", async () => {
    const read = (await api(host.url, "GET", "/v1/stream/wake/pool?offset=-1")).json();
    return read.length > 0 && read;
  });
  assert.equal(events[0].subscription_id, "builds");
  assert.equal(events[0].stream, "builds/web/42");

  const claim = await api(host.url, "POST", `${sub("builds")}/claim`, { worker: "worker-1" });
  assert.equal(claim.status, 200, claim.text);
  const wake = claim.json();
  const tail = link(wake, "builds/web/42").tail_offset;
  assert.equal(tail, offset('{"step":"compile"}\n'.length));
  await kill(host);
  const again = await startHost({ port, dir });

  const busy = await api(again.url, "POST", `${sub("builds")}/claim`, { worker: "worker-2" });
  assert.equal(busy.status, 409);
  assert.equal(busy.json().error.code, "ALREADY_CLAIMED");
  assert.equal(busy.json().error.current_holder, "worker-1");

  const ack = (token) => fetch(`${again.url}${sub("builds")}/ack`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      wake_id: wake.wake_id, generation: wake.generation,
      acks: [{ stream: "builds/web/42", offset: tail }], done: true,
    }),
  });
  const acked = await ack(wake.token);
  assert.equal(acked.status, 200);
  assert.deepEqual(await acked.json(), { ok: true, next_wake: false });
  const stale = await ack(wake.token);
  assert.equal(stale.status, 409);
  assert.equal((await stale.json()).error.code, "FENCED");
  const forged = await ack(wake.token.slice(0, -2) + "xx");
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).error.code, "TOKEN_INVALID");

  const state = (await api(again.url, "GET", sub("builds"))).json();
  assert.equal(link(state, "builds/web/42").acked_offset, tail);
  const idle = await api(again.url, "POST", `${sub("builds")}/claim`, { worker: "worker-2" });
  assert.equal(idle.status, 409);
  assert.equal(idle.json().error.code, "NO_PENDING_WORK");
});

test("a wake whose lease runs out is made again and the old token is fenced", async () => {
  const { host } = await newHost();
  await api(host.url, "PUT", "/v1/stream/queue", []);
  await api(host.url, "PUT", sub("slow"), {
    type: "pull-wake", streams: ["tasks"], wake_stream: "queue", lease_ttl_ms: 1000,
  });
  await api(host.url, "PUT", "/v1/stream/tasks", { task: 1 });
  await api(host.url, "POST", "/v1/stream/tasks", { task: 2 });
  const first = (await api(host.url, "POST", `${sub("slow")}/claim`, { worker: "a" })).json();
  await sleep(1500);  // worker a never answers
  const second = await api(host.url, "POST", `${sub("slow")}/claim`, { worker: "b" });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.json().generation, first.generation + 1);
  const late = await fetch(`${host.url}${sub("slow")}/release`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${first.token}` },
    body: JSON.stringify({ wake_id: first.wake_id, generation: first.generation }),
  });
  assert.equal(late.status, 409);
  const released = await fetch(`${host.url}${sub("slow")}/release`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${second.json().token}` },
    body: JSON.stringify({ wake_id: second.json().wake_id, generation: second.json().generation }),
  });
  assert.equal(released.status, 204);
  // Released unacknowledged: the data is still pending, so a wake is made again.
  const third = await api(host.url, "POST", `${sub("slow")}/claim`, { worker: "c" });
  assert.equal(third.status, 200);
  assert.equal(third.json().generation, first.generation + 2);
});

test("management needs an API key, callbacks the wake's token; links use --public-url; bad requests are refused", async () => {
  const { dir, host } = await newHost(["--auth", "on", "--public-url", "https://scribe.example/"]);
  const secret = execFileSync(join(BUILD, "bin/scribectl"),
    ["keys", "create", "--db", join(dir, "scribe.db"), "--name", "consumer"]).toString()
    .match(/sk_scribe_\w+/)[0];
  const call = (method, path, body, headers = {}) => fetch(host.url + path, {
    method, headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const keyed = { authorization: `Bearer ${secret}` };

  assert.equal((await call("GET", sub("x"))).status, 401);
  assert.equal((await call("GET", "/v1/stream/__ds/jwks.json")).status, 200);  // public
  assert.equal((await call("GET", sub("x"), undefined, keyed)).status, 404);
  for (const bad of [
    { type: "email", pattern: "a/*" },
    { type: "webhook", pattern: "a/*" },
    { type: "webhook", streams: [1], webhook: { url: "http://127.0.0.1:1/h" } },
    { type: "pull-wake", pattern: "a/*" },
    { type: "pull-wake", pattern: "a/*", wake_stream: "w", lease_ttl_ms: 5 },
    { type: "webhook", webhook: { url: "http://127.0.0.1:1/h" } },
  ]) {
    const refused = await call("PUT", sub("x"), bad, keyed);
    assert.equal(refused.status, 400, JSON.stringify(bad));
    assert.equal((await refused.json()).error.code, "INVALID_REQUEST");
  }
  for (const url of ["http://example.com/h", "https://192.168.1.9/h", "https://[::1]/h",
                     "ftp://127.0.0.1/h"]) {
    const refused = await call("PUT", sub("x"),
      { type: "webhook", pattern: "a/*", webhook: { url } }, keyed);
    assert.equal((await refused.json()).error.code, "WEBHOOK_URL_REJECTED", url);
  }
  assert.equal((await call("PUT", "/v1/stream/__ds/mine", undefined, keyed)).status, 404);

  const settings = { type: "webhook", streams: ["inbox"], webhook: { url: "http://127.0.0.1:1/h" } };
  const made = await call("PUT", sub("mail"), settings, keyed);
  assert.equal(made.status, 201);
  // The links it hands out use --public-url, not the listen address.
  assert.equal((await made.json()).webhook.signing.jwks_url,
    "https://scribe.example/v1/stream/__ds/jwks.json");
  const other = await call("PUT", sub("mail"), { ...settings, streams: ["other"] }, keyed);
  assert.equal(other.status, 409);
  assert.equal((await other.json()).error.code, "SUBSCRIPTION_ALREADY_EXISTS");

  // A stream that is deleted leaves every subscription.
  await call("PUT", "/v1/stream/inbox", undefined, { ...keyed, "content-type": "text/plain" });
  assert.equal((await call("DELETE", "/v1/stream/inbox", undefined, keyed)).status, 204);
  await until("the deleted stream to leave", async () =>
    (await (await call("GET", sub("mail"), undefined, keyed)).json()).streams.length === 0);

  // The callback is checked against the wake's token, not against API keys.
  const noToken = await call("POST", `${sub("mail")}/callback`, { wake_id: "w", generation: 1 });
  assert.equal(noToken.status, 401);
  assert.equal((await noToken.json()).error.code, "TOKEN_INVALID");
  const apiKeyIsNoToken = await call("POST", `${sub("mail")}/callback`,
    { wake_id: "w", generation: 1 }, keyed);
  assert.equal((await apiKeyIsNoToken.json()).error.code, "TOKEN_INVALID");
  assert.equal((await call("DELETE", sub("mail"), undefined, keyed)).status, 204);
  assert.equal((await call("GET", sub("mail"), undefined, keyed)).status, 404);
});
