import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import type {
  FundEvent,
  FundSummary,
  FundVersion,
  GetFundMetricsResponse,
  UploadProblem,
  UploadWorkbookStreamResponse,
  WeeklyRow,
} from "@portal/api/funds/v1/funds";
import { UploadStatus, UploadWorkbookStreamResponseSchema } from "@portal/api/funds/v1/funds";
import { clients, csrfToken, isFinalError, isUnauthenticated, userMessage } from "./api.js";
import { lineChart } from "./chart.js";
import { h, percent, row, when } from "./dom.js";
import type { ViewContext } from "./runs.js";

/** The gateway's streamed upload route and template download (services/gateway upload-routes). */
const UPLOAD_PATH = "/api/uploads/workbook";
const TEMPLATE_PATH = "/api/uploads/workbook-template";
/** The funds service's limit on a workbook: 50 MB. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Key metrics are read for at most this many funds of the list (one call per fund). */
const METRICS_FOR = 50;

const shortHash = (hash: string) => hash.slice(0, 12);

/** A ratio as "1.25x"; absent as an em dash. */
const multiple = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(2)}x`;
/** An annual rate as a percentage with one decimal (negative allowed). */
const rate = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "—" : `${(v * 100).toFixed(1)}%`;
const ratio = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(2);

function showError(el: HTMLElement, message: string | undefined): void {
  el.textContent = message ?? "";
  el.hidden = !message;
}

function internalLink(href: string, text: string, go: (p: string) => void, attrs = {}) {
  const a = h("a", { href, ...attrs }, text);
  a.addEventListener("click", (e) => {
    e.preventDefault();
    go(href);
  });
  return a;
}

function headerRow(titles: string[]): HTMLTableSectionElement {
  return h("thead", {}, h("tr", {}, ...titles.map((t) => h("th", { scope: "col" }, t))));
}

/** What the upload route answered: the RPC's response, or a refusal. */
type UploadAnswer =
  | { ok: true; status: number; result: UploadWorkbookStreamResponse }
  | { ok: false; status: number; error: string; result?: UploadWorkbookStreamResponse };

/**
 * Sends `file` to the gateway's streamed upload route with XMLHttpRequest, which reports the
 * upload's progress; the body is the file itself (the browser reads it from disk as it sends).
 */
function sendWorkbook(
  file: File,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<UploadAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${UPLOAD_PATH}?filename=${encodeURIComponent(file.name)}`);
    const token = csrfToken();
    if (token) xhr.setRequestHeader("x-csrf-token", token);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {}
      const error = typeof body.error === "string" ? body.error : `HTTP ${xhr.status}`;
      let result: UploadWorkbookStreamResponse | undefined;
      if (typeof body.status === "string") {
        const { error: _e, code: _c, ...rest } = body;
        result = fromJson(UploadWorkbookStreamResponseSchema, rest as JsonValue, {
          ignoreUnknownFields: true,
        });
      }
      if (xhr.status === 200 && result) resolve({ ok: true, status: 200, result });
      else resolve({ ok: false, status: xhr.status, error, ...(result ? { result } : {}) });
    });
    const failed = () =>
      resolve({ ok: false, status: 0, error: "the upload did not reach the portal; try again" });
    xhr.addEventListener("error", failed);
    xhr.addEventListener("abort", () =>
      resolve({ ok: false, status: 0, error: "the upload was cancelled" }),
    );
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** The problems of a rejected upload, one row each: sheet, row, column, what is wrong. */
function problemsTable(problems: UploadProblem[]): HTMLTableElement {
  return h(
    "table",
    { id: "upload-problems" },
    h(
      "caption",
      {},
      `${problems.length} problem${problems.length === 1 ? "" : "s"} found; nothing was stored`,
    ),
    headerRow(["Sheet", "Row", "Column", "Problem"]),
    h(
      "tbody",
      {},
      ...problems.map((p) => {
        const tr = row([p.sheet, p.row ? String(p.row) : "", p.column, p.message]);
        tr.dataset.row = String(p.row);
        tr.dataset.column = p.column;
        return tr;
      }),
    ),
  );
}

