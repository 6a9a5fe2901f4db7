import { existsSync } from "node:fs";

/**
 * The folder of the posteriordb validation data (reference.json, diagnostics_vectors.json, one
 * folder per posterior), as a file URL ending in "/". The data live in the project's shared folder:
 * `shared/` inside the checkout when it has one, else `../shared` next to it (as on the
 * development machine, /work/main and /work/shared). Test and bench helper; not part of the API.
 */
export function posteriordbDir(): URL {
  const candidates = [
    new URL("../../../../shared/validation/posteriordb/", import.meta.url), // <repo>/shared
    new URL("../../../../../shared/validation/posteriordb/", import.meta.url), // <repo>/../shared
  ];
  for (const c of candidates) if (existsSync(new URL("reference.json", c))) return c;
  throw new Error(
    `posteriordb validation data not found; looked in ${candidates.map((c) => c.pathname).join(" and ")}`,
  );
}
