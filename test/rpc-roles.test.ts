import { minRoleOf, Role, serviceNames, services } from "@portal/api";
import { describe, expect, it } from "vitest";

describe("every RPC declares its minimum role", () => {
  const methods = serviceNames.flatMap((name) => services[name].methods.map((m) => ({ name, m })));

  it.each(methods.map(({ name, m }) => [`${name}: ${m.parent.typeName}/${m.name}`, m] as const))(
    "%s",
    (_label, m) => {
      const role = minRoleOf(m);
      expect(role, `${m.name} has no (portal.auth.v1.min_role) option`).not.toBe(Role.UNSPECIFIED);
    },
  );

  it("keeps public RPCs to health and service information", () => {
    const publicRpcs = methods
      .filter(({ m }) => minRoleOf(m) === Role.PUBLIC)
      .map(({ m }) => m.name);
    expect(new Set(publicRpcs)).toEqual(new Set(["GetServiceInfo"]));
  });
});