/** The upload form: a file, a progress bar while it is sent, and what the portal made of it. */
function uploadForm(ctx: ViewContext, uploaded: () => void): HTMLElement {
  const input = h("input", {
    id: "upload-file",
    name: "file",
    type: "file",
    required: true,
    accept: ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "aria-describedby": "upload-help",
  });
  const submit = h("button", { type: "submit", id: "upload-submit" }, "Upload");
  const progress = h("progress", {
    id: "upload-progress",
    max: 1,
    value: 0,
    "aria-label": "Upload progress",
  });
  const progressText = h("span", { class: "progress-text", "aria-hidden": "true" }, "0%");
  const progressWrap = h("p", { class: "progress", hidden: true }, progress, progressText);
  const status = h("p", { id: "upload-status", role: "status" });
  const error = h("p", { class: "error", role: "alert", id: "upload-error", hidden: true });
  const problems = h("div", { id: "upload-problems-region" });
  const form = h(
    "form",
    { id: "upload-form", "aria-labelledby": "upload-title" },
    h("p", {}, h("label", { for: "upload-file" }, "Workbook "), input),
    h(
      "p",
      { id: "upload-help", class: "help" },
      "An .xlsx or .csv file of at most 50 MB in the template's layout; its type is told by its content.",
    ),
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = input.files?.[0];
    showError(error, undefined);
    problems.replaceChildren();
    status.textContent = "";
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      showError(
        error,
        `${file.name} is ${file.size} bytes; the limit is ${MAX_UPLOAD_BYTES} (50 MB). Split it into smaller files.`,
      );
      return;
    }
    submit.disabled = true;
    progressWrap.hidden = false;
    const setProgress = (f: number) => {
      progress.value = f;
      progressText.textContent = percent(f);
    };
    setProgress(0);
    status.textContent = `Uploading ${file.name}…`;
    const answer = await sendWorkbook(file, setProgress, ctx.signal);
    submit.disabled = false;
    if (ctx.signal.aborted) return;
    if (answer.ok) {
      setProgress(1);
      const funds = answer.result.funds;
      status.textContent = `${file.name} was stored: ${funds
        .map((f) => `${f.name} (version ${f.versionNumber}${f.isNew ? "" : ", unchanged"})`)
        .join(", ")}.`;
      form.dataset.uploaded = answer.result.uploadId;
      input.value = "";
      uploaded();
      return;
    }
    status.textContent = "";
    if (answer.status === 401) {
      ctx.signedOut();
      return;
    }
    const list = answer.result?.status === UploadStatus.REJECTED ? answer.result.problems : [];
    if (list.length > 0 && answer.status === 422) {
      showError(error, `${file.name} was not stored: ${answer.error}.`);
      problems.replaceChildren(problemsTable(list));
    } else {
      showError(error, `${file.name} was not stored: ${answer.error}`);
    }
  });
  return h(
    "section",
    { "aria-labelledby": "upload-title", class: "upload" },
    h("h3", { id: "upload-title" }, "Upload fund data"),
    h(
      "p",
      {},
      h(
        "a",
        { href: TEMPLATE_PATH, id: "template-link", download: "portal-upload-template.xlsx" },
        "Download the workbook template (.xlsx)",
      ),
      " — one row per fund per date: Fund, Date, Contribution, Distribution, GP NAV.",
    ),
    form,
    progressWrap,
    status,
    error,
    problems,
  );
}

