/**
 * Self-tests of the GitHub emulator: valid requests succeed, off-spec requests get GitHub's error shape,
 * every answer validates against the spec (responseViolations stays empty), sealed secrets round-trip, and
 * faults hit GitHub routes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GithubEmulator, startGithubEmulator } from "./github/index";
import { type ApiCall, apiClient, obj, seal } from "./github/testkit";

const TOKEN = "ghp_emulator_token";
let gh: GithubEmulator;
let api: ApiCall;

beforeAll(async () => {
  gh = await startGithubEmulator({
    token: TOKEN,
    orgs: [{ login: "acme" }],
    user: { login: "slipway-bot", id: 77 },
    users: [{ login: "reviewer", id: 501 }],
    teams: [{ org: "acme", slug: "ops", id: 601 }],
    repositories: [{ owner: "acme", name: "app", id: 4242 }, { owner: "slipway-bot", name: "personal" }],
  });
  api = apiClient(gh.url, TOKEN);
});

afterEach(() => {
  // Every answer of every test must match the spec; a violation is an emulator bug. Drained here so one
  // bug fails the test that caused it, not every later one.
  const violations = gh.responseViolations.splice(0);
  expect(violations).toEqual([]);
  gh.reset();
});

afterAll(async () => {
  await gh.close();
});

function expectGithubError(body: unknown): void {
  const b = obj(body);
  expect(typeof b.message).toBe("string");
  expect(b.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
}

const env = "/repos/acme/app/environments";

describe("auth, headers and configure-time calls", () => {
  it("answers 401 in GitHub's shape without a token or with a wrong one", async () => {
    for (const call of [apiClient(gh.url, undefined), apiClient(gh.url, "wrong")]) {
      const r = await call("GET", "/user");
      expect(r.status).toBe(401);
      expectGithubError(r.body);
    }
  });

  it("always sends healthy rate-limit headers", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await api("GET", "/repos/acme/app");
      expect(Number(r.headers.get("x-ratelimit-limit"))).toBe(5000);
      expect(Number(r.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(1000);
      expect(Number(r.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    }
    const denied = await apiClient(gh.url, "wrong")("GET", "/user");
    expect(Number(denied.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(0);
  });

  it("accepts X-GitHub-Api-Version 2022-11-28 and rejects an unknown version", async () => {
    expect((await api("GET", "/user")).status).toBe(200);
    const r = await api("GET", "/user", undefined, { "x-github-api-version": "1999-01-01" });
    expect(r.status).toBe(400);
    expectGithubError(r.body);
  });

  it("serves the token's user and tells organizations from users", async () => {
    const user = obj((await api("GET", "/user")).body);
    expect(user).toMatchObject({ login: "slipway-bot", id: 77, type: "User", user_view_type: "private" });
    const org = await api("GET", "/orgs/acme");
    expect(org.status).toBe(200);
    expect(obj(org.body)).toMatchObject({ login: "acme", type: "Organization" });
    const notOrg = await api("GET", "/orgs/slipway-bot");
    expect(notOrg.status).toBe(404);
    expectGithubError(notOrg.body);
  });

  it("serves repositories with their ids, case-insensitively, and 404 for unknown ones", async () => {
    const repo = obj((await api("GET", "/repos/ACME/App")).body);
    expect(repo).toMatchObject({ id: 4242, full_name: "acme/app", default_branch: "main", private: true });
    expect(obj(repo.owner)).toMatchObject({ login: "acme", type: "Organization" });
    const personal = obj((await api("GET", "/repos/slipway-bot/personal")).body);
    expect(obj(personal.owner).type).toBe("User");
    expect((await api("GET", "/repos/acme/nope")).status).toBe(404);
    expect((await api("GET", "/repos/acme/app/pages")).status).toBe(404);
  });
});

describe("reviewer lookups outside the subset spec (getUser / getTeam data sources)", () => {
  it("resolves users and teams to ids, with empty key/member/repo lists, and 404 for unknown ones", async () => {
    expect(obj((await api("GET", "/users/reviewer")).body)).toMatchObject({ login: "reviewer", id: 501, type: "User" });
    expect((await api("GET", "/users/reviewer/keys")).body).toEqual([]);
    expect((await api("GET", "/users/reviewer/gpg_keys")).body).toEqual([]);
    expect((await api("GET", "/users/ghost")).status).toBe(404);
    const team = obj((await api("GET", "/orgs/acme/teams/ops")).body);
    expect(team).toMatchObject({ id: 601, slug: "ops" });
    const orgId = String(obj((await api("GET", "/orgs/acme")).body).id);
    expect((await api("GET", `/organizations/${orgId}/team/601/members?per_page=100`)).body).toEqual([]);
    expect((await api("GET", `/organizations/${orgId}/team/601/repos`)).body).toEqual([]);
    expect((await api("GET", "/organizations/1/team/601/repos")).status).toBe(404);
    expect((await api("GET", "/orgs/acme/teams/nope")).status).toBe(404);
  });

  it("gives the provider a base URL it turns into the API root by appending api/v3/", async () => {
    expect(`${gh.providerBaseUrl}api/v3`).toBe(gh.url);
  });
});

describe("environments", () => {
  it("creates an environment from the provider's body (can_admins_bypass, wait_timer null) with no rules", async () => {
    const r = await api("PUT", `${env}/staging`, {
      wait_timer: null,
      reviewers: null,
      can_admins_bypass: true,
      prevent_self_review: false,
      deployment_branch_policy: null,
    });
    expect(r.status).toBe(200);
    expect(obj(r.body)).toMatchObject({ name: "staging", can_admins_bypass: true, protection_rules: [], deployment_branch_policy: null });
  });

  it("returns protection rules exactly as GitHub shapes them, and a PUT replaces them", async () => {
    const put = await api("PUT", `${env}/prod%2Feu`, {
      wait_timer: 30,
      prevent_self_review: true,
      can_admins_bypass: false,
      reviewers: [{ type: "User", id: 501 }, { type: "Team", id: 601 }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    expect(put.status).toBe(200);
    const got = obj((await api("GET", `${env}/prod%2Feu`)).body);
    expect(got.name).toBe("prod/eu");
    expect(got.can_admins_bypass).toBe(false);
    expect(got.deployment_branch_policy).toEqual({ protected_branches: false, custom_branch_policies: true });
    const rules = got.protection_rules as Array<Record<string, unknown>>;
    expect(rules.map((x) => x.type)).toEqual(["wait_timer", "required_reviewers", "branch_policy"]);
    expect(rules[0]?.wait_timer).toBe(30);
    expect(rules[1]?.prevent_self_review).toBe(true);
    const reviewers = rules[1]?.reviewers as Array<{ type: string; reviewer: Record<string, unknown> }>;
    expect(reviewers.map((x) => [x.type, x.reviewer.id])).toEqual([["User", 501], ["Team", 601]]);
    expect(reviewers[1]?.reviewer.slug).toBe("ops");

    await api("PUT", `${env}/prod%2Feu`, { wait_timer: null, reviewers: null, can_admins_bypass: true, deployment_branch_policy: null });
    const cleared = obj((await api("GET", `${env}/PROD%2FEU`)).body);
    expect(cleared.protection_rules).toEqual([]);
    expect(cleared.id).toBe(got.id);
  });

  it("rejects off-spec and invalid environment bodies with GitHub's 422", async () => {
    const bodies: unknown[] = [
      { wait_timer: "soon" },
      { unknown_field: 1 },
      { wait_timer: 50_000 },
      { reviewers: [{ type: "User", id: 999 }] },
      { deployment_branch_policy: { protected_branches: true, custom_branch_policies: true } },
      { deployment_branch_policy: { protected_branches: true } },
    ];
    for (const b of bodies) {
      const r = await api("PUT", `${env}/staging`, b);
      expect(r.status, JSON.stringify(b)).toBe(422);
      expectGithubError(r.body);
    }
    expect((await api("GET", `${env}/staging`)).status).toBe(404);
  });

  it("deletes an environment, then answers 404", async () => {
    await api("PUT", `${env}/staging`);
    expect((await api("DELETE", `${env}/staging`)).status).toBe(204);
    const gone = await api("GET", `${env}/staging`);
    expect(gone.status).toBe(404);
    expectGithubError(gone.body);
    expect((await api("DELETE", `${env}/staging`)).status).toBe(404);
  });
});

describe("deployment branch and tag policies", () => {
  const policies = `${env}/production/deployment-branch-policies`;

  it("needs custom branch policies on the environment", async () => {
    await api("PUT", `${env}/production`, { deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } });
    expect((await api("POST", policies, { name: "main" })).status).toBe(404);
  });

  it("creates, dedupes, reads, renames and deletes branch and tag policies", async () => {
    await api("PUT", `${env}/production`, { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } });
    const branch = await api("POST", policies, { name: "release/*" });
    expect(branch.status).toBe(200);
    expect(obj(branch.body)).toMatchObject({ name: "release/*", type: "branch" });
    const tag = obj((await api("POST", policies, { name: "v*", type: "tag" })).body);
    expect(tag.type).toBe("tag");
    const dup = await api("POST", policies, { name: "release/*", type: "branch" });
    expect(dup.status).toBe(303);
    expect(dup.headers.get("location")).toMatch(new RegExp(`/deployment-branch-policies/${String(obj(branch.body).id)}$`));
    const id = String(tag.id);
    expect(obj((await api("GET", `${policies}/${id}`)).body).name).toBe("v*");
    expect(obj((await api("PUT", `${policies}/${id}`, { name: "v2.*" })).body)).toMatchObject({ name: "v2.*", type: "tag" });
    expect((await api("POST", policies, { name: "x", type: "commit" })).status).toBe(422);
    expect((await api("DELETE", `${policies}/${id}`)).status).toBe(204);
    expect((await api("GET", `${policies}/${id}`)).status).toBe(404);
    // Leaving custom policies drops the remaining patterns, as GitHub does.
    await api("PUT", `${env}/production`, { deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } });
    expect((await api("GET", `${policies}/${String(obj(branch.body).id)}`)).status).toBe(404);
  });
});

describe("sealed secrets", () => {
  it("opens a secret sealed to the served key, on both environment secret URL forms", async () => {
    await api("PUT", `${env}/staging`);
    const key = obj((await api("GET", `${env}/staging/secrets/public-key`)).body);
    expect(key).toEqual({ key_id: gh.publicKey.keyId, key: gh.publicKey.key });
    const put = await api("PUT", `${env}/staging/secrets/db_password`, { encrypted_value: await seal("hunter2", String(key.key)), key_id: key.key_id });
    expect(put.status).toBe(201);
    expect(gh.secretValue({ owner: "acme", repo: "app", environment: "staging", name: "DB_PASSWORD" })).toBe("hunter2");

    const byId = "/repositories/4242/environments/staging/secrets";
    expect(obj((await api("GET", `${byId}/public-key`)).body).key_id).toBe(key.key_id);
    const again = await api("PUT", `${byId}/DB_PASSWORD`, { encrypted_value: await seal("rotated", String(key.key)), key_id: key.key_id });
    expect(again.status).toBe(204);
    expect(gh.secretValue({ owner: "acme", repo: "app", environment: "staging", name: "db_password" })).toBe("rotated");
    const meta = obj((await api("GET", `${env}/staging/secrets/DB_PASSWORD`)).body);
    expect(meta.name).toBe("DB_PASSWORD");
    expect(Object.keys(meta).sort()).toEqual(["created_at", "name", "updated_at"]);

    const logged = JSON.stringify(gh.log) + JSON.stringify(gh.inventory());
    expect(logged).not.toContain("hunter2");
    expect(logged).not.toContain("rotated");
    expect((await api("DELETE", `${byId}/db_password`)).status).toBe(204);
    expect((await api("GET", `${byId}/db_password`)).status).toBe(404);
    expect((await api("GET", "/repositories/999/environments/staging/secrets/public-key")).status).toBe(404);
  });

  it("rejects a wrong key_id, an unopenable value and a non-base64 value", async () => {
    await api("PUT", `${env}/staging`);
    const sealed = await seal("x", gh.publicKey.key);
    const cases = [
      { encrypted_value: sealed, key_id: "123" },
      { encrypted_value: Buffer.alloc(64, 7).toString("base64"), key_id: gh.publicKey.keyId },
      { encrypted_value: "not base64!", key_id: gh.publicKey.keyId },
      { encrypted_value: sealed },
    ];
    for (const b of cases) {
      const r = await api("PUT", `${env}/staging/secrets/TOKEN`, b);
      expect(r.status, JSON.stringify(b)).toBe(422);
      expectGithubError(r.body);
    }
    expect(gh.secretValue({ owner: "acme", repo: "app", environment: "staging", name: "TOKEN" })).toBeUndefined();
    expect((await api("PUT", `${env}/missing/secrets/TOKEN`, { encrypted_value: sealed, key_id: gh.publicKey.keyId })).status).toBe(404);
  });

  it("stores repository secrets and refuses GitHub-reserved names", async () => {
    const base = "/repos/acme/app/actions/secrets";
    const key = obj((await api("GET", `${base}/public-key`)).body);
    const value = await seal("repo-level", String(key.key));
    expect((await api("PUT", `${base}/DEPLOY_KEY`, { encrypted_value: value, key_id: key.key_id })).status).toBe(201);
    expect(gh.secretValue({ owner: "acme", repo: "app", name: "DEPLOY_KEY" })).toBe("repo-level");
    expect((await api("PUT", `${base}/GITHUB_TOKEN`, { encrypted_value: value, key_id: key.key_id })).status).toBe(422);
    expect((await api("PUT", `${base}/1ABC`, { encrypted_value: value, key_id: key.key_id })).status).toBe(422);
  });
});

describe("variables", () => {
  for (const base of [`${env}/staging/variables`, "/repos/acme/app/actions/variables"]) {
    it(`creates, reads, updates, renames and deletes (${base})`, async () => {
      await api("PUT", `${env}/staging`);
      expect((await api("POST", base, { name: "region", value: "eu" })).status).toBe(201);
      expect(obj((await api("GET", `${base}/REGION`)).body)).toMatchObject({ name: "REGION", value: "eu" });
      expect((await api("POST", base, { name: "REGION", value: "us" })).status).toBe(409);
      expect((await api("PATCH", `${base}/region`, { name: "REGION", value: "us" })).status).toBe(204);
      expect(obj((await api("GET", `${base}/region`)).body).value).toBe("us");
      expect((await api("PATCH", `${base}/REGION`, { name: "ZONE" })).status).toBe(204);
      expect((await api("GET", `${base}/REGION`)).status).toBe(404);
      expect((await api("DELETE", `${base}/ZONE`)).status).toBe(204);
      expect((await api("GET", `${base}/ZONE`)).status).toBe(404);
      const off = await api("POST", base, { name: "NO_VALUE" });
      expect(off.status).toBe(422);
      expectGithubError(off.body);
    });
  }
});

describe("webhooks", () => {
  const hooks = "/repos/acme/app/hooks";

  it("answers hooks with config always present, insecure_ssl as a string and the secret masked", async () => {
    const created = await api("POST", hooks, {
      name: "web",
      active: true,
      events: ["push", "deployment"],
      config: { url: "https://ci.example.com/hook", content_type: "json", insecure_ssl: 0, secret: "s3cret" },
    });
    expect(created.status).toBe(201);
    const h = obj(created.body);
    expect(created.headers.get("location")).toBe(h.url);
    expect(h.config).toEqual({ url: "https://ci.example.com/hook", content_type: "json", insecure_ssl: "0", secret: "********" });
    expect(h).toMatchObject({ type: "Repository", name: "web", active: true, events: ["push", "deployment"] });
    expect(JSON.stringify(gh.log)).not.toContain("s3cret");

    // The provider's PATCH carries the hook's own url; it is accepted and ignored.
    const patched = await api("PATCH", `${hooks}/${String(h.id)}`, {
      url: h.url,
      active: false,
      events: ["push"],
      config: { url: "https://ci.example.com/hook2", content_type: "form", insecure_ssl: "1" },
    });
    expect(patched.status).toBe(200);
    expect(obj(patched.body)).toMatchObject({ active: false, events: ["push"], url: h.url });
    expect(obj(patched.body).config).toEqual({ url: "https://ci.example.com/hook2", content_type: "form", insecure_ssl: "1" });
    expect(obj((await api("GET", `${hooks}/${String(h.id)}`)).body).active).toBe(false);
    expect((await api("DELETE", `${hooks}/${String(h.id)}`)).status).toBe(204);
    expect((await api("GET", `${hooks}/${String(h.id)}`)).status).toBe(404);
  });

  it("rejects hooks GitHub would refuse", async () => {
    const bad: unknown[] = [
      { config: {} },
      { name: "travis", config: { url: "https://x.example.com" } },
      { config: { url: "https://x.example.com" }, colour: "red" },
      { config: { url: "https://x.example.com", content_type: "xml" } },
    ];
    for (const b of bad) {
      const r = await api("POST", hooks, b);
      expect(r.status, JSON.stringify(b)).toBe(422);
      expectGithubError(r.body);
    }
    await api("POST", hooks, { config: { url: "https://dup.example.com" } });
    expect((await api("POST", hooks, { config: { url: "https://dup.example.com" } })).status).toBe(422);
    expect((await api("GET", `${hooks}/not-a-number`)).status).toBe(404);
  });
});

describe("faults on GitHub routes", () => {
  it("fails the next calls of a route as injected, then recovers", async () => {
    gh.injectFault({ method: "GET", path: "/repos/{owner}/{repo}", times: 2, fault: { kind: "status", status: 502 } });
    for (let i = 0; i < 2; i++) {
      const r = await api("GET", "/repos/acme/app");
      expect(r.status).toBe(502);
      expectGithubError(r.body);
    }
    expect((await api("GET", "/repos/acme/app")).status).toBe(200);
  });

  it("answers 429 with Retry-After, and an ambiguous create still creates", async () => {
    const res = await fetch(`${gh.origin}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ method: "GET", path: "/user", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 3 } }),
    });
    expect(res.status).toBe(204);
    const limited = await api("GET", "/user");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");

    gh.injectFault({ method: "POST", path: "/repos/{owner}/{repo}/hooks", times: 1, fault: { kind: "ambiguous", status: 504 } });
    const lost = await api("POST", "/repos/acme/app/hooks", { config: { url: "https://ambiguous.example.com" } });
    expect(lost.status).toBe(504);
    const inv = JSON.stringify(gh.inventory());
    expect(inv).toContain("https://ambiguous.example.com");
  });

  it("reset forgets state but keeps the key pair", async () => {
    await api("PUT", `${env}/staging`);
    const key = gh.publicKey.keyId;
    gh.reset();
    expect((await api("GET", `${env}/staging`)).status).toBe(404);
    expect(gh.log.length).toBe(1);
    expect(gh.publicKey.keyId).toBe(key);
  });
});
