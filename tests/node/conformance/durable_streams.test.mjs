// The Durable Streams conformance suite (@durable-streams/server-conformance-tests,
// pinned in package.json) against the scribed at $CONFORMANCE_TEST_URL.
// run.mjs starts that host and runs this file with vitest. Every test runs,
// the reserved subscription APIs (webhooks, pull-wake) included.
import { runConformanceTests } from "@durable-streams/server-conformance-tests";

runConformanceTests({ baseUrl: process.env.CONFORMANCE_TEST_URL, subscriptions: true });
