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
  expect(doc).toContain(
    "| `slipway:app.healthCheck.intervalSeconds` | integer (≥ 1, ≤ 3600) | `15` | Seconds between probes. Default 15: a failing container is noticed within about 15 s. | `10` | Coolify, Fly |",
  );
  expect(doc).toMatch(/\| `slipway:scaling\.fly\.minRunning` \|[^\n]*\| Fly \|/);
  expect(doc).toContain('slipway:database (kind: "postgres")');
});

it("every key row says what the key and its default do and gives an example", () => {
  const rows = renderConfigDoc().split("\n").filter((l) => l.startsWith("| `slipway:"));
  expect(rows.length).toBeGreaterThan(100);
  for (const row of rows) {
    const [, key, , def, does, example] = row.split(/ \| |^\| | \|$/);
    expect(does, key).toMatch(/\w/);
    expect(example, key).toMatch(/^`.+`$/);
    // A default in the schema is explained in words, not only shown.
    if (def !== "required" && def !== "not set") expect(does, key).toMatch(/Default|default/);
  }
});

it("refuses to render a key without its notes", async () => {
  const { KEY_DOCS } = await import("../../../stacks/schema-keys-doc");
  const saved = KEY_DOCS.app?.["app.name"];
  expect(saved).toBeDefined();
  // SECTION_META holds the same objects, so removing the entry is what the generator sees.
  delete (KEY_DOCS.app as Record<string, unknown>)["app.name"];
  try {
    expect(() => renderConfigDoc()).toThrow("stacks/schema-keys-doc.ts is out of step with slipway:app: no notes for slipway:app.name");
  } finally {
    (KEY_DOCS.app as Record<string, unknown>)["app.name"] = saved;
  }
});
