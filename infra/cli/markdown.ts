/** One planned resource change, as the engine's `resourcePreEvent`s report it. */
export interface PlannedChange {
  op: string;
  urn: string;
  type: string;
  /** Top-level properties that change (the engine's `diffs`). */
  fields: string[];
}

export interface PreviewReport {
  stack: string;
  /** Counts per operation, as `PreviewResult.changeSummary`. */
  summary: Record<string, number>;
  changes: PlannedChange[];
  /** The engine's textual diff (`--diff`), without ANSI colours. */
  diff: string;
}

/** GitHub rejects comments over 65,536 characters; leave room for the other stack's section. */
export const COMMENT_BUDGET = 30_000;
/** Diffs longer than this many lines are collapsed. */
const OPEN_DIFF_LINES = 25;

const VERBS: Record<string, string> = {
  create: "to create",
  update: "to update",
  replace: "to replace",
  "create-replacement": "to replace",
  delete: "to delete",
  "delete-replaced": "replaced",
  same: "unchanged",
  refresh: "to refresh",
  read: "to read",
};

/** `2 to create, 1 to update, 14 unchanged` — or `no changes`. Always present in the comment. */
export function summaryLine(summary: Record<string, number>): string {
  const order = ["create", "update", "replace", "delete", "same"];
  const parts = Object.entries(summary)
    .filter(([op, n]) => n > 0 && op !== "delete-replaced" && op !== "create-replacement")
    .sort(([a], [b]) => (order.indexOf(a) + 100) % 100 - (order.indexOf(b) + 100) % 100)
    .map(([op, n]) => `${n} ${VERBS[op] ?? op}`);
  const changed = Object.entries(summary).some(([op, n]) => op !== "same" && n > 0);
  return changed ? parts.join(", ") : `no changes${summary.same ? ` (${summary.same} unchanged)` : ""}`;
}

function resourceName(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Markdown for one stack's preview, fit for a PR comment. */
export function renderPreview(report: PreviewReport, budget = COMMENT_BUDGET): string {
  const head = [`### \`${report.stack}\`: ${summaryLine(report.summary)}`];
  const changes = report.changes.filter((c) => c.op !== "same" && !c.type.startsWith("pulumi:pulumi:Stack"));
  const table: string[] = [];
  if (changes.length > 0) {
    table.push("", "| change | resource | type | fields |", "| --- | --- | --- | --- |");
    for (const c of changes) {
      table.push(`| ${c.op} | ${escapeCell(resourceName(c.urn))} | \`${c.type}\` | ${escapeCell(c.fields.join(", ") || "-")} |`);
    }
  }
  const diff = report.diff.trim();
  const body: string[] = [];
  if (diff) {
    const lines = diff.split("\n");
    const fence = ["```diff", ...lines, "```"];
    body.push("", ...(lines.length > OPEN_DIFF_LINES ? [`<details><summary>Full diff (${lines.length} lines)</summary>`, "", ...fence, "", "</details>"] : fence));
  }
  let text = [...head, ...table, ...body].join("\n");
  if (text.length > budget) {
    // Drop the diff before the table, and the table before the summary line: the summary always survives.
    const note = `\n\n_Diff truncated: ${diff.split("\n").length} lines did not fit in a comment; run \`npx slipway preview ${report.stack}\` locally._`;
    text = [...head, ...table].join("\n") + note;
    if (text.length > budget) text = head.join("\n") + note;
  }
  return text;
}

/** One comment for several stacks (the PR workflow previews staging and production together). */
export function renderComment(reports: readonly PreviewReport[]): string {
  const budget = Math.floor(COMMENT_BUDGET * 2 / Math.max(1, reports.length));
  return ["## slipway infrastructure preview", "", ...reports.map((r) => renderPreview(r, budget)).join("\n\n").split("\n")].join("\n");
}
