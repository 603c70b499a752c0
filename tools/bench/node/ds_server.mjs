// The Durable Streams reference server (@durable-streams/server, pinned in
// package.json), in memory, on 127.0.0.1:<port> (argv[2]): a peer for
// Scribe's benchmarks. Prints "listening on <url>" once it serves.
import { DurableStreamTestServer } from "@durable-streams/server";

const port = Number(process.argv[2] ?? 4437);
const server = new DurableStreamTestServer({ port, host: "127.0.0.1", compression: false });
await server.start();
console.log(`listening on http://127.0.0.1:${port}`);
process.on("SIGTERM", async () => {
  await server.stop();
  process.exit(0);
});
