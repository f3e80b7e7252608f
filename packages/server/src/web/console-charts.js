// @ts-check
/* global document */
// The console's charts: SVG drawn here from numbers, nothing loaded from elsewhere, so they live
// under the same strict Content-Security-Policy as the rest of the console.

const NS = "http://www.w3.org/2000/svg";

/** @typedef {import("./api-client.js").AnswerTo<"/api/v1/orgs/{orgId}/oauth-providers/{name}/health", "get">["series"]} Series */

/** @param {string} tag @param {Record<string, string | number>} attributes @param {string} [text] */
function svgElement(tag, attributes, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Failures by reason as horizontal bars, largest first. */
export function failureChart(/** @type {[reason: string, count: number][]} */ reasons) {
  const max = Math.max(...reasons.map(([, n]) => n));
  const svg = svgElement("svg", {
    width: 520,
    height: reasons.length * 24,
    role: "img",
    class: "reasons",
    "aria-label": reasons.map(([reason, n]) => `${reason}: ${n}`).join(", "),
  });
  reasons.forEach(([reason, n], i) => {
    svg.append(
      svgElement("text", { x: 0, y: i * 24 + 15 }, `${reason} (${n})`),
      svgElement("rect", { class: "bar", x: 230, y: i * 24 + 4, height: 14, width: Math.max(2, (280 * n) / max) }),
    );
  });
  return svg;
}

const WIDTH = 600;
const HEIGHT = 140;
const LEFT = 36;
const BOTTOM = 20;

/** @param {string} iso @param {boolean} withDate */
const timeOf = (iso, withDate) =>
  new Date(iso).toLocaleString(
    undefined,
    withDate ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" } : { hour: "2-digit", minute: "2-digit" },
  );

/**
 * Sign-in attempts over time, one column per bucket of `series` (oldest first): successes below,
 * failures stacked above them. Each column's title says its numbers; the whole chart's label sums them.
 */
export function timelineChart(/** @type {Series} */ series, /** @type {number} */ bucketSeconds) {
  const max = Math.max(1, ...series.map((b) => b.attempts));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - BOTTOM;
  const column = plotWidth / Math.max(1, series.length);
  const scale = (/** @type {number} */ n) => (plotHeight * n) / max;
  const total = series.reduce((sum, b) => ({ s: sum.s + b.successes, f: sum.f + b.failures }), { s: 0, f: 0 });
  const svg = svgElement("svg", {
    width: WIDTH,
    height: HEIGHT,
    role: "img",
    class: "timeline",
    "aria-label": `Sign-ins over time: ${total.s} succeeded, ${total.f} failed, in ${series.length} periods`,
  });
  svg.append(
    svgElement("line", { class: "axis", x1: LEFT, y1: plotHeight, x2: WIDTH, y2: plotHeight }),
    svgElement("text", { x: 0, y: 12 }, String(max)),
    svgElement("text", { x: 0, y: plotHeight }, "0"),
  );
  const withDate = bucketSeconds >= 3600;
  series.forEach((bucket, i) => {
    const x = LEFT + i * column + 1;
    const width = Math.max(1, column - 2);
    const group = svgElement("g", { "data-start": bucket.start });
    group.append(svgElement("title", {}, `${timeOf(bucket.start, withDate)}: ${bucket.successes} succeeded, ${bucket.failures} failed`));
    if (bucket.successes > 0) {
      group.append(svgElement("rect", { class: "ok", x, width, y: plotHeight - scale(bucket.successes), height: scale(bucket.successes) }));
    }
    if (bucket.failures > 0) {
      const top = plotHeight - scale(bucket.attempts);
      group.append(svgElement("rect", { class: "bar", x, width, y: top, height: scale(bucket.failures) }));
    }
    svg.append(group);
  });
  const [first, last] = [series[0], series.at(-1)];
  if (first && last) {
    svg.append(
      svgElement("text", { x: LEFT, y: HEIGHT - 4 }, timeOf(first.start, withDate)),
      svgElement("text", { x: WIDTH, y: HEIGHT - 4, "text-anchor": "end" }, timeOf(last.start, withDate)),
    );
  }
  return svg;
}
