import { runStandalone } from "@portal/runtime";
import { fundsService } from "./index.js";

await runStandalone(fundsService, {}, process.env);
