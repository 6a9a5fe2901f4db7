import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ServingStatus } from "@portal/api";
import { GatewayService } from "@portal/api/gateway/v1/gateway";

/** The add-in is served by the gateway, so the API is on the same origin. */
const transport = createConnectTransport({ baseUrl: "/api" });
const gateway = createClient(GatewayService, transport);

async function showStatus(): Promise<void> {
  const el = document.getElementById("status");
  if (!el) return;
  try {
    const { info } = await gateway.getServiceInfo({});
    el.textContent =
      info?.status === ServingStatus.SERVING
        ? `Connected to Portal ${info.version}`
        : "Portal is not serving";
  } catch {
    el.textContent = "Cannot reach Portal";
  }
}

void showStatus();
