import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_PROJECT, type EngineStack, type StateResource } from "./harness";
import { stagingStack } from "./cli-run";
import { mutating, callsSince, logMark, startEmulators, type Emulators } from "./stacks";

/**
 * A stack made the way slipway ran before infra/main.js — infra/index.ts under tsx (`nodeargs: --import=tsx`), the
 * SDK's own serializer and Pulumi's stock dynamic-provider launcher — then run with the committed Pulumi.yaml
 * (the bundled entry, the deferred SDK tooling, the project's plugin launcher): the preview plans nothing, makes
 * no write, and an `up` leaves every resource's state as it was, byte for byte where the engine keeps it.
 */
const COMMIT = "5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c";

/** The committed Pulumi.yaml with the runtime slipway had before the bundled entry. */
function previousProjectFile(): string {
  const project = parse(readFileSync(path.join(ROOT_PROJECT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  delete project.plugins;
  return stringify({ ...project, runtime: { name: "nodejs", options: { typescript: false, nodeargs: "--import=tsx" } }, main: "infra/index.ts" });
}

/** A dependency list as a set: its order follows the order the SDK resolved the inputs, which may vary. */
const sorted = (v: unknown): unknown => (Array.isArray(v) ? [...v].sort() : v);
const sortedEach = (v: unknown): unknown => (v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sorted(x)])) : v);

/** What the engine keeps per resource and a no-op `up` must not change. */
function kept(state: StateResource[]): Record<string, unknown> {
  return Object.fromEntries(
    state.map((r) => {
      const raw = r as unknown as Record<string, unknown>;
      // The file of the source position, not its line: tsx-run programs recorded positions in tsx's transpiled
      // text (line 2, column 3664), source-map-support not seeing tsx's maps; the bundle's map gives the .ts line.
      const file = typeof raw.sourcePosition === "string" ? raw.sourcePosition.replace(/#.*$/, "") : raw.sourcePosition;
      return [r.urn, { inputs: raw.inputs, outputs: raw.outputs, parent: raw.parent, provider: raw.provider, dependencies: sorted(raw.dependencies), propertyDependencies: sortedEach(raw.propertyDependencies), sourceFile: file }];
    }),
  );
}

describe("a stack created by the previous entry (tsx, serializer, stock plugin launcher)", () => {
  let emu: Emulators;
  let s: EngineStack;
  let before: StateResource[];

  beforeAll(async () => {
    emu = await startEmulators();
    s = await stagingStack(emu, { SLIPWAY_RELEASE_COMMIT: COMMIT });
    const file = path.join(s.workDir, "Pulumi.yaml");
    rmSync(file);
    writeFileSync(file, previousProjectFile());
    const up = await s.up();
    expect(up.summary.create).toBeGreaterThan(4);
    before = await s.exportState();
    // From here on the stack runs what the repository commits.
    rmSync(file);
    symlinkSync(path.join(ROOT_PROJECT, "Pulumi.yaml"), file);
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  it("previews no change and makes no write with the committed Pulumi.yaml", async () => {
    const mark = logMark(emu);
    const p = await s.preview({ diff: true });
    expect(p.changes).toEqual([]);
    expect(p.providerChanges).toEqual([]);
    expect(Object.keys(p.summary).filter((op) => op !== "same")).toEqual([]);
    expect(mutating(callsSince(emu, mark))).toEqual([]);
  });

  it("an up changes nothing and leaves every resource's state as it was", async () => {
    const up = await s.up();
    expect(up.changes).toEqual([]);
    expect(up.providerChanges).toEqual([]);
    const after = await s.exportState();
    // Registration order may differ (it follows the program's promises), what is registered may not.
    expect(after.map((r) => r.urn).sort()).toEqual(before.map((r) => r.urn).sort());
    expect(kept(after)).toEqual(kept(before));
    // And the positions now name a real line of the .ts file that created the resource.
    for (const r of after as unknown as { sourcePosition?: string }[]) {
      const m = /^project:\/\/\/(.+\.ts)#(\d+),(\d+)$/.exec(r.sourcePosition ?? "");
      if (!m || m[1]?.includes("node_modules")) continue;
      const lines = readFileSync(path.resolve(s.workDir, m[1] as string), "utf8").split("\n").length;
      expect(Number(m[2])).toBeGreaterThan(2);
      expect(Number(m[2])).toBeLessThanOrEqual(lines);
    }
  });
});
