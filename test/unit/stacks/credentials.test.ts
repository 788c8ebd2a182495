import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { resolveCredentials, type CredentialSources } from "../../../stacks/credentials";
import { parseStackConfig } from "../../../stacks/config";
import { outputWithSecrecy } from "../mocks";
import { stackInput } from "./fixtures";

const staging = parseStackConfig(stackInput("staging").raw, stackInput("staging").secretKeys);
const production = parseStackConfig(stackInput("production").raw, stackInput("production").secretKeys);

function sources(config: Record<string, { value: string; secret: boolean }>, env: Record<string, string> = {}): CredentialSources {
  return { config: (ns, key) => config[`${ns}:${key}`], env };
}

describe("resolveCredentials", () => {
  it("asks only for the platforms the config uses", () => {
    const { credentials, problems } = resolveCredentials(production, sources({}, { FLY_API_TOKEN: "fo1_x", GITHUB_TOKEN: "ghp_x" }));
    expect(problems).toEqual([]);
    expect(credentials.coolify).toBeUndefined();
    expect(credentials.fly?.apiUrl).toBe("https://api.machines.dev");
    expect(credentials.github?.apiUrl).toBeUndefined();
  });

  it("prefers provider config over the environment and keeps tokens secret", async () => {
    const { credentials, problems } = resolveCredentials(
      staging,
      sources(
        { "coolify:url": { value: "https://coolify.example.com/api/v1/", secret: false }, "coolify:token": { value: "from-config", secret: true }, "github:baseUrl": { value: "https://ghe.example.com/api/v3", secret: false } },
        { COOLIFY_TOKEN: "from-env", GITHUB_TOKEN: "ghp_env" },
      ),
    );
    expect(problems).toEqual([]);
    expect(credentials.coolify?.apiUrl).toBe("https://coolify.example.com/api/v1");
    expect(await outputWithSecrecy(credentials.coolify?.token as pulumi.Output<string>)).toEqual({ value: "from-config", secret: true });
    expect(await outputWithSecrecy(credentials.github?.token as pulumi.Output<string>)).toEqual({ value: "ghp_env", secret: true });
    expect(credentials.github?.apiUrl).toBe("https://ghe.example.com/api/v3");
  });

  it("accepts plain http only for local emulators", () => {
    const local = resolveCredentials(staging, sources({}, { COOLIFY_URL: "http://127.0.0.1:8123/api/v1", COOLIFY_TOKEN: "t", GITHUB_TOKEN: "g" }));
    expect(local.problems).toEqual([]);
    const remote = resolveCredentials(staging, sources({}, { COOLIFY_URL: "http://coolify.lan/api/v1", COOLIFY_TOKEN: "t", GITHUB_TOKEN: "g" }));
    expect(remote.problems).toEqual(['coolify:url: expected an https:// URL (http:// only for localhost), got "http://coolify.lan/api/v1"']);
  });
});
