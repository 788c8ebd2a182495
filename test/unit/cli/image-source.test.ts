import { describe, expect, it } from "vitest";
import { parseCommand } from "../../../infra/cli/args";
import { imageSourceFor, promotedImage } from "../../../infra/cli/image-source";
import { releaseMessage, releasesFrom, rollbackMessage, selectRollbackTarget, type HistoryEntry } from "../../../infra/cli/releases";

const img = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;
const C1 = "1".repeat(40);
const C2 = "2".repeat(40);

function update(version: number, release: Record<string, string>, message: string, result = "succeeded"): HistoryEntry {
  return {
    version,
    kind: "update",
    result,
    message,
    startTime: new Date(Date.UTC(2026, 10, version)),
    // The committed seed never changes: what differs between releases is the digest each one pinned.
    config: { "slipway:image": { value: JSON.stringify({ kind: "pinned", ref: img("0") }), secret: false }, "slipway:release": { value: JSON.stringify(release), secret: false } },
  };
}

describe("where a deploy's image comes from", () => {
  const cfg = (image: unknown) => ({ "slipway:image": { value: JSON.stringify(image), secret: false } });

  it("--image wins; build and flox build; fromStack promotes; pinned keeps the current release", () => {
    expect(imageSourceFor(cfg({ kind: "build" }), img("a"))).toEqual({ kind: "given", image: img("a") });
    expect(imageSourceFor(cfg({ kind: "build" }), undefined)).toEqual({ kind: "build" });
    expect(imageSourceFor(cfg({ kind: "flox" }), undefined)).toEqual({ kind: "build" });
    expect(imageSourceFor(cfg({ kind: "fromStack", stack: "acme/slipway/staging" }), undefined)).toEqual({ kind: "promote", from: "acme/slipway/staging" });
    expect(imageSourceFor(cfg({ kind: "pinned", ref: img("0") }), undefined)).toEqual({ kind: "keep" });
  });

  it("--promote-from and --image exclude each other; the source must be a stack name", () => {
    expect(parseCommand(["deploy", "production", "--promote-from", "staging"])).toMatchObject({ kind: "deploy", promoteFrom: "staging" });
    expect(() => parseCommand(["deploy", "production", "--promote-from", "staging", "--image", img("a")])).toThrow("slipway deploy: give --image or --promote-from, not both");
    expect(() => parseCommand(["deploy", "production", "--promote-from", "no such"])).toThrow('"no such" is not a stack name');
  });
});

describe("promotion: exactly what the source ran healthy for the commit", () => {
  const history = releasesFrom([
    update(1, { commit: C1, image: img("a") }, releaseMessage(undefined, {})),
    update(2, { commit: C2, image: img("b") }, releaseMessage(undefined, {})),
    update(3, { commit: C1, image: img("a") }, rollbackMessage(1, 2)),
  ]);

  it("finds the digest of a commit staging ran healthy", () => {
    const found = promotedImage("staging", history, C1);
    expect(found).toMatchObject({ image: img("a"), from: { version: 3 } });
  });

  it("refuses a commit whose release an automatic rollback marked unhealthy, or that never ran", () => {
    expect(promotedImage("staging", history, C2)).toEqual({
      refusal: "staging never ran commit 2222222 healthy, so there is no tested digest to promote; deploy it to staging first (staging's latest releases: #1 1111111 healthy, #2 2222222 unhealthy, #3 1111111 healthy)",
    });
    expect(promotedImage("staging", history, "3".repeat(40))).toMatchObject({ refusal: expect.stringMatching(/^staging never ran commit 3333333 healthy/) });
    expect(promotedImage("staging", history, undefined)).toMatchObject({ refusal: expect.stringMatching(/needs the commit being released/) });
  });

  it("rollback tells releases apart by their pinned digest even when the rest of the config is equal", () => {
    const releases = releasesFrom([update(1, { commit: C1, image: img("a") }, releaseMessage(undefined, {})), update(2, { commit: C2, image: img("b") }, releaseMessage(undefined, {}))]);
    expect(selectRollbackTarget(releases).version).toBe(1);
  });

  it("a build update recorded no digest, so it is never a rollback target", () => {
    const releases = releasesFrom([update(1, { commit: C1 }, "slipway build: 1111111"), update(2, { commit: C1, image: img("a") }, releaseMessage(undefined, {}))]);
    expect(releases.map((r) => r.role)).toEqual(["build", "release"]);
    expect(() => selectRollbackTarget(releases, "1")).toThrow("update #1 recorded no image digest, so it cannot be rerun exactly");
  });
});
