// Runs the Durable Streams conformance suite (durable_streams.test.mjs, with
// vitest) against a real scribed on 127.0.0.1: a fresh database, no API keys,
// CORS open to any origin (the suite checks preflights) and a 500 ms
// long-poll timeout (its long-poll tests expect answers within seconds).
// Exits with vitest's status: any failed test fails the run.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, newHost } from "../scribed.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { host } = await newHost(["--cors-origins", "*", "--long-poll-timeout-ms", "500"]);
const vitest = spawn(process.execPath,
  [join(here, "../node_modules/vitest/vitest.mjs"), "run", "--dir", here, ...process.argv.slice(2)],
  { stdio: "inherit", env: { ...process.env, CONFORMANCE_TEST_URL: host.url } });
const status = await new Promise((resolve) => vitest.on("exit", (code) => resolve(code ?? 1)));
if (status !== 0) console.error("scribed's log:\n" + host.log());
await cleanup();
process.exit(status);
