import { describe, expect, it } from "vitest";
import { bulkEnvBody, isEmptyPlan, planEnvChanges } from "../../../../components/coolify/envvars";

const v = (uuid: string, key: string, value: string, is_preview = false) => ({ uuid, key, value, is_preview });

describe("env var planning", () => {
  it("upserts new and changed keys and leaves equal ones alone", () => {
    const plan = planEnvChanges([v("1", "A", "1"), v("2", "B", "old")], { A: "1", B: "new", C: "3" }, ["A", "B"]);
    expect(plan).toEqual({ upsert: [{ key: "B", value: "new" }, { key: "C", value: "3" }], remove: [] });
  });

  it("deletes keys slipway managed and dropped, never foreign ones", () => {
    const plan = planEnvChanges([v("1", "A", "1"), v("2", "GONE", "x"), v("3", "MANUAL", "y")], { A: "1" }, ["A", "GONE"]);
    expect(plan).toEqual({ upsert: [], remove: [{ uuid: "2", key: "GONE" }] });
  });

  it("ignores preview copies and removes duplicates of a managed key", () => {
    const plan = planEnvChanges([v("1", "A", "1"), v("p", "A", "other", true), v("dup", "A", "stale")], { A: "1" }, []);
    expect(plan).toEqual({ upsert: [], remove: [{ uuid: "dup", key: "A" }] });
    expect(isEmptyPlan(planEnvChanges([v("1", "A", "1")], { A: "1" }, ["A"]))).toBe(true);
  });

  it("puts back a value changed by hand", () => {
    expect(planEnvChanges([v("1", "A", "hand")], { A: "1" }, ["A"]).upsert).toEqual([{ key: "A", value: "1" }]);
  });

  it("compares a value Coolify hides (no read:sensitive) with what slipway last wrote", () => {
    const hidden = (uuid: string, key: string) => ({ uuid, key, is_preview: false });
    expect(isEmptyPlan(planEnvChanges([hidden("1", "A")], { A: "1" }, ["A"], { A: "1" }))).toBe(true);
    expect(planEnvChanges([hidden("1", "A")], { A: "2" }, ["A"], { A: "1" }).upsert).toEqual([{ key: "A", value: "2" }]);
    // Never written by slipway: its value is unknown, so it is written.
    expect(planEnvChanges([hidden("1", "B")], { B: "x" }, [], {}).upsert).toEqual([{ key: "B", value: "x" }]);
  });

  it("sends spec fields only, literal so `$` in secrets is not expanded", () => {
    expect(bulkEnvBody([{ key: "PW", value: "a$b" }])).toEqual({
      data: [{ key: "PW", value: "a$b", is_preview: false, is_literal: true }],
    });
  });
});
