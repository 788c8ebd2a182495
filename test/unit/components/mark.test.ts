import { describe, expect, it } from "vitest";
import { carriesAnyMark, carriesMark, markedVolumeName, markOf, ownerOf, withMark, withoutMark } from "../../../components/mark";

describe("ownership marks", () => {
  const owner = ownerOf("slipway", "production", "fly-volume-media-0");

  it("are the same for every run of one resource and differ for its siblings, other stacks and other placements", () => {
    const mark = markOf(owner, ["shop-production", "ewr"]);
    expect(mark).toMatch(/^slipway-[0-9a-f]{12}$/);
    expect(markOf(ownerOf("slipway", "production", "fly-volume-media-0"), ["shop-production", "ewr"])).toBe(mark);
    const others = [
      markOf(ownerOf("slipway", "production", "fly-volume-media-1"), ["shop-production", "ewr"]),
      markOf(ownerOf("slipway", "pr-7", "fly-volume-media-0"), ["shop-production", "ewr"]),
      markOf(owner, ["shop-production", "iad"]),
    ];
    expect(new Set([mark, ...others]).size).toBe(4);
  });

  it("ride at the end of a description and come off again, leaving what the user declared", () => {
    const mark = markOf(owner);
    expect(withMark("Shop storefront", mark)).toBe(`Shop storefront (${mark})`);
    expect(withMark(undefined, mark)).toBe(`(${mark})`);
    expect(withMark(`Shop (${markOf("other")})`, mark)).toBe(`Shop (${mark})`);
    expect(withoutMark(`Shop storefront (${mark})`)).toBe("Shop storefront");
    expect(withoutMark(`(${mark})`)).toBeUndefined();
    expect(withoutMark("made by hand")).toBe("made by hand");
    expect(carriesMark(`Shop (${mark})`, mark)).toBe(true);
    expect(carriesMark(`Shop (${markOf("other")})`, mark)).toBe(false);
    expect(carriesMark("Shop", mark)).toBe(false);
    expect(carriesAnyMark(`x (${markOf("other")})`)).toBe(true);
    expect(carriesAnyMark("x (slipway)")).toBe(false);
  });

  it("fit a Fly volume name: [a-z0-9_], at most 30 characters", () => {
    const mark = markOf(owner);
    expect(markedVolumeName("media", mark)).toBe(`media_${mark.slice(8, 16)}`);
    const long = markedVolumeName("a".repeat(30), mark);
    expect(long).toHaveLength(30);
    expect(long).toMatch(/^[a-z0-9_]{1,30}$/);
  });
});
