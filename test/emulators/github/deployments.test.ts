/**
 * GitHub Deployments in the emulator (routes from @octokit/openapi, validated like the rest) and slipway's
 * recorder (infra/cli/notify/github.ts) against it: in_progress → success/failure, the superseded deployment
 * marked inactive even in a production environment (where GitHub's auto_inactive does nothing).
 */
import { describe, expect, it } from "vitest";
import { GithubDeployments } from "../../../infra/cli/notify/github";
import { TOKEN, obj, useGithubEmulator } from "./testkit";

const fx = useGithubEmulator();
const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);

const recorder = (environment: string) => new GithubDeployments({ apiUrl: fx.gh.url, token: TOKEN, owner: "acme", repo: "app", environment });

async function statesOf(id: number, environment: string): Promise<string[]> {
  const r = await fx.api("GET", `/repos/acme/app/deployments/${id}/statuses`);
  expect(r.status).toBe(200);
  return (r.body as Array<{ state: string; environment: string }>).map((s) => {
    expect(s.environment).toBe(environment);
    return s.state;
  });
}

describe("GitHub deployments", () => {
  it("records a deploy: created in progress, then success with the environment URL, the commit and the image", async () => {
    const gh = recorder("production");
    const id = await gh.begin({ commit: SHA_A, task: "deploy", description: "deploy v1.0.0", payload: { image: "ghcr.io/acme/shop@sha256:" + "1".repeat(64), tag: "v1.0.0" }, transient: false, logUrl: "https://github.com/acme/app/actions/runs/1" });
    expect(await statesOf(id, "production")).toEqual(["in_progress"]);
    await gh.end(id, "success", { description: "deploy v1.0.0", environmentUrl: "https://shop.example.com" });
    expect(await statesOf(id, "production")).toEqual(["success", "in_progress"]);

    const d = obj((await fx.api("GET", `/repos/acme/app/deployments/${id}`)).body);
    expect(d).toMatchObject({ sha: SHA_A, ref: SHA_A, environment: "production", production_environment: true, task: "deploy", payload: { tag: "v1.0.0" } });
    const [latest, started] = (await fx.api("GET", `/repos/acme/app/deployments/${id}/statuses`)).body as unknown[];
    expect(obj(latest)).toMatchObject({ state: "success", environment_url: "https://shop.example.com" });
    expect(obj(started)).toMatchObject({ state: "in_progress", log_url: "https://github.com/acme/app/actions/runs/1", target_url: "https://github.com/acme/app/actions/runs/1" });
  });

  it("marks the superseded successful deployment inactive, in production too; a failure supersedes nothing", async () => {
    const gh = recorder("production");
    const first = await gh.begin({ commit: SHA_A, task: "deploy", description: "v1", payload: {}, transient: false });
    await gh.end(first, "success", { description: "v1" });
    const failed = await gh.begin({ commit: SHA_B, task: "deploy", description: "v2", payload: {}, transient: false });
    expect(await gh.end(failed, "failure", { description: "health gate failed" })).toEqual([]);
    expect((await statesOf(first, "production"))[0]).toBe("success");

    const rollback = await gh.begin({ commit: SHA_A, task: "deploy:rollback", description: "automatic rollback to update #1", payload: {}, transient: false });
    expect(await gh.end(rollback, "success", { description: "rolled back" })).toEqual([first]);
    expect((await statesOf(first, "production"))[0]).toBe("inactive");
    expect((await statesOf(failed, "production"))[0]).toBe("failure");
    // Another environment's deployments are untouched.
    const staging = recorder("staging");
    const s1 = await staging.begin({ commit: SHA_A, task: "deploy", description: "s", payload: {}, transient: false });
    await staging.end(s1, "success", { description: "s" });
    expect((await statesOf(rollback, "production"))[0]).toBe("success");
  });

  it("keeps GitHub's rules: a ref that is no commit, unknown states, long descriptions, and auto_inactive for non-production", async () => {
    const bad = await fx.api("POST", "/repos/acme/app/deployments", { ref: "main", required_contexts: [] });
    expect(bad.status).toBe(422);
    const ok = await fx.api("POST", "/repos/acme/app/deployments", { ref: SHA_A, environment: "qa", required_contexts: [] });
    expect(ok.status).toBe(201);
    const id = obj(ok.body).id as number;
    expect((await fx.api("POST", `/repos/acme/app/deployments/${id}/statuses`, { state: "done" })).status).toBe(422);
    expect((await fx.api("POST", `/repos/acme/app/deployments/${id}/statuses`, { state: "success", description: "x".repeat(141) })).status).toBe(422);
    expect((await fx.api("POST", `/repos/acme/app/deployments/${id}/statuses`, { state: "success" })).status).toBe(201);
    const next = obj((await fx.api("POST", "/repos/acme/app/deployments", { ref: SHA_B, environment: "qa", required_contexts: [] })).body).id as number;
    expect((await fx.api("POST", `/repos/acme/app/deployments/${next}/statuses`, { state: "success" })).status).toBe(201);
    // qa is not production: GitHub's own auto_inactive retired the first one.
    expect((await statesOf(id, "qa"))[0]).toBe("inactive");
    // Deleting needs an inactive deployment.
    expect((await fx.api("DELETE", `/repos/acme/app/deployments/${next}`)).status).toBe(422);
    expect((await fx.api("DELETE", `/repos/acme/app/deployments/${id}`)).status).toBe(204);
  });
});
