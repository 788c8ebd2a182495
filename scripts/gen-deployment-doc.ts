// Rewrites the generated environment-variable tables in docs/DEPLOYMENT.md from the stack files
// (`npm run docs:env`); test/unit/docs.test.ts fails when the committed doc differs from what this writes.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { secretEnvVar } from "../infra/cli/preview-secrets";
import { renderEnvironmentBlocks } from "../stacks/env-doc";
import { readStackFile } from "../stacks/files";

const root = resolve(__dirname, "..");
export const DOC = resolve(root, "docs/DEPLOYMENT.md");
export const STACKS = ["staging", "production", "pr"] as const;

export function generated(doc = readFileSync(DOC, "utf8")): string {
  const raws = Object.fromEntries(STACKS.map((s) => [s, readStackFile(resolve(root, `Pulumi.${s}.yaml`)).raw]));
  // A preview's secrets are set by `slipway pr up` from its environment, never from the template (infra/cli/preview-secrets.ts).
  return renderEnvironmentBlocks(doc, raws, { pr: (name) => `\`${secretEnvVar(name)}\` when \`slipway pr up\` runs (in CI the preview environment's secret ${name})` });
}

if (require.main === module) {
  writeFileSync(DOC, generated());
  console.log(`wrote ${DOC}`);
}
