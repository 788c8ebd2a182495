/**
 * Self-tests of the GitHub emulator: valid requests succeed, off-spec requests get GitHub's error shape,
 * every answer validates against the spec (responseViolations stays empty), webhooks keep GitHub's shape, and
 * faults hit GitHub routes. Secrets and variables are in github/actions.test.ts.
 */
import { describe, expect, it } from "vitest";
import { startGithubEmulator } from "./github/index";
import { TOKEN, apiClient, expectGithubError, obj, useGithubEmulator } from "./github/testkit";

const fx = useGithubEmulator();
// Short aliases; the fixture's fields are set in its beforeAll.
const api: typeof fx.api = (...args) => fx.api(...args);

const env = "/repos/acme/app/environments";

describe("auth, headers and configure-time calls", () => {
  it("answers 401 in GitHub's shape without a token or with a wrong one", async () => {
    for (const call of [apiClient(fx.gh.url, undefined), apiClient(fx.gh.url, "wrong")]) {
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
    const denied = await apiClient(fx.gh.url, "wrong")("GET", "/user");
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

  it("by default serves what the project's own stacks name (acme/shop and its reviewers)", async () => {
    const plain = await startGithubEmulator({});
    try {
      const call = apiClient(plain.url, "any-token");
      expect(obj((await call("GET", "/repos/acme/shop")).body).full_name).toBe("acme/shop");
      for (const user of ["alice-acme", "bob-acme"]) expect((await call("GET", `/users/${user}`)).status).toBe(200);
      expect((await call("GET", "/orgs/acme/teams/release-managers")).status).toBe(200);
      expect(plain.responseViolations).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it("gives the provider a base URL it turns into the API root by appending api/v3/", async () => {
    expect(`${fx.gh.providerBaseUrl}api/v3`).toBe(fx.gh.url);
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

    // What go-github v88 sends for an environment without rules: wait_timer 0, the rest null.
    await api("PUT", `${env}/prod%2Feu`, { wait_timer: 0, reviewers: null, can_admins_bypass: true, deployment_branch_policy: null });
    const cleared = obj((await api("GET", `${env}/PROD%2FEU`)).body);
    expect(cleared.protection_rules).toEqual([]);
    expect(cleared.id).toBe(got.id);
  });

  it("changes only what a PUT carries; a null wait_timer keeps the timer, 0 clears it", async () => {
    const types = async (): Promise<unknown[]> =>
      (obj((await api("GET", `${env}/qa`)).body).protection_rules as Array<Record<string, unknown>>).map((r) => r.type);
    await api("PUT", `${env}/qa`, { wait_timer: 10, reviewers: [{ type: "User", id: 501 }] });
    const kept = obj((await api("PUT", `${env}/qa`, { wait_timer: null, can_admins_bypass: false })).body);
    expect(kept.can_admins_bypass).toBe(false);
    expect(await types()).toEqual(["wait_timer", "required_reviewers"]);
    await api("PUT", `${env}/qa`, { wait_timer: 0 });
    expect(await types()).toEqual(["required_reviewers"]);
    await api("PUT", `${env}/qa`, { reviewers: null });
    expect(await types()).toEqual([]);
    expect(obj((await api("GET", `${env}/qa`)).body).can_admins_bypass).toBe(false);
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
    const garbled = await fetch(`${fx.gh.url}${env}/staging`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{wait_timer: 5",
    });
    expect(garbled.status).toBe(400);
    const garbledBody = obj(await garbled.json());
    expect(garbledBody.message).toMatch(/^Problems parsing JSON/);
    expectGithubError(garbledBody);
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
    // A client that follows the 303 (Go's does) lands on the existing policy: a retried create is idempotent.
    const followed = await api("POST", policies, { name: "release/*" }, { "x-follow": "1" });
    expect(followed.status).toBe(200);
    expect(obj(followed.body).id).toBe(obj(branch.body).id);
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
    expect(JSON.stringify(fx.gh.log)).not.toContain("s3cret");

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
    fx.gh.injectFault({ method: "GET", path: "/repos/{owner}/{repo}", times: 2, fault: { kind: "status", status: 502 } });
    for (let i = 0; i < 2; i++) {
      const r = await api("GET", "/repos/acme/app");
      expect(r.status).toBe(502);
      expectGithubError(r.body);
    }
    expect((await api("GET", "/repos/acme/app")).status).toBe(200);
  });

  it("answers 429 with Retry-After, and an ambiguous create still creates", async () => {
    const res = await fetch(`${fx.gh.origin}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ method: "GET", path: "/user", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 3 } }),
    });
    expect(res.status).toBe(204);
    const limited = await api("GET", "/user");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    // The secondary-rate-limit shape go-github turns into an AbuseRateLimitError (and waits Retry-After for).
    expect(String(obj(limited.body).documentation_url)).toMatch(/secondary-rate-limits$/);
    expect(Number(limited.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(0);

    fx.gh.injectFault({ method: "POST", path: "/repos/{owner}/{repo}/hooks", times: 1, fault: { kind: "ambiguous", status: 504 } });
    const lost = await api("POST", "/repos/acme/app/hooks", { config: { url: "https://ambiguous.example.com" } });
    expect(lost.status).toBe(504);
    const inv = JSON.stringify(fx.gh.inventory());
    expect(inv).toContain("https://ambiguous.example.com");
  });

  it("hangs past the client's timeout, then answers again", async () => {
    fx.gh.injectFault({ method: "GET", path: "/user", times: 1, fault: { kind: "hang", ms: 1_000 } });
    const started = Date.now();
    const hung = fetch(`${fx.gh.url}/user`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(150) });
    await expect(hung).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(900);
    expect((await api("GET", "/user")).status).toBe(200);
  });

  it("reset forgets state but keeps the key pair", async () => {
    await api("PUT", `${env}/staging`);
    const key = fx.gh.publicKey.keyId;
    fx.gh.reset();
    expect((await api("GET", `${env}/staging`)).status).toBe(404);
    expect(fx.gh.log.length).toBe(1);
    expect(fx.gh.publicKey.keyId).toBe(key);
  });
});
