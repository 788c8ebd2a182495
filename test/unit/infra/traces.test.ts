/**
 * infra/boot/traces.js in a program as the SDK's runner sets it up (source-map-support installed first): an
 * error thrown in a component and the call sites the SDK records for a registration still name the TypeScript
 * file and line; only the SDK's per-promise bookkeeping trace is left unmapped, and not even that when
 * PULUMI_DEBUG_PROMISE_LEAKS asks for it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROOT } from "../stacks/fixtures";

const { ensureBundle } = require("../../../infra/boot/bundle.js") as typeof import("../../../infra/boot/bundle.js");

vi.setConfig({ testTimeout: 120_000 });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A component that throws on line 4 and calls the SDK back on line 8 (the shape of a resource constructor). */
const COMPONENT = [
  "// a component",
  "",
  "export function fail(): never {",
  '  throw new Error("boom");',
  "}",
  "",
  "export function register<T>(sdk: () => T): T {",
  "  return sdk();",
  "}",
  "",
].join("\n");

interface Seen {
  installed: boolean;
  error: string;
  callsite: { file: string; line: number } | undefined;
  promiseTrace: string;
}

/** Bundles the component, then in a fresh node: source-map-support as the runner installs it, the filter, the calls. */
function run(env: Record<string, string> = {}): { seen: Seen; root: string; bundle: string } {
  const root = mkdtempSync(path.join(tmpdir(), "slipway-traces-"));
  dirs.push(root);
  mkdirSync(path.join(root, "components"), { recursive: true });
  writeFileSync(path.join(root, "package.json"), "{}");
  writeFileSync(path.join(root, "components/fail.ts"), COMPONENT);
  mkdirSync(path.join(root, "infra"));
  writeFileSync(path.join(root, "infra/index.ts"), 'export { fail, register } from "../components/fail";\n');
  const { file } = ensureBundle({ root, entry: "infra/index.ts", name: "program" });
  const req = (m: string) => JSON.stringify(require.resolve(m, { paths: [ROOT] }));
  const script = `
    require(${req("source-map-support/register")});
    const debuggable = require(${req("@pulumi/pulumi/runtime/debuggable")});
    const installed = require(${JSON.stringify(path.join(ROOT, "infra/boot/traces.js"))}).skipUnreadPromiseTraces(debuggable);
    const { Resource } = require(${req("@pulumi/pulumi")});
    const bundle = require(${JSON.stringify(file)});
    let error = "";
    try { bundle.fail(); } catch (e) { error = e.stack; }
    const callsite = bundle.register(() => Resource.callsites().find((c) => c.file && c.file.endsWith("fail.ts")));
    // debuggablePromise records its trace on the promise it is given (and returns a chained one).
    const p = Promise.resolve(1);
    bundle.register(() => debuggable.debuggablePromise(p, "test"));
    console.log(JSON.stringify({ installed, error, callsite, promiseTrace: p._debugStackTrace }));`;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "", ...env } });
  return { seen: JSON.parse(out) as Seen, root, bundle: file };
}

describe("infra/boot/traces.js", () => {
  it("keeps errors and registration call sites mapped to the .ts file and line, and leaves the promise bookkeeping trace unmapped", () => {
    const { seen, root, bundle } = run();
    const ts = path.join(root, "components/fail.ts");
    expect(seen.installed).toBe(true);
    expect(seen.error).toContain("Error: boom");
    expect(seen.error).toContain(`${ts}:4:`);
    expect(seen.error).not.toContain(bundle);
    expect(seen.callsite).toMatchObject({ file: ts, line: 8 });
    // The trace only PULUMI_DEBUG_PROMISE_LEAKS would print is not formatted, and says so.
    expect(seen.promiseTrace).toBe("Error\n    (stack not formatted: set PULUMI_DEBUG_PROMISE_LEAKS=1 to record where each promise was made)");
    expect(seen.promiseTrace).not.toContain(bundle);
  });

  it("changes nothing when PULUMI_DEBUG_PROMISE_LEAKS asks for the promise traces", () => {
    const { seen, root } = run({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    expect(seen.installed).toBe(false);
    expect(seen.promiseTrace).toContain(`${path.join(root, "components/fail.ts")}:8:`);
    expect(seen.error).toContain(`${path.join(root, "components/fail.ts")}:4:`);
  });
});
