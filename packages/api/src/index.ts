import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { getOption, hasOption } from "@bufbuild/protobuf";
import { min_role, Role } from "./gen/portal/auth/v1/auth_pb.js";
import { BillingService } from "./gen/portal/billing/v1/billing_pb.js";
import { FundService } from "./gen/portal/funds/v1/funds_pb.js";
import { GatewayService } from "./gen/portal/gateway/v1/gateway_pb.js";
import { IdentityService } from "./gen/portal/identity/v1/identity_pb.js";
import { ReportService } from "./gen/portal/reports/v1/reports_pb.js";
import { RunService } from "./gen/portal/runs/v1/runs_pb.js";
import { SamplerService } from "./gen/portal/sampler/v1/sampler_pb.js";

export { min_role, Role } from "./gen/portal/auth/v1/auth_pb.js";
export * from "./gen/portal/common/v1/service_info_pb.js";

/** The platform's services by name: the one list the gateway, the runtime and tests walk. */
export const services = {
  gateway: GatewayService,
  identity: IdentityService,
  funds: FundService,
  runs: RunService,
  billing: BillingService,
  sampler: SamplerService,
  reports: ReportService,
} as const satisfies Record<string, DescService>;

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];

/**
 * The least role an RPC accepts, read from its `(portal.auth.v1.min_role)` option in proto/.
 * An RPC without the option yields ROLE_UNSPECIFIED, which the runtime refuses for every caller.
 */
export function minRoleOf(method: DescMethod): Role {
  return hasOption(method, min_role) ? getOption(method, min_role) : Role.UNSPECIFIED;
}
