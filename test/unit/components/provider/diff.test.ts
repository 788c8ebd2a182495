import { describe, expect, it } from "vitest";
import { diffFields, forEngine, isEqual } from "../../../../components/provider";

const connection = { apiUrl: "http://127.0.0.1:1", token: "a" };

describe("field diffs", () => {
  it("ignore key order, and count null and undefined as not set", () => {
    expect(isEqual({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
    expect(isEqual({ a: 1, b: undefined, c: null }, { a: 1 })).toBe(true);
    expect(isEqual(null, undefined)).toBe(true);
    expect(isEqual([1, 2], [2, 1])).toBe(false);
  });

  it("say per field whether it is added, deleted or updated, and which replace", () => {
    const result = diffFields(
      { connection, name: "a", region: "ewr", note: "x" },
      { connection, name: "b", region: "ams", size: 3 },
      { name: { kind: "update" }, region: { kind: "replace" }, note: { kind: "update" }, size: { kind: "update" } },
    );
    expect(result).toEqual({
      changes: true,
      replaces: ["region"],
      detailedDiff: {
        name: { kind: "update", inputDiff: true },
        region: { kind: "update-replace", inputDiff: true },
        note: { kind: "delete", inputDiff: true },
        size: { kind: "add", inputDiff: true },
      },
    });
  });

  it("diff maps key by key, quoting keys that are not identifiers", () => {
    const result = diffFields({ env: { A: "1", B: "2" } }, { env: { A: "1", B: "3", "X-Y": "4" } }, { env: { kind: "update", map: true } });
    expect(result.detailedDiff).toEqual({ "env.B": { kind: "update", inputDiff: true }, 'env["X-Y"]': { kind: "add", inputDiff: true } });
  });

  it("ignore a rotated token, replace on another API URL, and delete first only when asked", () => {
    const fields = { name: { kind: "update" as const } };
    expect(diffFields({ connection, name: "a" }, { connection: { ...connection, token: "b" }, name: "a" }, fields).changes).toBe(false);
    const moved = diffFields({ connection, name: "a" }, { connection: { ...connection, apiUrl: "http://127.0.0.1:2" }, name: "a" }, fields, { deleteBeforeReplace: true });
    expect(moved).toEqual({
      changes: true,
      replaces: ["connection"],
      detailedDiff: { "connection.apiUrl": { kind: "update-replace", inputDiff: true } },
      deleteBeforeReplace: true,
    });
    expect(diffFields({ name: "a" }, { name: "b" }, fields, { deleteBeforeReplace: true })).not.toHaveProperty("deleteBeforeReplace");
  });

  it("reach the engine as 'unknown' (it then diffs the inputs by key) or 'none'", () => {
    const changed = { changes: true, replaces: ["region"], detailedDiff: { region: { kind: "update-replace" as const, inputDiff: true } }, deleteBeforeReplace: true };
    expect(forEngine(changed)).toEqual({ changes: undefined, replaces: ["region"], deleteBeforeReplace: true, detailedDiff: changed.detailedDiff });
    expect(forEngine({ changes: false, replaces: [], detailedDiff: {} })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false, detailedDiff: {} });
  });
});
