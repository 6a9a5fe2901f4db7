import type { Run, RunLogLine, RunTask } from "@portal/api/runs/v1/runs";
import { RunStatus, TaskStatus } from "@portal/api/runs/v1/runs";
import { clients, isFinalError, isUnauthenticated, userMessage } from "./api.js";
import { h, progressBar, row, when } from "./dom.js";

/** How often an open page asks for news of a run that is still going. */
const POLL_MS = 1000;
/** After a run ends, the log is read this many more times: lines may land just after the status. */
const TRAILING_POLLS = 2;
const LOG_PAGE = 500;

const RUN_STATUS: Record<RunStatus, string> = {
  [RunStatus.UNSPECIFIED]: "unknown",
  [RunStatus.PENDING]: "pending",
  [RunStatus.RUNNING]: "running",
  [RunStatus.FINALIZING]: "finalizing",
  [RunStatus.COMPLETED]: "completed",
  [RunStatus.FAILED]: "failed",
  [RunStatus.CANCELLED]: "cancelled",
};
const TASK_STATUS: Record<TaskStatus, string> = {
  [TaskStatus.UNSPECIFIED]: "unknown",
  [TaskStatus.QUEUED]: "queued",
  [TaskStatus.RUNNING]: "running",
  [TaskStatus.SUCCEEDED]: "succeeded",
  [TaskStatus.FAILED]: "failed",
  [TaskStatus.CANCELLED]: "cancelled",
};

export const runStatusName = (s: RunStatus): string => RUN_STATUS[s] ?? "unknown";
const isActive = (s: RunStatus) =>
  s === RunStatus.PENDING || s === RunStatus.RUNNING || s === RunStatus.FINALIZING;
const shortId = (id: string) => id.slice(0, 8);
const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** A task's share of the work done: a finished task counts whole. */
function taskFraction(t: RunTask): number {
  return t.status === TaskStatus.SUCCEEDED ? 1 : t.progress;
}

/** The run's overall progress: the mean over its tasks. */
export function overallProgress(run: Run, tasks: RunTask[]): number {
  if (run.status === RunStatus.COMPLETED) return 1;
  if (tasks.length === 0) return 0;
  return tasks.reduce((a, t) => a + taskFraction(t), 0) / tasks.length;
}

function statusBadge(status: RunStatus): HTMLElement {
  const name = runStatusName(status);
  return h("span", { class: `badge status-${name}`, "data-status": name }, name);
}

/** Shows an error in the view's alert region (or clears it). */
function showError(el: HTMLElement, message: string | undefined): void {
  el.textContent = message ?? "";
  el.hidden = !message;
}

/** What a view needs from the app around it. */
export interface ViewContext {
  signal: AbortSignal;
  /** Navigates inside the app. */
  go(path: string): void;
  /** The session ended (expired or signed out elsewhere): back to the sign-in form. */
  signedOut(): void;
}

/** The organisation's runs, newest first, with their status; refreshed while any is active. */
export function runsView(container: HTMLElement, { signal, go, signedOut }: ViewContext) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const summary = h("p", { role: "status", id: "runs-summary" }, "Loading runs…");
  const body = h("tbody");
  const table = h(
    "table",
    { id: "runs-table", hidden: true },
    h("caption", { class: "visually-hidden" }, "Runs of your organisation, newest first"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Run", "Kind", "Status", "Tasks", "Submitted", "Finished"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    body,
  );
  const more = h("button", { type: "button", hidden: true }, "Show older runs");
  container.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "runs-title" },
      h("h2", { id: "runs-title" }, "Runs"),
      error,
      summary,
      table,
      more,
    ),
  );

  let pages = 1;
  let nextToken = "";
  more.addEventListener("click", () => {
    pages += 1;
    void load();
  });

  async function load(): Promise<boolean> {
    try {
      const runs: Run[] = [];
      let token = "";
      for (let p = 0; p < pages; p++) {
        const res = await clients.runs.listRuns({ pageSize: 50, pageToken: token }, { signal });
        runs.push(...res.runs);
        token = res.nextPageToken;
        if (!token) break;
      }
      nextToken = token;
      if (signal.aborted) return false;
      body.replaceChildren(
        ...runs.map((r) => {
          const link = h(
            "a",
            { href: `/runs/${r.runId}`, "data-run-id": r.runId },
            `Run ${shortId(r.runId)}`,
          );
          link.addEventListener("click", (e) => {
            e.preventDefault();
            go(`/runs/${r.runId}`);
          });
          const tasks = `${r.tasksDone} of ${r.tasksTotal} done${r.tasksFailed ? `, ${r.tasksFailed} failed` : ""}`;
          return row([
            link,
            r.kind,
            statusBadge(r.status),
            tasks,
            when(r.createdAt),
            when(r.finishedAt),
          ]);
        }),
      );
      table.hidden = runs.length === 0;
      more.hidden = !nextToken;
      summary.textContent =
        runs.length === 0 ? "No runs yet." : `${runs.length} run${runs.length === 1 ? "" : "s"}`;
      showError(error, undefined);
      return runs.some((r) => isActive(r.status));
    } catch (err) {
      if (signal.aborted) return false;
      if (isUnauthenticated(err)) signedOut();
      showError(error, `Could not load the runs: ${userMessage(err)}`);
      return true;
    }
  }

  void (async () => {
    while (!signal.aborted) {
      const again = await load();
      await wait(again ? POLL_MS * 3 : POLL_MS * 15, signal);
    }
  })();
}

