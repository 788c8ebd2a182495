import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { renderConfigDoc } from "../../../scripts/config-doc";
import { sectionSchemas } from "../../../stacks/schema";

const file = path.join(__dirname, "../../../docs/CONFIG.md");

it("docs/CONFIG.md is what the schema renders (run `npm run gen:config-doc` after changing stacks/schema*.ts)", () => {
  expect(readFileSync(file, "utf8")).toBe(renderConfigDoc());
});

it("lists every slipway:* section with its targets and an example, and the defaults the schema applies", () => {
  const doc = renderConfigDoc();
  for (const section of Object.keys(sectionSchemas)) {
    expect(doc).toContain(`## \`slipway:${section}\``);
  }
  expect(doc.match(/^Applies to: /gm)).toHaveLength(Object.keys(sectionSchemas).length);
  // A default from the schema itself, and a target-specific key.
  expect(doc).toContain("| `slipway:app.healthCheck.intervalSeconds` | integer (≥ 1, ≤ 3600) | `15` | Coolify, Fly |");
  expect(doc).toMatch(/\| `slipway:scaling\.fly\.minRunning` \|[^\n]*\| Fly \|/);
  expect(doc).toContain('slipway:database (kind: "postgres")');
});
