// Starting Scribe's processes from Node tests: the real scribed on 127.0.0.1
// (and the fake provider server), each killed when the test file ends.
//
// Environment: SCRIBE_BUILD_DIR (build/), SCRIBE_SOURCE_DIR (the checkout).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BUILD = process.env.SCRIBE_BUILD_DIR;
export const SOURCE = process.env.SCRIBE_SOURCE_DIR;

const cleanups = [];
// Kills every process started here and removes their directories.
export async function cleanup() {
  for (const step of cleanups.splice(0).reverse()) await step();
}

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts a process and resolves with it once stdout shows `marker`.
export function startProcess(command, args, marker) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let seen = "";
    let log = "";
    child.stderr.on("data", (d) => { log += d; });
    child.stdout.on("data", (d) => {
      seen += d;
      const match = seen.match(marker);
      if (match) resolve({ child, match, log: () => log });
    });
    child.on("exit", (code) => reject(new Error(`${command} exited (${code}): ${seen} ${log}`)));
    setTimeout(() => reject(new Error(`${command} did not start: ${seen} ${log}`)), 15000);
  });
}

export async function startFake() {
  const fake = await startProcess("python3", [join(SOURCE, "tests/fakes/fake_llm.py"), "--port", "0"],
                                  /listening on (\d+)/);
  cleanups.push(() => fake.child.kill("SIGKILL"));
  return `http://127.0.0.1:${fake.match[1]}`;
}

// A scribed on `port` with its database in `dir` (so a restart on the same
// port and directory is the same host to its clients).
export async function startHost({ port, dir, args = [] }) {
  const host = await startProcess(join(BUILD, "bin/scribed"), [
    "--listen", `127.0.0.1:${port}`, "--db", join(dir, "scribe.db"), "--plugins", join(BUILD, "plugins"),
    "--auth", "off", ...args], /listening on (http:\/\/\S+)/);
  host.url = host.match[1];
  cleanups.push(() => host.child.kill("SIGKILL"));
  return host;
}

// A scribed on a free port with a fresh database.
export async function newHost(args = []) {
  const dir = mkdtempSync(join(tmpdir(), "scribe-node-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  return { dir, port, args, host: await startHost({ port, dir, args }) };
}

export async function api(base, method, path, body) {
  const response = await fetch(base + path, {
    method, headers: body ? { "Content-Type": "application/json" } : {}, body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

// Submits a job; its id.
export async function submit(base, body) {
  const response = await api(base, "POST", "/api/jobs", body);
  if (response.status !== 201) throw new Error(`submit: ${response.status} ${response.text}`);
  return response.json().id;
}
