#!/usr/bin/env node
// The entry point of `npm start`, `npm test` and `npm run cli`. Plain JavaScript on purpose:
// any Node >= 18 parses it, so an old Node is told what is wrong in one line instead of
// failing on a `.ts` file. It then makes sure of two things before running the task:
//   1. a Node that runs the project (>= 22.18, for type stripping and node:sqlite): the one
//      running, else `.tools/node_modules/node/bin/node`, else Node 24 installed there once
//      from the npm registry (as .ci/run does; PIPESHUB_AUTH_INSTALL_NODE=0 stops that);
//   2. dependencies installed from the lockfile (`npm ci`) when node_modules is missing or
//      older than package-lock.json.
// Usage: node scripts/launch.mjs start|test|cli [arguments…]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync, utimesSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const MINIMUM_NODE = [22, 18];
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const TOOLS_NODE = join(ROOT, ".tools", "node_modules", "node", "bin", process.platform === "win32" ? "node.exe" : "node");
const INSTALL_COMMAND = "npm install --prefix .tools node@24";

const TASKS = {
  start: join(ROOT, "packages/server/src/main.ts"),
  cli: join(ROOT, "packages/cli/src/main.ts"),
  test: join(ROOT, "scripts/run-tests.mjs"),
};

/** Whether `version` ("v22.18.0" or "22.18.0") is at least MINIMUM_NODE. */
export function isSupportedNode(version) {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
}

function versionOf(nodePath) {
  const probe = spawnSync(nodePath, ["-p", "process.version"], { encoding: "utf8" });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

function fail(line) {
  console.error(line);
  process.exit(1);
}

/** A Node binary that runs the project, installing Node 24 into .tools when allowed. */
function supportedNode() {
  if (isSupportedNode(process.version)) return process.execPath;
  const tools = existsSync(TOOLS_NODE) ? versionOf(TOOLS_NODE) : undefined;
  if (tools && isSupportedNode(tools)) return TOOLS_NODE;
  const need = `pipeshub-auth needs Node.js >= ${MINIMUM_NODE.join(".")} and this is ${process.version}`;
  if (process.env.PIPESHUB_AUTH_INSTALL_NODE === "0") fail(`${need}: install Node 24, or run \`${INSTALL_COMMAND}\` here.`);
  console.error(`${need}: installing Node 24 into .tools once (${INSTALL_COMMAND}; PIPESHUB_AUTH_INSTALL_NODE=0 turns this off)…`);
  const install = spawnSync(
    "npm",
    ["install", "--prefix", ".tools", "node@24", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      shell: process.platform === "win32",
    },
  );
  const installed = install.status === 0 && existsSync(TOOLS_NODE) ? versionOf(TOOLS_NODE) : undefined;
  if (!installed || !isSupportedNode(installed))
    fail(`${need} and Node 24 could not be installed: run \`${INSTALL_COMMAND}\` or install Node 24.`);
  return TOOLS_NODE;
}

/** The same command under another Node; its exit code becomes ours, signals are passed on. */
function rerunWith(nodePath) {
  const env = { ...process.env, PATH: `${dirname(nodePath)}${delimiter}${process.env.PATH ?? ""}` };
  const child = spawn(nodePath, process.argv.slice(1), { stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : undefined;
}

/** `npm ci` when node_modules is missing or older than the lockfile. */
function installDependencies() {
  const lockfile = join(ROOT, "package-lock.json");
  const installed = join(ROOT, "node_modules", ".package-lock.json");
  const installedAt = mtime(installed);
  if (installedAt !== undefined && installedAt >= (mtime(lockfile) ?? 0)) return;
  console.error(
    installedAt === undefined ? "Installing dependencies (npm ci)…" : "package-lock.json changed: reinstalling dependencies (npm ci)…",
  );
  const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: ROOT,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (ci.status !== 0) fail("pipeshub-auth: `npm ci` failed (see above); fix that, then try again.");
  // npm may write the lockfile after its hidden copy; mark the install as current either way.
  if (existsSync(installed)) utimesSync(installed, new Date(), new Date());
}

/**
 * The CLI imports the SDK by its package name, `pipeshub`, whose package.json serves its
 * TypeScript source under the "pipeshub-source" condition: turned on here, so a fresh clone runs
 * the CLI right after `npm ci`, with no SDK build (the published package serves dist/).
 */
async function serveSdkSource() {
  const { registerHooks } = await import("node:module");
  registerHooks({
    resolve: (specifier, context, nextResolve) =>
      nextResolve(specifier, { ...context, conditions: [...context.conditions, "pipeshub-source"] }),
  });
}

/** Runs `task` ("start", "test" or "cli") with `args` under a supported Node. */
export async function launch(task, args) {
  const entry = TASKS[task];
  if (!entry) fail(`usage: node scripts/launch.mjs ${Object.keys(TASKS).join("|")} [arguments…]`);
  const node = supportedNode();
  if (node !== process.execPath) return rerunWith(node);
  // Child processes (npm scripts, spawned services) find this same Node first.
  process.env.PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`;
  installDependencies();
  process.argv = [process.argv[0], entry, ...args];
  await serveSdkSource();
  await import(pathToFileURL(entry).href);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await launch(process.argv[2], process.argv.slice(3));
