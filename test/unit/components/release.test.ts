import { describe, expect, it } from "vitest";
import { keepRelease, releaseProvider, type ReleaseState } from "../../../components/release.provider";

const img = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;
const released: ReleaseState = { imageRef: img("b"), pinned: true, commit: "bbbbbbb", tag: "v1.2.0", time: "2026-11-25T13:00:00Z", actor: "ci" };

describe("the release a plain pulumi up keeps", () => {
  it("keeps the released image (and its record) when the committed config names an older digest", () => {
    expect(keepRelease(released, { imageRef: img("a"), pinned: false })).toEqual({ inputs: released });
  });

  it("a release replaces the released image", () => {
    const next: ReleaseState = { imageRef: img("c"), pinned: true, commit: "ccccccc" };
    expect(keepRelease(released, next)).toEqual({ inputs: next });
  });

  it("a stack git has always driven follows git", () => {
    const git: ReleaseState = { imageRef: img("a"), pinned: false };
    expect(keepRelease(git, { imageRef: img("c"), pinned: false })).toEqual({ inputs: { imageRef: img("c"), pinned: false } });
  });

  it("no image in this run: keeps the old one, or fails with the reason when there is none", () => {
    expect(keepRelease(released, { pinned: false, unavailable: "build only in a release" })).toEqual({ inputs: released });
    expect(keepRelease({}, { pinned: false, unavailable: "build only in a release" })).toEqual({ failure: "build only in a release" });
  });

  it("check refuses an image that is not pinned by digest, as slipway:image does", async () => {
    const r = await releaseProvider.check({}, { imageRef: "ghcr.io/acme/shop:latest", pinned: true });
    expect(r.failures).toEqual([{ property: "imageRef", reason: "expected an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>" }]);
  });

  it("check rewrites the inputs but keeps the dynamic-provider host's __provider", async () => {
    const r = await releaseProvider.check(released, { __provider: "serialized", imageRef: img("a"), pinned: false, unavailable: "x" });
    expect(r.inputs).toEqual({ __provider: "serialized", ...released });
    const failed = await releaseProvider.check({}, { __provider: "serialized", pinned: false, unavailable: "no release yet" });
    expect(failed.failures).toEqual([{ property: "imageRef", reason: "no release yet" }]);
  });

  it("diff reports a change only when a recorded field differs, and never replaces", async () => {
    expect(await releaseProvider.diff("release", released, { ...released })).toMatchObject({ changes: false, replaces: [] });
    // The kit's one answer for a change (components/provider/diff.ts forEngine): the engine diffs the inputs itself.
    expect(await releaseProvider.diff("release", released, { ...released, imageRef: img("c") })).toMatchObject({
      changes: undefined,
      replaces: [],
      detailedDiff: { imageRef: { kind: "update", inputDiff: true } },
    });
  });
});
