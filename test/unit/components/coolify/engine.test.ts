import { describe, expect, it } from "vitest";
import { engineProvider, forEngine, withoutUndefined } from "../../../../components/coolify/engine";
import type { FieldDiffResult } from "../../../../components/coolify/diff";

describe("what the dynamic-provider host can carry", () => {
  it("drops undefined members, which Struct.fromJavaScript refuses", () => {
    expect(withoutUndefined({ a: 1, b: undefined, c: { d: undefined, e: [1, undefined] } })).toEqual({ a: 1, c: { e: [1, null] } });
    expect(JSON.stringify(withoutUndefined({ x: undefined }))).toBe("{}");
  });

  it("answers 'unknown' when something changed (the engine then diffs keys itself) and 'none' otherwise", () => {
    const changed: FieldDiffResult = {
      changes: true,
      replaces: ["serverUuid"],
      deleteBeforeReplace: true,
      detailedDiff: { serverUuid: { kind: "update-replace", inputDiff: true } },
    };
    expect(forEngine(changed)).toEqual({ changes: undefined, replaces: ["serverUuid"], deleteBeforeReplace: true, detailedDiff: changed.detailedDiff });
    expect(forEngine({ changes: false, replaces: [], detailedDiff: {}, deleteBeforeReplace: false }).changes).toBe(false);
  });

  it("reports refreshed values as inputs without the output-only keys, and a gone resource as empty", async () => {
    interface I { name: string; note?: string }
    interface O extends I { uuid: string }
    let gone = false;
    const provider = engineProvider<I, O>(
      {
        check: async (_o, n) => ({ inputs: n }),
        diff: () => ({ changes: false, replaces: [], detailedDiff: {} }),
        create: async (i) => ({ id: "u1", outs: { ...i, uuid: "u1", note: undefined } }),
        read: async (id) => (gone ? {} : { id, props: { name: "hand-renamed", uuid: id, note: undefined } }),
        update: async (_id, o, n) => ({ outs: { ...o, ...n } }),
        delete: async () => undefined,
      },
      ["uuid"],
    );
    expect(await provider.create({ name: "a" })).toEqual({ id: "u1", outs: { name: "a", uuid: "u1" } });
    expect(await provider.read!("u1", { name: "a", uuid: "u1" })).toEqual({
      id: "u1",
      props: { name: "hand-renamed", uuid: "u1" },
      inputs: { name: "hand-renamed" },
    });
    gone = true;
    expect(await provider.read!("u1", { name: "a", uuid: "u1" })).toEqual({});
  });
});
