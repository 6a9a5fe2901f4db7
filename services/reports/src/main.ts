import { runStandalone } from "@portal/runtime";
import { reportsService } from "./index.js";

await runStandalone(reportsService, {}, process.env);
