import { runStandalone } from "@portal/runtime";
import { billingService } from "./index.js";

await runStandalone(billingService, {}, process.env);
