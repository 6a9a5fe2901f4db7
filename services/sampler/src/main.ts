import { runStandalone } from "@portal/runtime";
import { samplerService } from "./index.js";

await runStandalone(samplerService, {}, process.env);
