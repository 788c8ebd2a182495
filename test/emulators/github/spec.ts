/**
 * The description the GitHub emulator validates against: ../shared/specs/github/openapi-subset.json plus the
 * Deployments routes from @octokit/openapi (scripts/github-deployments-spec.ts), written once per process to a
 * temporary file because the shared server indexes specs by file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withDeployments, type OpenApiDoc } from "../../../scripts/github-deployments-spec";

let file: string | undefined;

export function githubSpecFile(subsetFile: string): string {
  if (file) return file;
  const merged = withDeployments(JSON.parse(readFileSync(subsetFile, "utf8")) as OpenApiDoc);
  file = join(mkdtempSync(join(tmpdir(), "slipway-github-spec-")), "openapi.json");
  writeFileSync(file, JSON.stringify(merged));
  return file;
}
