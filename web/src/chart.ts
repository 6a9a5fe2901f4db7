/**
 * A small inline SVG line chart: dates along x, amounts up y, one path per series, axes with a
 * few round ticks, and a legend. No chart library: the fund page needs lines over time, nothing
 * more. Built with createElementNS and textContent only.
 */

const SVG = "http://www.w3.org/2000/svg";

export interface Series {
  name: string;
  /** Points in date order: x as milliseconds since the epoch, y an amount. */
  points: { x: number; y: number }[];
}

export interface ChartOptions {
  id?: string;
  /** The chart's accessible name. */
  title: string;
  /** A sentence saying what the chart shows, for screen readers. */
  description: string;
  width?: number;
  height?: number;
}

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Round tick values spanning [lo, hi]: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  // From the step at or below lo to the step at or above hi, so that every point is inside.
  const from = Math.floor(lo / step);
  const to = Math.ceil(hi / step);
  const ticks: number[] = [];
  for (let i = from; i <= to; i++) ticks.push(i === 0 ? 0 : i * step);
  return ticks;
}

/** An amount in few characters: 1.2M, 350k, 12. */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

/** The line chart of `series`; series without points are listed in the legend only. */
export function lineChart(series: Series[], opts: ChartOptions): SVGSVGElement {
  const width = opts.width ?? 720;
  const height = opts.height ?? 320;
  const m = { top: 16, right: 16, bottom: 56, left: 64 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(1, ...ys));
  const y0 = yTicks[0] ?? 0;
  const y1 = yTicks[yTicks.length - 1] ?? 1;
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const py = (y: number) =>
    height - m.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);

  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    class: "chart",
  });
  if (opts.id) svg.id = opts.id;
  const titleId = `${opts.id ?? "chart"}-title`;
  const descId = `${opts.id ?? "chart"}-desc`;
  svg.setAttribute("aria-labelledby", `${titleId} ${descId}`);
  svg.append(
    el("title", { id: titleId }, opts.title),
    el("desc", { id: descId }, opts.description),
  );

  const axes = el("g", { class: "axes", "aria-hidden": "true" });
  for (const t of yTicks) {
    const y = py(t);
    axes.append(
      el("line", { class: "grid", x1: m.left, x2: width - m.right, y1: y, y2: y }),
      el("text", { x: m.left - 8, y: y + 4, "text-anchor": "end" }, compact(t)),
    );
  }
  // Years along x (or the first and last date when the series spans less than two years).
  const first = new Date(x0).getUTCFullYear();
  const last = new Date(x1).getUTCFullYear();
  const years: number[] = [];
  const every = Math.max(1, Math.ceil((last - first) / 8));
  for (let yr = first + 1; yr <= last; yr += every) years.push(Date.UTC(yr, 0, 1));
  const xTicks: [number, string][] =
    years.length >= 2
      ? years.map((t) => [t, String(new Date(t).getUTCFullYear())])
      : [x0, x1].map((t) => [t, new Date(t).toISOString().slice(0, 10)]);
  for (const [t, label] of xTicks) {
    const x = px(t);
    axes.append(
      el("line", { class: "tick", x1: x, x2: x, y1: height - m.bottom, y2: height - m.bottom + 5 }),
      // Labels near an edge are anchored inside the chart, so none is cut off.
      el(
        "text",
        {
          x,
          y: height - m.bottom + 18,
          "text-anchor": x > width - m.right - 40 ? "end" : x < m.left + 40 ? "start" : "middle",
        },
        label,
      ),
    );
  }
  axes.append(
    el("line", {
      class: "axis",
      x1: m.left,
      x2: width - m.right,
      y1: height - m.bottom,
      y2: height - m.bottom,
    }),
    el("line", { class: "axis", x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom }),
  );
  svg.append(axes);

  const lines = el("g", { class: "lines" });
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points
      .map((p, j) => `${j ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join("");
    lines.append(el("path", { class: `line series-${i}`, d, "data-series": s.name, fill: "none" }));
  });
  svg.append(lines);

  const legend = el("g", { class: "legend", "aria-hidden": "true" });
  let lx = m.left;
  series.forEach((s, i) => {
    const y = height - 14;
    legend.append(
      el("line", { class: `line series-${i}`, x1: lx, x2: lx + 18, y1: y - 4, y2: y - 4 }),
      el("text", { x: lx + 24, y }, s.points.length ? s.name : `${s.name} (none)`),
    );
    lx += 24 + 8 * s.name.length + 36;
  });
  svg.append(legend);
  return svg;
}