/** The organisation's funds with their latest version and key metrics, and the upload form. */
export function fundsView(container: HTMLElement, ctx: ViewContext, canUpload: boolean): void {
  const { signal, go, signedOut } = ctx;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const summary = h("p", { role: "status", id: "funds-summary" }, "Loading funds…");
  const body = h("tbody");
  const table = h(
    "table",
    { id: "funds-table", hidden: true },
    h("caption", { class: "visually-hidden" }, "Funds of your organisation, by name"),
    headerRow(["Fund", "File", "Latest version", "Weeks", "TVPI", "DPI", "IRR"]),
    body,
  );
  container.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "funds-title" },
      h("h2", { id: "funds-title" }, "Funds"),
      error,
      summary,
      table,
    ),
    canUpload
      ? uploadForm(ctx, () => void load())
      : h(
          "p",
          {},
          "Uploading fund data needs the member role. ",
          h("a", { href: TEMPLATE_PATH, download: "portal-upload-template.xlsx" }, "Template"),
        ),
  );

  async function metricsCells(tr: HTMLTableRowElement, f: FundSummary): Promise<void> {
    try {
      const m = await clients.funds.getFundMetrics(
        { fundIdentityHash: f.fundIdentityHash, versionNumber: 0 },
        { signal },
      );
      const cells = tr.cells;
      if (cells[4]) cells[4].textContent = multiple(m.tvpi);
      if (cells[5]) cells[5].textContent = multiple(m.dpi);
      if (cells[6]) cells[6].textContent = m.irr === undefined ? "—" : rate(m.irr);
    } catch {
      // The list stays useful without a fund's metrics; its page says why.
      for (const i of [4, 5, 6]) if (tr.cells[i]) (tr.cells[i] as HTMLElement).textContent = "—";
    }
  }

  async function load(): Promise<void> {
    try {
      const funds: FundSummary[] = [];
      let token = "";
      do {
        const res = await clients.funds.listFunds({ pageSize: 500, pageToken: token }, { signal });
        funds.push(...res.funds);
        token = res.nextPageToken;
      } while (token && funds.length < 5000);
      if (signal.aborted) return;
      const rows = funds.map((f) => {
        const href = `/funds/${f.fundIdentityHash}`;
        const tr = row([
          internalLink(href, f.name, go, { "data-fund-id": f.fundIdentityHash }),
          f.filename,
          h("span", { class: "version" }, String(f.latestVersion)),
          `${f.firstWeek} to ${f.lastWeek}`,
          "…",
          "…",
          "…",
        ]);
        tr.dataset.fundId = f.fundIdentityHash;
        tr.dataset.version = String(f.latestVersion);
        return tr;
      });
      body.replaceChildren(...rows);
      table.hidden = funds.length === 0;
      summary.textContent =
        funds.length === 0
          ? "No funds yet: upload a workbook below."
          : `${funds.length} fund${funds.length === 1 ? "" : "s"}`;
      showError(error, undefined);
      // Beyond the first funds, the metrics are on each fund's page.
      for (const tr of rows.slice(METRICS_FOR))
        for (const i of [4, 5, 6]) if (tr.cells[i]) (tr.cells[i] as HTMLElement).textContent = "—";
      await Promise.all(
        funds.slice(0, METRICS_FOR).map((f, i) => metricsCells(rows[i] as HTMLTableRowElement, f)),
      );
    } catch (err) {
      if (signal.aborted) return;
      if (isUnauthenticated(err)) signedOut();
      summary.textContent = "";
      showError(error, `Could not load the funds: ${userMessage(err)}`);
    }
  }
  void load();
}

