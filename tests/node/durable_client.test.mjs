// A Durable Streams client (@durable-streams/client, pinned in package.json)
// follows a running job's output at /api/jobs/{id}/stream to its end, live,
// across connections dropped mid-answer by a proxy on 127.0.0.1: what it
// receives is exactly the job's output, byte for byte.
//
// Environment: SCRIBE_BUILD_DIR (build/), SCRIBE_SOURCE_DIR (the checkout).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect } from "node:net";
import { stream } from "@durable-streams/client";
import { api, cleanup, newHost, submit } from "./scribed.mjs";

after(cleanup);

const DOC = "# Lighthouses\n\n" + Array.from({ length: 30 }, (_, i) =>
  `## Part ${i + 1}\n\nA lighthouse keeper ✓ trims the wick at dusk and logs the weather — ` +
  `«every light has its own rhythm», so ships can tell them apart.\n`).join("\n");

// A TCP proxy to `port` that cuts each of the first `cuts` connections once
// it has been open `afterMs` and passed `after` bytes of answer to the
// client. (A connection cut sooner looks like a buffering proxy to the
// client, which then gives up SSE for long-poll.)
async function droppingProxy(port, { cuts, after: limit, afterMs }) {
  const proxy = { cut: 0, connections: 0 };
  const server = createServer((client) => {
    proxy.connections++;
    const upstream = connect(port, "127.0.0.1");
    const cutThis = proxy.cut < cuts;
    const opened = Date.now();
    let passed = 0;
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      client.write(d);
      passed += d.length;
      if (cutThis && passed >= limit && Date.now() - opened >= afterMs && proxy.cut < cuts) {
        proxy.cut++;
        client.destroy();
        upstream.destroy();
      }
    });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  proxy.close = () => new Promise((resolve) => { server.close(resolve); });
  return proxy;
}

for (const live of ["sse", "long-poll"]) {
  test(`follows a running job to its end over ${live} across dropped connections`, async () => {
    const { host } = await newHost();
    const id = await submit(host.url, { content: DOC, params: { chunks_per_second: 150 } });
    const proxy = await droppingProxy(Number(new URL(host.url).port), { cuts: 2, after: 600, afterMs: 1200 });
    let received = "";
    const res = await stream({
      url: `${proxy.url}/api/jobs/${id}/stream`,
      offset: "-1",
      live,
      backoffOptions: { initialDelay: 50, maxDelay: 200 },
      onError: async () => ({}),  // retry from the last offset received
    });
    await new Promise((resolve, reject) => {
      res.subscribeText(async (chunk) => { received += chunk.text; });
      res.closed.then(resolve, reject);
    });
    await proxy.close();

    const job = (await api(host.url, "GET", `/api/jobs/${id}`)).json();
    assert.equal(job.state, "succeeded");
    const output = await api(host.url, "GET", `/api/jobs/${id}/output`);
    assert.ok(output.text.length > 2000, `a job long enough to cut: ${output.text.length}`);
    assert.equal(proxy.cut, 2, "the proxy cut two answers");
    assert.ok(proxy.connections > 2, "the client reconnected");
    assert.equal(received, output.text);
  });
}
