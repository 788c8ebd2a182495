import { afterEach, describe, expect, it, vi } from "vitest";
import { outputOf, setupMocks, type MockOptions, type MockRegistry } from "../../mocks";

const ENV = "github:index/repositoryEnvironment:RepositoryEnvironment";
const POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
const VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";

let registry: MockRegistry;
async function load(options: MockOptions = {}): Promise<{
  env: typeof import("../../../../components/github/environment");
  pulumi: typeof import("@pulumi/pulumi");
  github: typeof import("@pulumi/github");
}> {
  vi.resetModules();
  registry = setupMocks(options);
  const [env, pulumi, github] = await Promise.all([
    import("../../../../components/github/environment"),
    import("@pulumi/pulumi"),
    import("@pulumi/github"),
  ]);
  return { env, pulumi, github };
}

// registerOutputs lands asynchronously; let it reach this test's mock monitor before the next test replaces it.
afterEach(async () => {
  await registry.settled();
});

/** Secret inputs reach the mock monitor wrapped in Pulumi's secret signature. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function secretValue(v: unknown): unknown {
  expect(v).toBeTypeOf("object");
  expect((v as Record<string, unknown>)[SECRET_SIG]).toBe("1b47061264138c4ac30d75fd1eb44270");
  return (v as Record<string, unknown>).value;
}

describe("GithubEnvironment", () => {
  it("declares a production environment: reviewers, wait timer, tag policy, secrets and variables", async () => {
    const { env, pulumi } = await load();
    const prod = new env.GithubEnvironment("production", {
      repository: "shop",
      environment: "production",
      reviewers: { users: [583231], teams: [1234567] },
      waitTimer: 10,
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentPolicy: { tags: ["v*.*.*"] },
      secrets: { FLY_API_TOKEN: pulumi.secret("fly-tok"), PULUMI_ACCESS_TOKEN: "pul-tok" },
      variables: { SLIPWAY_STACK: "production" },
    });
    expect(await outputOf(prod.environmentName)).toBe("production");
    expect(await outputOf(prod.secretNames)).toEqual(["FLY_API_TOKEN", "PULUMI_ACCESS_TOKEN"]);
    expect(await outputOf(prod.policyPatterns)).toEqual(["tag:v*.*.*"]);
    await registry.settled();

    expect(registry.one(ENV).inputs).toMatchObject({
      repository: "shop",
      environment: "production",
      reviewers: [{ users: [583231], teams: [1234567] }],
      waitTimer: 10,
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: { customBranchPolicies: true, protectedBranches: false },
    });
    const policy = registry.one(POLICY);
    expect(policy.inputs).toEqual({ repository: "shop", environment: "production", tagPattern: "v*.*.*" });

    const secrets = registry.byType(SECRET);
    expect(secrets.map((s) => s.inputs.secretName)).toEqual(["FLY_API_TOKEN", "PULUMI_ACCESS_TOKEN"]);
    // Even a value handed over in plaintext is stored as a secret.
    expect(secrets.map((s) => secretValue(s.inputs.value))).toEqual(["fly-tok", "pul-tok"]);
    expect(secrets.every((s) => s.inputs.environment === "production")).toBe(true);
    expect(registry.one(VARIABLE).inputs).toEqual({
      repository: "shop",
      environment: "production",
      variableName: "SLIPWAY_STACK",
      value: "production",
    });
  });

  it("declares staging from a branch: no reviewers, GitHub's defaults", async () => {
    const { env } = await load();
    new env.GithubEnvironment("staging", { repository: "shop", environment: "staging", deploymentPolicy: { branches: ["main"] } });
    await registry.settled();
    const e = registry.one(ENV).inputs;
    expect(e.reviewers).toBeUndefined();
    expect(e).toMatchObject({ waitTimer: 0, preventSelfReview: false, canAdminsBypass: true });
    expect(registry.one(POLICY).inputs).toEqual({ repository: "shop", environment: "staging", branchPattern: "main" });
    expect(registry.byType(SECRET)).toHaveLength(0);
  });

  it("without a policy lets every branch deploy (no custom policy, no policy resources)", async () => {
    const { env } = await load();
    new env.GithubEnvironment("dev", { repository: "shop", environment: "dev" });
    await registry.settled();
    expect(registry.one(ENV).inputs.deploymentBranchPolicy).toBeUndefined();
    expect(registry.byType(POLICY)).toHaveLength(0);
  });

  it("resolves reviewer logins and team slugs to ids through the provider's lookups", async () => {
    const calls: string[] = [];
    const { env } = await load({
      call: (c) => {
        calls.push(`${c.token} ${JSON.stringify(c.inputs)}`);
        if (c.token === "github:index/getUser:getUser") return { id: c.inputs.username === "octocat" ? "583231" : "9" };
        if (c.token === "github:index/getTeam:getTeam") return { id: "1234567" };
        return {};
      },
    });
    new env.GithubEnvironment("p", {
      repository: "shop",
      environment: "production",
      reviewers: { users: ["octocat", 42], teams: ["release-managers"] },
    });
    await registry.settled();
    expect(registry.one(ENV).inputs.reviewers).toEqual([{ users: [583231, 42], teams: [1234567] }]);
    expect(calls).toContain('github:index/getUser:getUser {"username":"octocat"}');
    expect(calls).toContain('github:index/getTeam:getTeam {"slug":"release-managers"}');
  });

  it("passes the github provider down to every child", async () => {
    const { env, github } = await load();
    const provider = new github.Provider("gh", { owner: "acme", token: "t" });
    new env.GithubEnvironment(
      "staging",
      { repository: "shop", environment: "staging", deploymentPolicy: { branches: ["main"] }, secrets: { A: "x" }, variables: { B: "y" } },
      { provider },
    );
    await registry.settled();
    const children = [ENV, POLICY, SECRET, VARIABLE].map((t) => registry.one(t));
    for (const c of children) expect(c.provider).toMatch(/::pulumi:providers:github::gh::gh-id$/);
  });

  it.each([
    [
      { secrets: { TOKEN: "a" }, variables: { TOKEN: "b" } },
      'GithubEnvironment "e": TOKEN cannot be both a secret and a variable; choose one',
    ],
    [
      { secrets: { token: "a" }, variables: { TOKEN: "b" } },
      'GithubEnvironment "e": token cannot be both a secret and a variable; choose one',
    ],
    [{ secrets: { Api_Key: "a", API_KEY: "b" } }, 'GithubEnvironment "e": secret name "API_KEY" repeats another name; GitHub ignores case'],
    [{ secrets: { "bad-name": "a" } }, 'GithubEnvironment "e": secret name: expected a GitHub secret or variable name (letters, digits, _; not starting with GITHUB_), got "bad-name"'],
    [{ variables: { GITHUB_SHA: "a" } }, 'GithubEnvironment "e": variable name: expected a GitHub secret or variable name (letters, digits, _; not starting with GITHUB_), got "GITHUB_SHA"'],
    [{ reviewers: { users: [1, 2, 3, 4, 5, 6, 7] } }, 'GithubEnvironment "e": reviewers has 7 users and teams; GitHub allows at most 6 together'],
    [{ waitTimer: 43_201 }, 'GithubEnvironment "e": waitTimer: expected an integer from 0 to 43200, got 43201'],
    [{ waitTimer: 1.5 }, 'GithubEnvironment "e": waitTimer: expected an integer from 0 to 43200, got 1.5'],
    [{ deploymentPolicy: { tags: ["v*", "v*"] } }, 'GithubEnvironment "e": deploymentPolicy.tags lists "v*" twice'],
    [{ deploymentPolicy: { branches: [" "] } }, 'GithubEnvironment "e": deploymentPolicy.branches contains an empty pattern'],
    [{ environment: "" }, 'GithubEnvironment "e": environment: expected an environment name (up to 255 characters), got ""'],
  ])("rejects %j before registering anything", async (bad, message) => {
    const { env } = await load();
    expect(() => new env.GithubEnvironment("e", { repository: "shop", environment: "staging", ...bad })).toThrow(message);
    await registry.settled();
    expect(registry.resources).toHaveLength(0);
  });
});
