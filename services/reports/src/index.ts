import { ReportService } from "@portal/api/reports/v1/reports";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The reports service: deliverables: Parquet and HTML reports and their download authorisation. */
export const reportsService: ServiceDefinition = {
  name: "reports",
  routes: (ctx) => infoRoutes(ReportService, ctx),
};
