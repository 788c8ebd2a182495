import { describe, expect, it } from "vitest";
import { coolifyApplicationProvider } from "../../../../components/coolify/application.provider";
import { coolifyDatabaseProvider } from "../../../../components/coolify/database.provider";
import { applicationInputsSchema } from "../../../../components/coolify/schemas";
import { parseInputs, UNKNOWN } from "../../../../components/provider";
import type { ApplicationInputs } from "../../../../components/coolify/types";
import { appInputs, dbInputs } from "./fixtures";

describe("provider check", () => {
  it("accepts valid inputs unchanged", async () => {
    const inputs = appInputs();
    expect(await coolifyApplicationProvider.check!(inputs, inputs)).toEqual({ inputs });
  });

  it("reports each invalid property with its path", async () => {
    const bad = appInputs({ image: "ghcr.io/acme/web:latest", ports: [0] });
    const result = await coolifyApplicationProvider.check!(bad, bad);
    expect(result.failures).toEqual([
      { property: "image", reason: "expected an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>" },
      { property: "ports.0", reason: "expected an integer from 1 to 65535" },
    ]);
  });

  it("rejects a domain that was not a plain host name once known", async () => {
    const bad = appInputs({ domains: ["http://a.example.com"] });
    expect((await coolifyApplicationProvider.check!(bad, bad)).failures).toEqual([
      { property: "domains.0", reason: "expected a lower-case host name like app.example.com, or with a container port like api.example.com:4000 (no path or wildcard)" },
    ]);
  });

  it("leaves values that are not known yet (preview) to a later check", async () => {
    const preview = { ...appInputs(), projectUuid: UNKNOWN, ports: UNKNOWN } as unknown as ApplicationInputs;
    expect((await coolifyApplicationProvider.check!(preview, preview)).failures).toBeUndefined();
    const db = { ...dbInputs(), password: UNKNOWN };
    expect((await coolifyDatabaseProvider.check!(db, db)).failures).toBeUndefined();
  });

  it("refuses to act on invalid inputs with one message listing every path", () => {
    expect(() => parseInputs("CoolifyApplication", applicationInputsSchema, { ...appInputs(), name: "", deploy: "yes" })).toThrow(
      "CoolifyApplication: invalid inputs: name: Too small: expected string to have >=1 characters; deploy: Invalid input: expected boolean, received string",
    );
  });
});