/**
 * One run: its status, overall and per-task progress, and its log, followed live while the run
 * executes (ListRunLogs with the last seen seq as cursor) and kept readable once it has ended.
 */
export function runView(container: HTMLElement, runId: string, ctx: ViewContext) {
  const { signal, signedOut } = ctx;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const title = h("h2", { id: "run-title" }, `Run ${shortId(runId)}`);
  const facts = h("dl", { class: "facts", id: "run-facts" });
  const overall = h("div", { class: "overall", id: "run-overall" });
  const taskBody = h("tbody");
  const taskTable = h(
    "table",
    { id: "run-tasks" },
    h("caption", { class: "visually-hidden" }, "Tasks of the run"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Task", "Fund", "Window", "Status", "Progress", "Attempt", "Worker", "Error"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    taskBody,
  );
  const follow = h("p", { id: "log-state", role: "status" }, "Loading the log…");
  const log = h("ol", {
    id: "run-log",
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-labelledby": "log-title",
    tabindex: 0,
  });
  const cancel = h("button", { type: "button", id: "cancel-run", hidden: true }, "Cancel run");
  container.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "run-title" },
      title,
      error,
      facts,
      overall,
      cancel,
      h("h3", {}, "Tasks"),
      taskTable,
      h("h3", { id: "log-title" }, "Log"),
      follow,
      log,
    ),
  );

  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try {
      await clients.runs.cancelRun({ runId });
    } catch (err) {
      showError(error, `Could not cancel the run: ${userMessage(err)}`);
    } finally {
      cancel.disabled = false;
    }
  });

  let cursor = 0n;
  /** Appends every log line after the cursor, page by page. */
  async function readLog(): Promise<void> {
    for (;;) {
      const { lines } = await clients.runs.listRunLogs(
        { runId, afterSeq: cursor, pageSize: LOG_PAGE },
        { signal },
      );
      if (signal.aborted) return;
      appendLines(lines);
      if (lines.length < LOG_PAGE) return;
    }
  }
  function appendLines(lines: RunLogLine[]): void {
    if (lines.length === 0) return;
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    for (const l of lines) {
      if (l.seq <= cursor) continue;
      cursor = l.seq;
      const time = h("time", { datetime: l.loggedAt }, when(l.loggedAt));
      log.append(
        h(
          "li",
          { class: `level-${l.level}`, "data-seq": String(l.seq) },
          time,
          " ",
          h("span", { class: "level" }, l.level),
          " ",
          h("span", { class: "task" }, `[${l.taskId}]`),
          " ",
          h("span", { class: "message" }, l.message),
        ),
      );
    }
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function render(run: Run, tasks: RunTask[]): void {
    const status = runStatusName(run.status);
    container.dataset.runStatus = status;
    const fact = (k: string, v: string | Node) => [h("dt", {}, k), h("dd", {}, v)];
    facts.replaceChildren(
      ...fact("Status", statusBadge(run.status)),
      ...fact("Kind", run.kind),
      ...fact("Config", `version ${run.configVersion}`),
      ...fact(
        "Tasks",
        `${run.tasksDone} of ${run.tasksTotal} done${run.tasksFailed ? `, ${run.tasksFailed} failed` : ""}`,
      ),
      ...fact("Submitted", when(run.createdAt)),
      ...(run.finishedAt ? fact("Finished", when(run.finishedAt)) : []),
      ...(run.error ? fact("Error", run.error) : []),
      ...(run.resultsHash ? fact("Results hash", h("code", {}, run.resultsHash)) : []),
    );
    overall.replaceChildren(
      h("span", { class: "overall-label", id: "overall-label" }, "Overall progress "),
      progressBar(overallProgress(run, tasks), "Overall progress", "run-progress"),
    );
    taskBody.replaceChildren(
      ...tasks.map((t) => {
        const tr = row([
          t.taskId,
          h("code", { title: t.fundIdentityHash }, t.fundIdentityHash.slice(0, 12)),
          t.window,
          TASK_STATUS[t.status] ?? "unknown",
          progressBar(taskFraction(t), `Progress of task ${t.taskId}`),
          String(t.attempt),
          t.worker,
          t.error,
        ]);
        tr.dataset.taskId = t.taskId;
        return tr;
      }),
    );
    cancel.hidden = !(run.status === RunStatus.PENDING || run.status === RunStatus.RUNNING);
  }

  void (async () => {
    let trailing = -1;
    while (!signal.aborted) {
      try {
        const [{ run }, { tasks }] = await Promise.all([
          clients.runs.getRun({ runId }, { signal }),
          clients.runs.listRunTasks({ runId }, { signal }),
        ]);
        await readLog();
        if (signal.aborted || !run) return;
        render(run, tasks);
        showError(error, undefined);
        if (isActive(run.status)) {
          trailing = -1;
          follow.textContent = "Following the log live while the run executes…";
        } else {
          trailing = trailing < 0 ? TRAILING_POLLS : trailing - 1;
          if (trailing === 0) {
            follow.textContent = `The run ${runStatusName(run.status)}; its log is complete (${log.children.length} lines).`;
            follow.dataset.complete = "true";
            return;
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        showError(error, `Could not load the run: ${userMessage(err)}`);
        if (isUnauthenticated(err)) signedOut();
        if (isFinalError(err)) {
          follow.textContent = "";
          return;
        }
      }
      await wait(POLL_MS, signal);
    }
  })();
}
