import { describe, expect, it } from "vitest";
import { parseStackFile, renderPrTemplate, SECURE_MARKER } from "../../../stacks/files";

describe("parseStackFile", () => {
  it("reports keys holding secure values as secret, without their ciphertext", () => {
    const { raw, secretKeys } = parseStackFile(`
encryptionsalt: v1:abc
config:
  coolify:token:
    secure: v1:AAAA:BBBB
  slipway:secrets:
    SESSION_SECRET:
      secure: v1:CCCC:DDDD
  slipway:domains: [a.example.com]
  pulumi:tags:
    value:
      team: web
`);
    expect(secretKeys).toEqual(["coolify:token", "slipway:secrets"]);
    expect(raw).toEqual({
      "coolify:token": SECURE_MARKER,
      "slipway:secrets": { SESSION_SECRET: SECURE_MARKER },
      "slipway:domains": ["a.example.com"],
      "pulumi:tags": { team: "web" },
    });
  });

  it("treats a file without config as empty", () => {
    expect(parseStackFile("encryptionsalt: v1:abc\n")).toEqual({ raw: {}, secretKeys: [] });
  });
});

describe("renderPrTemplate", () => {
  it("replaces every {{pr}}, nested and repeated", () => {
    expect(renderPrTemplate({ "slipway:targets": { fly: { appName: "shop-pr-{{pr}}" } }, "slipway:app": { env: { A: "{{pr}}-{{pr}}" } }, n: 3 }, 7)).toEqual({
      "slipway:targets": { fly: { appName: "shop-pr-7" } },
      "slipway:app": { env: { A: "7-7" } },
      n: 3,
    });
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects %s as a PR number", (n) => {
    expect(() => renderPrTemplate({}, n)).toThrow(`expected a pull-request number ≥ 1, got ${n}`);
  });
});
