import { BillingService } from "@portal/api/billing/v1/billing";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The billing service: subscriptions, product selections, invoices and Stripe events. */
export const billingService: ServiceDefinition = {
  name: "billing",
  routes: (ctx) => infoRoutes(BillingService, ctx),
};
