/**
 * infra/boot/traces.js in a program as the SDK's runner sets it up (source-map-support installed first): an
 * error thrown in a component and the call sites the SDK records for a registration still name the TypeScript
 * file and line; only the SDK's per-promise bookkeeping trace is left unmapped, and not even that when
 * PULUMI_DEBUG_PROMISE_LEAKS asks for it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

describe("infra/boot/traces.js mapBundleFrames", () => {
  /** Frames of every kind a trace through the bundle has: .ts files, a class, a native callback, zod, esbuild's helpers. */
  const FILES: Record<string, string> = {
    "components/shape.ts": [
      'import { z } from "zod";',
      "",
      "export class Shape {",
      "  constructor(private readonly sides: number) {}",
      "  describe(): string {",
      '    return [this.sides].map((n) => name(n)).join("");',
      "  }",
      "}",
      "",
      "function name(n: number): string {",
      '  if (n < 3) throw new Error("not a shape");',
      "  return `${n}-gon`;",
      "}",
      "",
      "// zod calls the refinement back: the frames between are zod's, in the bundle and unmapped.",
      'const sides = z.number().int().refine((n) => { if (n > 100) throw new Error("too many sides"); return true; });',
      "export const parseSides = (v: unknown): number => sides.parse(v);",
      "",
    ].join("\n"),
    "stacks/use.ts": [
      'import { Shape, parseSides } from "../components/shape";',
      "",
      "export function shapeOf(sides: unknown, capture: () => unknown): { text: unknown; site: unknown } {",
      "  const site = capture();",
      "  return { text: new Shape(parseSides(sides)).describe(), site };",
      "}",
      "",
      "// The same name as shape.ts's `name`: the bundle renames this one, and source-map-support names the frame",
      "// from the map's names at the call (`name`), not from the function (`thrower`).",
      "const name = function thrower(why: string): never {",
      "  throw new Error(why);",
      "};",
      "",
      "export function refuse(why: string): never {",
      "  return name(why);",
      "}",
      "",
    ].join("\n"),
    "infra/index.ts": 'export { shapeOf, refuse } from "../stacks/use";\n',
  };

  function traces(premap: boolean): { root: string; bundle: string; seen: unknown } {
    const root = mkdtempSync(path.join(tmpdir(), "slipway-premap-"));
    dirs.push(root);
    for (const [rel, text] of Object.entries({ "package.json": "{}", ...FILES })) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
    const { file } = ensureBundle({ root, entry: "infra/index.ts", name: "program", cacheDir: path.join(root, ".cache") });
    const req = (m: string) => JSON.stringify(require.resolve(m, { paths: [ROOT] }));
    const script = `
      require(${req("source-map-support/register")});
      const { Resource } = require(${req("@pulumi/pulumi")});
      ${premap ? `require(${JSON.stringify(path.join(ROOT, "infra/boot/traces.js"))}).mapBundleFrames().add(${JSON.stringify(file)});` : ""}
      const { shapeOf, refuse } = require(${JSON.stringify(file)});
      const stackOf = (f) => { try { return f(); } catch (e) { return e.stack; } };
      const capture = () => Resource.callsites();
      console.log(JSON.stringify({
        polygon: shapeOf(5, capture),
        notAShape: stackOf(() => shapeOf(2, capture)),
        zodError: stackOf(() => shapeOf("x", capture)),
        throughZod: stackOf(() => shapeOf(101, capture)),
        renamed: stackOf(() => refuse("refused")),
      }));`;
    const out = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    return { root, bundle: file, seen: JSON.parse(out) };
  }

  it("formats every trace exactly as source-map-support does with the bundle's whole map", () => {
    const plain = traces(false);
    const premapped = traces(true);
    const text = (t: { root: string; bundle: string; seen: unknown }) => JSON.stringify(t.seen).split(t.root).join("<root>");
    expect(text(premapped)).toBe(text(plain));
    // And the traces are worth comparing: .ts lines for slipway's frames, the bundle for zod's.
    const seen = premapped.seen as { notAShape: string; zodError: string; throughZod: string; renamed: string };
    expect(seen.renamed).toMatch(/at name \(.*stacks\/use\.ts:11:/);
    expect(seen.notAShape).toContain(`${path.join(premapped.root, "components/shape.ts")}:11:`);
    expect(seen.notAShape).toContain(`${path.join(premapped.root, "stacks/use.ts")}:5:`);
    expect(seen.zodError).toContain('"expected": "number"');
    expect(seen.throughZod).toContain(`${path.join(premapped.root, "components/shape.ts")}:16:`);
    expect(seen.throughZod).toContain(premapped.bundle);
  });

  it("never parses the bundle's map with source-map (the cost it saves)", () => {
    const { root, bundle: file } = traces(true);
    const req = (m: string) => JSON.stringify(require.resolve(m, { paths: [ROOT] }));
    const script = `
      require(${req("source-map-support/register")});
      const parsed = [];
      for (const C of [require(require.resolve("source-map/lib/source-map-consumer", { paths: [require.resolve(${req("source-map-support")})] })).BasicSourceMapConsumer]) {
        const p = C.prototype._parseMappings;
        C.prototype._parseMappings = function (m) { parsed.push(m.length); return p.apply(this, arguments); };
      }
      require(${JSON.stringify(path.join(ROOT, "infra/boot/traces.js"))}).mapBundleFrames().add(${JSON.stringify(file)});
      const { shapeOf } = require(${JSON.stringify(file)});
      let stack = "";
      try { shapeOf(2, () => undefined); } catch (e) { stack = e.stack; }
      console.log(JSON.stringify({ parsed, mapped: stack.includes("shape.ts:11:") }));`;
    expect(JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }))).toEqual({ parsed: [], mapped: true });
  });
});
