import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/sessions.ts",
  out: "./migrations",
  schemaFilter: ["gateway"],
});
