import { describe, expect, it } from "vitest";
import {
  formatReleases,
  releaseMessage,
  releasesFrom,
  rollbackMessage,
  selectRollbackTarget,
  type HistoryEntry,
} from "../../../infra/cli/releases";

const img = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;

function update(version: number, image: string, message: string, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    version,
    kind: "update",
    result: "succeeded",
    message,
    startTime: new Date(Date.UTC(2026, 10, version)),
    config: {
      "slipway:image": { value: JSON.stringify({ ref: image }), secret: false },
      "slipway:release": { value: JSON.stringify({ image, tag: `v1.${version}.0`, commit: `${version}`.repeat(8) }), secret: false },
      "slipway:secrets": { value: "[secret]", secret: true },
    },
    ...extra,
  };
}

describe("releases from the update history", () => {
  const history: HistoryEntry[] = [
    update(3, img("c"), releaseMessage(undefined, { tag: "v1.3.0", commit: "33333333" })),
    update(1, img("a"), releaseMessage("first", {})),
    { ...update(2, img("b"), releaseMessage(undefined, {})), kind: "preview" },
    update(2, img("b"), releaseMessage(undefined, {})),
    update(4, img("b"), rollbackMessage(2, 3)),
  ];

  it("orders updates, ignores previews and marks releases an automatic rollback reverted", () => {
    const releases = releasesFrom(history);
    expect(releases.map((r) => [r.version, r.role, r.healthy])).toEqual([
      [1, "release", true],
      [2, "release", true],
      [3, "release", false],
      [4, "automatic-rollback", true],
    ]);
    expect(releases[2]?.info).toMatchObject({ tag: "v1.3.0", image: img("c") });
  });

  it("rolls back by default to the newest healthy release that runs something else", () => {
    // #4 runs image b again (the rollback of #3); #3 is unhealthy; #2 is the same as now; so: #1.
    expect(selectRollbackTarget(releasesFrom(history)).version).toBe(1);
  });

  it("rolls back to an explicit version, tag or commit", () => {
    const releases = releasesFrom(history);
    expect(selectRollbackTarget(releases, "2").version).toBe(2);
    expect(selectRollbackTarget(releases, "v1.1.0").version).toBe(1);
    expect(selectRollbackTarget(releases, "33333333").version).toBe(3);
    expect(() => selectRollbackTarget(releases, "v9.9.9")).toThrow(
      'no successful update matches "v9.9.9"; known: #1 (v1.1.0), #2 (v1.2.0), #3 (v1.3.0), #4 (v1.4.0)',
    );
  });

  it("refuses when there is nothing earlier", () => {
    expect(() => selectRollbackTarget(releasesFrom([update(1, img("a"), "x")]))).toThrow(
      "nothing to roll back to: no earlier healthy release differs from update #1",
    );
    expect(() => selectRollbackTarget([])).toThrow("this stack has no successful update to roll back from");
  });

  it("skips failed updates as targets", () => {
    const releases = releasesFrom([update(1, img("a"), "r1"), { ...update(2, img("b"), "r2"), result: "failed" }, update(3, img("c"), "r3")]);
    expect(selectRollbackTarget(releases).version).toBe(1);
  });

  it("prints a table newest first", () => {
    const table = formatReleases(releasesFrom(history)).split("\n");
    expect(table[0]).toMatch(/^version\s+kind\s+tag\s+commit\s+image\s+time\s+result$/);
    expect(table[1]).toMatch(/^#4\s+automatic-rollback\s+v1\.4\.0/);
    expect(table[2]).toContain("unhealthy (rolled back)");
    expect(table).toHaveLength(5);
  });
});

describe("releases from a DIY (file://) backend's history, which records every version as 0", () => {
  // As `pulumi stack history --json` on a file backend lists them: newest first, all version 0, second resolution.
  const sameSecond = new Date(Date.UTC(2026, 10, 25, 13, 0, 0));
  const history: HistoryEntry[] = [
    update(0, img("a"), rollbackMessage(1), { startTime: new Date(Date.UTC(2026, 10, 25, 13, 5)) }),
    update(0, img("b"), releaseMessage("second", {}), { startTime: sameSecond }),
    update(0, img("a"), releaseMessage("first", {}), { startTime: sameSecond }),
  ];

  it("numbers updates by their position, oldest = 1, so a rollback can name its target", () => {
    const releases = releasesFrom(history);
    expect(releases.map((r) => [r.version, r.role, r.message])).toEqual([
      [1, "release", "slipway release: first"],
      [2, "release", "slipway release: second"],
      [3, "rollback", "slipway rollback to update #1"],
    ]);
    expect(selectRollbackTarget(releases.slice(0, 2)).version).toBe(1);
  });
});

describe("operation numbers on backends that do not record them", () => {
  it("numbers operations by start time, as Pulumi Cloud does", () => {
    const at = (d: number) => new Date(Date.UTC(2026, 10, 1, 0, d));
    const diy = (kind: string, minute: number, message: string): HistoryEntry => ({ ...update(0, img("a"), message), kind, startTime: at(minute) });
    const releases = releasesFrom([
      diy("update", 30, releaseMessage("third", {})),
      diy("update", 10, releaseMessage("first", {})),
      diy("refresh", 20, "a refresh"),
    ]);
    expect(releases.map((r) => [r.version, r.message])).toEqual([
      [1, "slipway release: first"],
      [3, "slipway release: third"],
    ]);
  });
});
