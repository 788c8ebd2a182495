// Regenerates the API types from the vendors' own OpenAPI descriptions in ../shared/specs.
// The generated files are committed so that a build never depends on the specs being present.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const specs = process.env.SLIPWAY_SPECS ?? path.resolve(root, "../shared/specs");
const targets = [
  ["coolify/openapi.json", "components/coolify/api.gen.ts"],
  ["fly/openapi.json", "components/fly/api.gen.ts"],
  ["github/openapi-subset.json", "components/github/api.gen.ts"],
];
for (const [spec, out] of targets) {
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/openapi-typescript/bin/cli.js"), path.join(specs, spec), "-o", path.join(root, out)],
    { stdio: "inherit" },
  );
}