/** The canonical weekly series as cumulative flows and the GP's NAVs over time. */
function seriesChart(rows: WeeklyRow[]): SVGSVGElement {
  let contributed = 0;
  let distributed = 0;
  const contributions: { x: number; y: number }[] = [];
  const distributions: { x: number; y: number }[] = [];
  const navs: { x: number; y: number }[] = [];
  for (const r of rows) {
    const x = Date.parse(`${r.week}T00:00:00Z`);
    contributed += r.contribution;
    distributed += r.distribution;
    contributions.push({ x, y: contributed });
    distributions.push({ x, y: distributed });
    if (r.nav !== undefined) navs.push({ x, y: r.nav });
  }
  const lastNav = navs[navs.length - 1];
  return lineChart(
    [
      { name: "Cumulative contributions", points: contributions },
      { name: "Cumulative distributions", points: distributions },
      { name: "GP NAV", points: navs },
    ],
    {
      id: "fund-chart",
      title: "Cash flows and GP NAV by week",
      description: `${rows.length} weeks from ${rows[0]?.week ?? "–"} to ${
        rows[rows.length - 1]?.week ?? "–"
      }: ${contributed.toLocaleString()} contributed, ${distributed.toLocaleString()} distributed${
        lastNav ? `, latest GP NAV ${lastNav.y.toLocaleString()}` : ", no NAV reported"
      }.`,
    },
  );
}

function metricsList(m: GetFundMetricsResponse): HTMLElement {
  const fact = (k: string, v: string, key: string) => [
    h("dt", {}, k),
    h("dd", { "data-metric": key }, v),
  ];
  return h(
    "dl",
    { class: "facts", id: "fund-metrics" },
    ...fact("Valuation date", m.valuationDate, "valuation_date"),
    ...fact("IRR", m.irr === undefined ? `— (${m.irrUnavailable})` : rate(m.irr), "irr"),
    ...fact("TVPI", multiple(m.tvpi), "tvpi"),
    ...fact("DPI", multiple(m.dpi), "dpi"),
    ...fact("RVPI", multiple(m.rvpi), "rvpi"),
    ...fact("KS-PME", m.ksPme === undefined ? `— (${m.pmeUnavailable})` : ratio(m.ksPme), "ks_pme"),
    ...fact(
      "Direct Alpha (ln(1+b) per year)",
      m.directAlpha === undefined ? `— (${m.pmeUnavailable})` : rate(m.directAlpha),
      "direct_alpha",
    ),
    ...(m.flowsAfterValuation
      ? fact(
          "Flows after the valuation date",
          `${m.flowsAfterValuation} (left out)`,
          "flows_after_valuation",
        )
      : []),
  );
}

function versionsTable(versions: FundVersion[]): HTMLTableElement {
  return h(
    "table",
    { id: "fund-versions" },
    h("caption", { class: "visually-hidden" }, "Data versions of the fund, oldest first"),
    headerRow(["Version", "Data hash", "Weeks", "First week", "Last week", "Stored"]),
    h(
      "tbody",
      {},
      ...versions.map((v) => {
        const tr = row([
          String(v.versionNumber),
          h("code", { title: v.dataHash }, shortHash(v.dataHash)),
          String(v.weeks),
          v.firstWeek,
          v.lastWeek,
          when(v.createdAt),
        ]);
        tr.dataset.version = String(v.versionNumber);
        return tr;
      }),
    ),
  );
}

const EVENT_NAMES: Record<string, string> = {
  created: "created",
  new_version: "new version",
  same_data: "same data uploaded again",
  renamed: "renamed",
  rename_ambiguous: "rename not guessed",
  market_config: "market config set",
  evergreen_member: "joined an evergreen fund",
};

function eventDetail(json: string): string {
  try {
    const d = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(d)
      .filter(([, v]) => v !== null && typeof v !== "object")
      .map(
        ([k, v]) =>
          `${k}: ${typeof v === "string" && /^[0-9a-f]{64}$/.test(v) ? shortHash(v) : String(v)}`,
      )
      .join(", ");
  } catch {
    return json;
  }
}

