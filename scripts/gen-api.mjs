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
  // No GitHub types: the GitHub components use @pulumi/github, so a generated client would be imported by nothing.
];
for (const [spec, out] of targets) {
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/openapi-typescript/bin/cli.js"), path.join(specs, spec), "-o", path.join(root, out)],
    { stdio: "inherit" },
  );
}

// The GitHub Deployments routes are beyond the shared subset: cut from @octokit/openapi (scripts/github-deployments-spec.ts).
{
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const file = path.join(mkdtempSync(path.join(tmpdir(), "slipway-gen-")), "deployments.json");
  execFileSync(
    process.execPath,
    ["--import", "tsx", "-e", `require("fs").writeFileSync(${JSON.stringify(file)}, JSON.stringify(require("./scripts/github-deployments-spec.ts").deploymentsSubset()))`],
    { cwd: root, stdio: "inherit" },
  );
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/openapi-typescript/bin/cli.js"), file, "-o", path.join(root, "components/github/deployments.gen.ts")],
    { stdio: "inherit" },
  );
}
