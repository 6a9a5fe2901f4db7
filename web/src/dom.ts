/** Small DOM helpers: elements are built with textContent only, never from HTML strings. */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (`class`, `for`, aria-*, data-*, …) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A table row of text cells. */
export function row(cells: (string | Node)[]): HTMLTableRowElement {
  return h("tr", {}, ...cells.map((c) => h("td", {}, c)));
}

/** "2026-11-26T01:02:03Z" as the user's local date and time; empty stays empty. */
export function when(rfc3339: string): string {
  if (!rfc3339) return "";
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : d.toLocaleString();
}

/** A fraction 0-1 as a whole percentage. */
export function percent(fraction: number): string {
  const p = Math.min(1, Math.max(0, fraction)) * 100;
  return p > 0 && p < 1 ? `${p.toFixed(1)}%` : `${Math.floor(p)}%`;
}

/** A labelled progress bar with its percentage as text beside it. */
export function progressBar(fraction: number, label: string, id?: string): HTMLElement {
  const value = Math.min(1, Math.max(0, fraction));
  return h(
    "span",
    { class: "progress" },
    h("progress", { id, max: 1, value: value.toFixed(4), "aria-label": label }),
    h("span", { class: "progress-text", "aria-hidden": "true" }, percent(value)),
  );
}
