import { describe, expect, it } from "vitest";
import { renderComment, renderPreview, summaryLine } from "../../../infra/cli/markdown";

const change = (op: string, name: string, fields: string[] = []) => ({
  op,
  urn: `urn:pulumi:staging::slipway::slipway:coolify:Application$pulumi-nodejs:dynamic:Resource::${name}`,
  type: "pulumi-nodejs:dynamic:Resource",
  fields,
});

describe("preview markdown", () => {
  it("summarises counts in a fixed order", () => {
    expect(summaryLine({ same: 12, update: 2, create: 1 })).toBe("1 to create, 2 to update, 12 unchanged");
    expect(summaryLine({ same: 5 })).toBe("no changes (5 unchanged)");
  });

  it("lists changed resources with their fields and shows a short diff open", () => {
    const text = renderPreview({
      stack: "staging",
      summary: { update: 1, same: 3 },
      changes: [change("update", "web", ["image"]), change("same", "db")],
      diff: "~ web\n  - image: a\n  + image: b",
    });
    expect(text.split("\n")[0]).toBe("### `staging`: 1 to update, 3 unchanged");
    expect(text).toContain("| update | web | `pulumi-nodejs:dynamic:Resource` | image |");
    expect(text).not.toContain("| same |");
    expect(text).toContain("```diff\n~ web");
    expect(text).not.toContain("<details>");
  });

  it("collapses long diffs and drops them, never the summary, when over budget", () => {
    const diff = Array.from({ length: 400 }, (_, i) => `+ line ${i}`).join("\n");
    const open = renderPreview({ stack: "production", summary: { create: 400 }, changes: [], diff });
    expect(open).toContain("<details><summary>Full diff (400 lines)</summary>");
    const tight = renderPreview({ stack: "production", summary: { create: 400 }, changes: [], diff }, 500);
    expect(tight.split("\n")[0]).toBe("### `production`: 400 to create");
    expect(tight).toContain("Diff truncated: 400 lines did not fit");
    expect(tight.length).toBeLessThan(700);
  });

  it("puts several stacks in one comment", () => {
    const comment = renderComment([
      { stack: "staging", summary: { same: 2 }, changes: [], diff: "" },
      { stack: "production", summary: { update: 1 }, changes: [change("update", "web", ["count"])], diff: "" },
    ]);
    expect(comment).toMatch(/^## slipway infrastructure preview/);
    expect(comment).toContain("### `staging`: no changes (2 unchanged)");
    expect(comment).toContain("### `production`: 1 to update");
  });
});
