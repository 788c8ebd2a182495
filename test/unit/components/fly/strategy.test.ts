import { describe, expect, it } from "vitest";
import { describePlan, planDeploy, planRevert, progressAt, type CurrentMachine, type PlanInput } from "../../../../components/fly/strategy";

const NEW = "new-fp";
const old = (...ids: string[]): CurrentMachine[] => ids.map((id) => ({ id, fingerprint: "old-fp" }));
const fresh = (...ids: string[]): CurrentMachine[] => ids.map((id) => ({ id, fingerprint: NEW }));
const plan = (input: Partial<PlanInput> & Pick<PlanInput, "current" | "strategy">) =>
  planDeploy({ desired: NEW, count: input.current.length, maxUnavailable: 1, ...input });

describe("rolling", () => {
  it("updates one machine at a time by default, each gated on checks", () => {
    expect(plan({ current: old("m3", "m1", "m2"), strategy: "rolling" })).toEqual([
      { op: "update", machineIds: ["m1"], wait: true },
      { op: "update", machineIds: ["m2"], wait: true },
      { op: "update", machineIds: ["m3"], wait: true },
    ]);
  });

  it("batches by maxUnavailable, last batch smaller", () => {
    expect(plan({ current: old("a", "b", "c", "d", "e"), strategy: "rolling", maxUnavailable: 2 })).toEqual([
      { op: "update", machineIds: ["a", "b"], wait: true },
      { op: "update", machineIds: ["c", "d"], wait: true },
      { op: "update", machineIds: ["e"], wait: true },
    ]);
  });

  it("skips machines already on the desired config", () => {
    expect(plan({ current: [...fresh("a"), ...old("b")], strategy: "rolling" })).toEqual([
      { op: "update", machineIds: ["b"], wait: true },
    ]);
  });

  it("plans nothing when everything is current", () => {
    expect(plan({ current: fresh("a", "b"), strategy: "rolling" })).toEqual([]);
  });

  it("creates the missing machines after updating, and a first deploy is creates only", () => {
    expect(plan({ current: old("a"), strategy: "rolling", count: 3 })).toEqual([
      { op: "update", machineIds: ["a"], wait: true },
      { op: "create", count: 2, wait: true },
    ]);
    expect(plan({ current: [], strategy: "rolling", count: 2 })).toEqual([{ op: "create", count: 2, wait: true }]);
  });

  it("scales down by destroying stale machines first (never updating them), destroys last", () => {
    expect(plan({ current: [...fresh("a"), ...old("b", "c")], strategy: "rolling", count: 2 })).toEqual([
      { op: "update", machineIds: ["c"], wait: true },
      { op: "destroy", machineIds: ["b"] },
    ]);
    expect(plan({ current: fresh("a", "b", "c"), strategy: "rolling", count: 1 })).toEqual([
      { op: "destroy", machineIds: ["a", "b"] },
    ]);
  });

  it("treats machines slipway never configured as stale", () => {
    expect(plan({ current: [{ id: "x", fingerprint: undefined }], strategy: "rolling" })).toEqual([
      { op: "update", machineIds: ["x"], wait: true },
    ]);
  });

  it("rejects a maxUnavailable below 1", () => {
    expect(() => plan({ current: old("a"), strategy: "rolling", maxUnavailable: 0 })).toThrow(
      "maxUnavailable must be an integer ≥ 1, got 0",
    );
  });
});

describe("canary", () => {
  it("updates one machine first, then all the rest together", () => {
    expect(plan({ current: old("a", "b", "c", "d"), strategy: "canary" })).toEqual([
      { op: "update", machineIds: ["a"], wait: true },
      { op: "update", machineIds: ["b", "c", "d"], wait: true },
    ]);
  });

  it("with a single machine is just that machine", () => {
    expect(plan({ current: old("a"), strategy: "canary" })).toEqual([{ op: "update", machineIds: ["a"], wait: true }]);
  });

  it("on a first deploy creates one canary machine, then the others", () => {
    expect(plan({ current: [], strategy: "canary", count: 3 })).toEqual([
      { op: "create", count: 1, wait: true },
      { op: "create", count: 2, wait: true },
    ]);
  });
});