function eventsTable(events: FundEvent[]): HTMLTableElement {
  return h(
    "table",
    { id: "fund-events" },
    h("caption", { class: "visually-hidden" }, "What happened to the fund, oldest first"),
    headerRow(["When", "What", "Detail"]),
    h(
      "tbody",
      {},
      ...events.map((e) => {
        const tr = row([
          when(e.createdAt),
          EVENT_NAMES[e.kind] ?? e.kind,
          eventDetail(e.detailJson),
        ]);
        tr.dataset.kind = e.kind;
        return tr;
      }),
    ),
  );
}

/** One fund: its metrics, a chart of its weekly series, its versions and its events. */
export function fundView(container: HTMLElement, hash: string, ctx: ViewContext): void {
  const { signal, go, signedOut } = ctx;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const title = h("h2", { id: "fund-title" }, `Fund ${shortHash(hash)}`);
  const state = h("p", { role: "status", id: "fund-state" }, "Loading the fund…");
  const facts = h("dl", { class: "facts", id: "fund-facts" });
  const metrics = h("div", { id: "fund-metrics-region" });
  const chart = h("figure", { id: "fund-chart-region", class: "chart-figure" });
  const versions = h("div", { id: "fund-versions-region" });
  const events = h("div", { id: "fund-events-region" });
  container.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "fund-title" },
      h("p", {}, internalLink("/funds", "← All funds", go)),
      title,
      error,
      state,
      facts,
      h("h3", { id: "metrics-title" }, "Performance"),
      metrics,
      h("h3", { id: "chart-title" }, "Weekly series"),
      chart,
      h("h3", { id: "versions-title" }, "Versions"),
      versions,
      h("h3", { id: "events-title" }, "History"),
      events,
    ),
  );

  void (async () => {
    try {
      const [v, ev] = await Promise.all([
        clients.funds.listFundVersions({ fundIdentityHash: hash }, { signal }),
        clients.funds.listFundEvents({ fundIdentityHash: hash }, { signal }),
      ]);
      if (signal.aborted) return;
      title.textContent = v.name;
      const latest = v.versions[v.versions.length - 1];
      const fact = (k: string, val: string | Node) => [h("dt", {}, k), h("dd", {}, val)];
      facts.replaceChildren(
        ...fact("File", v.filename),
        ...fact(
          "Identity",
          h("code", { title: v.fundIdentityHash }, shortHash(v.fundIdentityHash)),
        ),
        ...fact("Latest version", String(latest?.versionNumber ?? "none")),
        ...(v.previousIdentityHashes.length
          ? fact("Earlier identities", v.previousIdentityHashes.map(shortHash).join(", "))
          : []),
      );
      versions.replaceChildren(versionsTable(v.versions));
      events.replaceChildren(eventsTable(ev.events));
      container.dataset.fundVersions = String(v.versions.length);
      state.textContent = "";
      state.hidden = true;
      showError(error, undefined);
    } catch (err) {
      if (signal.aborted) return;
      state.textContent = "";
      if (isUnauthenticated(err)) signedOut();
      showError(error, `Could not load the fund: ${userMessage(err)}`);
      if (isFinalError(err)) return;
    }
    const [series, m] = await Promise.allSettled([
      clients.funds.getFundSeries({ fundIdentityHash: hash, versionNumber: 0 }, { signal }),
      clients.funds.getFundMetrics({ fundIdentityHash: hash, versionNumber: 0 }, { signal }),
    ]);
    if (signal.aborted) return;
    if (series.status === "fulfilled") {
      chart.replaceChildren(
        seriesChart(series.value.rows),
        h(
          "figcaption",
          {},
          `Version ${series.value.version?.versionNumber ?? ""}: cumulative contributions and distributions, and the GP's reported NAV, week by week.`,
        ),
      );
    } else {
      chart.replaceChildren(
        h("p", { class: "error" }, `Could not load the series: ${userMessage(series.reason)}`),
      );
    }
    metrics.replaceChildren(
      m.status === "fulfilled"
        ? metricsList(m.value)
        : h("p", { class: "error" }, `Could not compute the metrics: ${userMessage(m.reason)}`),
    );
  })();
}
