import { ServingStatus, serviceNames } from "@portal/api";
import { clients, userMessage } from "./api.js";

const table = document.querySelector<HTMLTableElement>("#status-table");
const summary = document.querySelector<HTMLParagraphElement>("#status-summary");

function cell(row: HTMLTableRowElement, text: string, cls?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
}

async function showStatus(): Promise<void> {
  if (!table || !summary) return;
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

void showStatus();