describe("bluegreen", () => {
  it("creates a full green set outside the proxy, waits, routes to it, then cordons and destroys the blue set", () => {
    expect(plan({ current: old("b1", "b2"), strategy: "bluegreen" })).toEqual([
      { op: "create", count: 2, wait: true, unrouted: true },
      { op: "route" },
      { op: "cordon", machineIds: ["b1", "b2"] },
      { op: "destroy", machineIds: ["b1", "b2"] },
    ]);
  });

  it("sizes the green set to the desired count, replacing even machines already current", () => {
    expect(plan({ current: [...fresh("a"), ...old("b")], strategy: "bluegreen", count: 3 })).toEqual([
      { op: "create", count: 3, wait: true, unrouted: true },
      { op: "route" },
      { op: "cordon", machineIds: ["a", "b"] },
      { op: "destroy", machineIds: ["a", "b"] },
    ]);
  });

  it("only scales when nothing changed", () => {
    expect(plan({ current: fresh("a"), strategy: "bluegreen", count: 2 })).toEqual([{ op: "create", count: 1, wait: true }]);
    expect(plan({ current: fresh("a", "b"), strategy: "bluegreen", count: 1 })).toEqual([{ op: "destroy", machineIds: ["a"] }]);
  });
});

describe("immediate", () => {
  it("updates every stale machine at once and does not wait", () => {
    expect(plan({ current: old("a", "b", "c"), strategy: "immediate", count: 4 })).toEqual([
      { op: "update", machineIds: ["a", "b", "c"], wait: false },
      { op: "create", count: 1, wait: false },
    ]);
  });
});

describe("revert", () => {
  it("after a failure in the second rolling batch restores every updated machine, newest first", () => {
    const steps = plan({ current: old("a", "b", "c", "d"), strategy: "rolling", maxUnavailable: 2 });
    // Batch 1 (a, b) passed; batch 2 was applied to c and d, and d failed its checks.
    expect(steps[1]).toEqual({ op: "update", machineIds: ["c", "d"], wait: true });
    expect(planRevert({ updated: ["a", "b", "c", "d"], created: [], cordoned: [] })).toEqual([
      { op: "restore", machineIds: ["d", "c", "b", "a"] },
    ]);
  });

  it("after a failed green set destroys the green machines and leaves blue alone", () => {
    expect(planRevert({ updated: [], created: ["g1", "g2"], cordoned: [] })).toEqual([
      { op: "destroy", machineIds: ["g1", "g2"] },
    ]);
  });

  it("puts cordoned machines back into rotation before anything else", () => {
    expect(planRevert({ updated: ["a"], created: ["n1"], cordoned: ["b1"] })).toEqual([
      { op: "uncordon", machineIds: ["b1"] },
      { op: "restore", machineIds: ["a"] },
      { op: "destroy", machineIds: ["n1"] },
    ]);
  });

  it("derives the revert of step k from the plan itself", () => {
    const rolling = plan({ current: old("a", "b", "c"), strategy: "rolling" });
    expect(planRevert(progressAt(rolling, 0))).toEqual([{ op: "restore", machineIds: ["a"] }]);
    expect(planRevert(progressAt(rolling, 2))).toEqual([{ op: "restore", machineIds: ["c", "b", "a"] }]);

    const canary = plan({ current: old("a", "b", "c"), strategy: "canary", count: 4 });
    // The rest-of-the-fleet batch and then the extra machine: failing at the create reverts all three updates.
    expect(planRevert(progressAt(canary, 2, ["n1"]))).toEqual([
      { op: "restore", machineIds: ["c", "b", "a"] },
      { op: "destroy", machineIds: ["n1"] },
    ]);

    const bluegreen = plan({ current: old("b1", "b2"), strategy: "bluegreen" });
    expect(planRevert(progressAt(bluegreen, 0, ["g1", "g2"]))).toEqual([{ op: "destroy", machineIds: ["g1", "g2"] }]);
    expect(planRevert(progressAt(bluegreen, 2, ["g1", "g2"]))).toEqual([
      { op: "uncordon", machineIds: ["b1", "b2"] },
      { op: "destroy", machineIds: ["g1", "g2"] },
    ]);
  });

  it("has nothing to do when nothing changed", () => {
    expect(planRevert({ updated: [], created: [], cordoned: [] })).toEqual([]);
  });
});

it("describes a plan one numbered line per step", () => {
  expect(describePlan(plan({ current: old("b1"), strategy: "bluegreen" }))).toEqual([
    "1/4 create 1 machine(s) outside the proxy and wait for checks",
    "2/4 route traffic to the new machines",
    "3/4 cordon b1",
    "4/4 destroy b1",
  ]);
});
