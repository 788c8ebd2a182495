import { afterEach, describe, expect, it, vi } from "vitest";
import { outputOf, setupMocks, type MockRegistry } from "../../mocks";

const HOOK = "github:index/repositoryWebhook:RepositoryWebhook";
const URL_WITH_TOKEN = "https://coolify.home.example.com/api/v1/deploy?uuid=abc&token=t0k";

let registry: MockRegistry;
async function load(): Promise<typeof import("../../../../components/github/webhook")> {
  vi.resetModules();
  registry = setupMocks();
  return import("../../../../components/github/webhook");
}

afterEach(async () => {
  await registry.settled();
});

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function secretValue(v: unknown): unknown {
  expect(v).toBeTypeOf("object");
  expect((v as Record<string, unknown>)[SECRET_SIG]).toBe("1b47061264138c4ac30d75fd1eb44270");
  return (v as Record<string, unknown>).value;
}

describe("GithubDeployWebhook", () => {
  it("creates a json push hook with TLS verification, URL and secret kept secret", async () => {
    const { GithubDeployWebhook } = await load();
    const hook = new GithubDeployWebhook("deploy", { repository: "shop", url: URL_WITH_TOKEN, secret: "whsec" });
    expect(await outputOf(hook.events)).toEqual(["push"]);
    expect(await outputOf(hook.hookId)).toBe("deploy-hook-id");
    await registry.settled();
    const h = registry.one(HOOK);
    expect(h.inputs).toMatchObject({ repository: "shop", events: ["push"], active: true });
    expect(secretValue(h.inputs.configuration)).toEqual({
      url: URL_WITH_TOKEN,
      secret: "whsec",
      contentType: "json",
      insecureSsl: false,
    });
  });

  it("honours events and active", async () => {
    const { GithubDeployWebhook } = await load();
    new GithubDeployWebhook("d", { repository: "shop", url: "https://x.example", secret: "s", events: ["push", "release"], active: false });
    await registry.settled();
    expect(registry.one(HOOK).inputs).toMatchObject({ events: ["push", "release"], active: false });
  });

  it.each([
    [{ url: "http://coolify.example/deploy" }, 'GithubDeployWebhook "d": url must use https, got http'],
    [{ url: "not a url?token=t0k" }, 'GithubDeployWebhook "d": url is not a valid URL'],
    [{ events: [] }, 'GithubDeployWebhook "d": events must list at least one event'],
    [{ events: ["*", "push"] }, 'GithubDeployWebhook "d": events "*" already subscribes to every event; do not combine it with others'],
    [{ events: ["Push"] }, 'GithubDeployWebhook "d": "Push" is not a GitHub webhook event name'],
  ])("rejects %j before registering anything", async (bad, message) => {
    const { GithubDeployWebhook } = await load();
    let thrown: unknown;
    try {
      new GithubDeployWebhook("d", { repository: "shop", url: "https://x.example", secret: "s", ...bad });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(message);
    // The message must never echo a URL that may carry a token.
    expect((thrown as Error).message).not.toContain("t0k");
    await registry.settled();
    expect(registry.resources).toHaveLength(0);
  });
});
