import { Role, ServingStatus, serviceNames } from "@portal/api";
import { clients, isUnauthenticated, signIn, signInCode, signOut, userMessage } from "./api.js";
import { h } from "./dom.js";
import { fundsView, fundView } from "./funds.js";
import { runsView, runView } from "./runs.js";

const app = document.querySelector<HTMLElement>("#app");
const nav = document.querySelector<HTMLElement>("#session");

const ROLE_NAMES: Partial<Record<Role, string>> = {
  [Role.VIEWER]: "viewer",
  [Role.MEMBER]: "member",
  [Role.ORG_ADMIN]: "organisation admin",
  [Role.SUPER_ADMIN]: "super admin",
};

/** The signed-in caller, or undefined when nobody is signed in. */
let caller: { subject: string; role: Role } | undefined;
/** Stops the current view's polling when another view replaces it. */
let current = new AbortController();

function cell(row: HTMLTableRowElement, text: string, cls?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
}

function statusView(container: HTMLElement): void {
  const summary = h("p", { id: "status-summary", role: "status" }, "Checking services…");
  const table = h(
    "table",
    { id: "status-table", hidden: true },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Service", "Status", "Version", "Mode", "Dependencies"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    h("tbody"),
  );
  container.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "status-title" },
      h("h2", { id: "status-title" }, "System status"),
      summary,
      table,
    ),
  );
  void showStatus(table, summary);
}

async function showStatus(table: HTMLTableElement, summary: HTMLElement): Promise<void> {
  const body = table.tBodies[0];
  if (!body) return;
  let healthy = 0;
  const results = await Promise.all(
    serviceNames.map(async (name) => {
      try {
        const { info } = await clients[name].getServiceInfo({});
        return { name, info };
      } catch (err) {
        return { name, error: userMessage(err) };
      }
    }),
  );
  body.replaceChildren();
  for (const r of results) {
    const row = body.insertRow();
    row.dataset.service = r.name;
    cell(row, r.name);
    if ("info" in r && r.info) {
      const ok = r.info.status === ServingStatus.SERVING;
      if (ok) healthy++;
      cell(row, ok ? "serving" : "not serving", ok ? "ok" : "bad");
      cell(row, r.info.version);
      cell(row, r.info.mode);
      cell(
        row,
        r.info.checks
          .map((c) => `${c.name}: ${c.ok ? c.detail : `failed (${c.detail})`}`)
          .join(", "),
      );
    } else {
      cell(row, "error" in r ? (r.error ?? "unknown error") : "no answer", "bad");
      cell(row, "");
      cell(row, "");
      cell(row, "");
    }
  }
  table.hidden = false;
  summary.textContent = `${healthy} of ${results.length} services serving`;
}

/** Email and password, then a second-factor code when the account has one. */
function signInView(container: HTMLElement, then: string): void {
  const error = h("p", { class: "error", role: "alert", id: "sign-in-error", hidden: true });
  const email = h("input", {
    id: "email",
    name: "email",
    type: "email",
    autocomplete: "username",
    required: true,
  });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const code = h("input", {
    id: "code",
    name: "code",
    inputmode: "numeric",
    autocomplete: "one-time-code",
  });
  const codeField = h("p", { hidden: true }, h("label", { for: "code" }, "Code "), code);
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { id: "sign-in", "aria-labelledby": "sign-in-title" },
    h("p", {}, h("label", { for: "email" }, "Email "), email),
    h("p", {}, h("label", { for: "password" }, "Password "), password),
    codeField,
    submit,
  );
  container.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "sign-in-title" },
      h("h2", { id: "sign-in-title" }, "Sign in"),
      error,
      form,
    ),
  );
  let mfaToken = "";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      if (mfaToken) {
        await signInCode(mfaToken, code.value.trim());
      } else {
        const r = await signIn(email.value.trim(), password.value);
        if (!r.signedIn) {
          mfaToken = r.mfaToken;
          codeField.hidden = false;
          code.required = true;
          code.focus();
          return;
        }
      }
      await refreshCaller();
      navigate(then, true);
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  email.focus();
}

async function refreshCaller(): Promise<void> {
  try {
    const me = await clients.gateway.getCaller({});
    caller = { subject: me.subject, role: me.role };
  } catch (err) {
    if (!isUnauthenticated(err)) throw err;
    caller = undefined;
  }
  renderSession();
}

function link(href: string, text: string): HTMLAnchorElement {
  const a = h("a", { href }, text);
  a.addEventListener("click", (e) => {
    e.preventDefault();
    navigate(href);
  });
  return a;
}

function renderSession(): void {
  if (!nav) return;
  const items: Node[] = [
    link("/funds", "Funds"),
    link("/runs", "Runs"),
    link("/status", "System status"),
  ];
  if (caller) {
    const out = h("button", { type: "button", id: "sign-out" }, "Sign out");
    out.addEventListener("click", async () => {
      await signOut().catch(() => {});
      caller = undefined;
      renderSession();
      navigate("/sign-in");
    });
    items.push(
      h("span", { class: "who" }, `Signed in (${ROLE_NAMES[caller.role] ?? "user"})`),
      out,
    );
  } else {
    items.push(link("/sign-in", "Sign in"));
  }
  nav.replaceChildren(...items);
}

/** Shows the view for `path`; signed-out visitors see the sign-in form except on /status. */
function route(): void {
  if (!app) return;
  current.abort();
  current = new AbortController();
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const ctx = {
    signal: current.signal,
    go: (p: string) => navigate(p),
    signedOut: () => {
      caller = undefined;
      renderSession();
      navigate(`/sign-in?then=${encodeURIComponent(location.pathname)}`, true);
    },
  };
  const run = /^\/runs\/([0-9a-fA-F-]{36})$/.exec(path)?.[1];
  const fund = /^\/funds\/([0-9a-f]{64})$/.exec(path)?.[1];
  if (path === "/status") statusView(app);
  else if (!caller || path === "/sign-in") signInView(app, afterSignIn(path));
  else if (run) runView(app, run, ctx);
  else if (fund) fundView(app, fund, ctx);
  else if (path === "/funds")
    fundsView(app, ctx, caller.role >= Role.MEMBER && caller.role <= Role.SUPER_ADMIN);
  else if (path === "/" || path === "/runs") runsView(app, ctx);
  else
    app.replaceChildren(
      h("h2", {}, "Page not found"),
      h("p", {}, "There is nothing at this address. ", link("/runs", "See the runs.")),
    );
}

/** Where to go once signed in: back where the visitor was, never off this site. */
function afterSignIn(path: string): string {
  const then = path === "/sign-in" ? new URLSearchParams(location.search).get("then") : path;
  return then?.startsWith("/") && !then.startsWith("//") && then !== "/sign-in" && then !== "/"
    ? then
    : "/runs";
}

function navigate(path: string, replace = false): void {
  if (path !== location.pathname + location.search) {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
  }
  route();
}

window.addEventListener("popstate", route);

void (async () => {
  try {
    await refreshCaller();
  } catch (err) {
    app?.replaceChildren(h("p", { class: "error", role: "alert" }, userMessage(err)));
    return;
  }
  route();
})();
