// The Durable Streams conformance suite (@durable-streams/server-conformance-tests,
// pinned in package.json) against the scribed at $CONFORMANCE_TEST_URL.
// run_conformance.mjs starts that host and runs this file with vitest.
import { runConformanceTests } from "@durable-streams/server-conformance-tests";

runConformanceTests({ baseUrl: process.env.CONFORMANCE_TEST_URL });
