/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time within a window,
 * so a profile of a whole process run can speak about one load round only.
 */
import { readFileSync } from "node:fs";
import { REPO_ROOT } from "./processes.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly share: number;
}

/** Where a frame's code lives: the npm package, the service, a node: module, or the runtime. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native)";
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = path.slice(modules + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith(`${REPO_ROOT}/packages/`))
    return `${path
      .slice(REPO_ROOT.length + 1)
      .split("/")
      .slice(0, 2)
      .join("/")} (this repository)`;
  if (path.startsWith("node:"))
    return `node:${path
      .slice(5)
      .split("/")
      .slice(0, path.startsWith("node:internal/deps/") ? 3 : 2)
      .join("/")}`;
  return path;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) return path.slice(modules + "/node_modules/".length);
  return path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : path;
}

/**
 * The `top` functions by self time among samples taken between `fromMs` and `toMs` after the
 * profile started, as shares of the busy (non-idle) samples; `idle` is the idle share.
 */
export function topSelfTime(
  file: string,
  fromMs: number,
  toMs: number,
  top = 10,
): { busySamples: number; idle: number; entries: SelfTime[]; areas: { area: string; share: number }[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, { name: string; where: string; n: number }>();
  const areas = new Map<string, number>();
  let t = profile.startTime;
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const ms = (t - profile.startTime) / 1000;
    if (ms < fromMs || ms > toMs) continue;
    const frame = byId.get(profile.samples[i]!)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === "(idle)") {
      idle++;
      continue;
    }
    busy++;
    const name = frame.functionName || "(anonymous)";
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${name} ${where}`;
    const entry = counts.get(key) ?? { name, where, n: 0 };
    entry.n++;
    counts.set(key, entry);
    const area = areaOf(frame.url, name);
    areas.set(area, (areas.get(area) ?? 0) + 1);
  }
  const entries = [...counts.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, share: e.n / Math.max(1, busy) }));
  return {
    busySamples: busy,
    idle: idle / Math.max(1, busy + idle),
    entries,
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, n]) => ({ area, share: n / Math.max(1, busy) })),
  };
}
