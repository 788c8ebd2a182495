import { describe, expect, it } from "vitest";
import { generatedPasswordProvider, generatePassword, type GeneratedPasswordState } from "../../../components/password.provider";
import { GeneratedPassword } from "../../../components/password";

describe("generated passwords", () => {
  it("are the requested length, letters and digits only, and differ each time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(32);
      expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });

  it("use the whole alphabet (no characters lost to bias or a short table)", () => {
    const chars = new Set(generatePassword(20_000));
    expect(chars.size).toBe(62);
  });

  it("are kept across updates and regenerated only when length or keepers change", async () => {
    const { outs } = await generatedPasswordProvider.create({ length: 24, keepers: { rotation: "1" } });
    const olds = outs as GeneratedPasswordState;
    expect(olds.result).toHaveLength(24);
    const diff = generatedPasswordProvider.diff!;
    expect(await diff("id", olds, { length: 24, keepers: { rotation: "1" } })).toMatchObject({ changes: false, replaces: [] });
    expect(await diff("id", olds, { length: 32, keepers: { rotation: "1" } })).toMatchObject({ changes: undefined, replaces: ["length"] });
    expect(await diff("id", olds, { length: 24, keepers: { rotation: "2" } })).toMatchObject({ changes: undefined, replaces: ["keepers"] });
    // State written without keepers is the same as empty keepers: no new password.
    expect(await diff("id", { length: 24, result: olds.result } as GeneratedPasswordState, { length: 24, keepers: {} })).toMatchObject({ changes: false });
  });

  it("rejects lengths that are too short to be a credential", () => {
    expect(() => new GeneratedPassword("db", { length: 8 })).toThrow("GeneratedPassword db: length: expected an integer from 16 to 128, got 8");
  });
});
