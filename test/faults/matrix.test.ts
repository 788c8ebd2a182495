import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { describeCase, discoverRoutes, FAULTS, runCase, type CaseResult, type FaultName, type StackFile } from "../e2e/faults/matrix";

/**
 * The full fault matrix (issue 11), outside the default `npm test` because it runs the real engine two or three
 * times per case: `npm run test:faults` (SLIPWAY_FAULTS_STACKS=staging,production picks stacks,
 * SLIPWAY_FAULTS_ONLY=<substring> picks cases by their description). Results go to test-results/faults.json and a
 * table on stdout; the test fails when any case did not converge.
 */
const stacks = (process.env.SLIPWAY_FAULTS_STACKS ?? "staging,production").split(",").filter(Boolean) as StackFile[];
const only = process.env.SLIPWAY_FAULTS_ONLY;
const results: CaseResult[] = [];

function report(): void {
  const dir = path.join(__dirname, "../../test-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "faults.json"), JSON.stringify(results, null, 2));
  const converged = results.filter((r) => r.problems.length === 0).length;
  const lines = results.map((r) => `${r.problems.length === 0 ? "converged" : "FAILED   "} ${(r.ms / 1000).toFixed(0).padStart(4)} s  ${describeCase(r.case)}${r.hit ? "" : " (route not called)"}${r.problems.length ? `: ${r.problems.join("; ")}` : ""}`);
  process.stdout.write(`\nfault matrix: ${converged} of ${results.length} cases converged\n${lines.join("\n")}\n`);
}

describe.each(stacks)("fault matrix on the %s stack", (stack) => {
  it("every mutating route of both phases × every fault converges", async () => {
    const routes = await discoverRoutes(stack);
    for (const [phase, calls] of Object.entries(routes) as [keyof typeof routes, (typeof routes)[keyof typeof routes]][]) {
      for (const route of calls) {
        for (const fault of Object.keys(FAULTS) as FaultName[]) {
          const c = { stack, phase, route, fault };
          if (only && !describeCase(c).includes(only)) continue;
          results.push(await runCase(c));
          report();
        }
      }
    }
    expect(results.filter((r) => r.case.stack === stack && r.problems.length > 0).map((r) => `${describeCase(r.case)}: ${r.problems.join("; ")}`)).toEqual([]);
  });
});
