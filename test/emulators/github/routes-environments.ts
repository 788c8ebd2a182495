/**
 * Deployment environments and their branch/tag policies, as `github_repository_environment` and
 * `github_repository_environment_deployment_policy` drive them.
 */
import type { Reply, Route, RouteContext } from "../common/http";
import { body, envOf, type GithubRuntime, isReply, nowIso, param, repoOf } from "./context";
import {
  allocateId,
  deleteEnvironment,
  type BranchPolicySettings,
  type Environment,
  findEnvironment,
  putEnvironment,
  type Repository,
  type ReviewerType,
} from "./model";
import { environment, nodeId } from "./views";

const MAX_WAIT_TIMER = 43_200;
const MAX_REVIEWERS = 6;

interface EnvironmentInput {
  waitTimer: number;
  reviewers: Array<{ type: ReviewerType; id: number }>;
  preventSelfReview: boolean;
  canAdminsBypass: boolean;
  branchPolicy: BranchPolicySettings | null;
}

const DEFAULTS: EnvironmentInput = { waitTimer: 0, reviewers: [], preventSelfReview: false, canAdminsBypass: true, branchPolicy: null };

/**
 * The fields a PUT changes, after GitHub's semantic checks (ranges, reviewer existence, policy exclusivity).
 * A PUT updates only what it carries: an absent field keeps its value. `reviewers: null` clears the reviewers
 * and `deployment_branch_policy: null` allows all branches (as documented), but a null `wait_timer` changes
 * nothing — setting 0 is the only way to clear it (go-github marshals an unset wait timer as 0 for that reason).
 */
function parseEnvironmentInput(
  rt: GithubRuntime,
  repo: Repository,
  b: Record<string, unknown>,
  fail: (message: string) => Reply,
): Partial<EnvironmentInput> | Reply {
  const changes: Partial<EnvironmentInput> = {};
  if (typeof b.wait_timer === "number") {
    if (!Number.isInteger(b.wait_timer) || b.wait_timer < 0 || b.wait_timer > MAX_WAIT_TIMER) {
      return fail(`Invalid wait_timer: must be an integer between 0 and ${MAX_WAIT_TIMER} minutes.`);
    }
    changes.waitTimer = b.wait_timer;
  }
  if (b.reviewers === null) changes.reviewers = [];
  if (Array.isArray(b.reviewers)) {
    const rawReviewers = b.reviewers as Array<Record<string, unknown>>;
    if (rawReviewers.length > MAX_REVIEWERS) {
      return fail(`Invalid reviewers: an environment can have at most ${MAX_REVIEWERS} reviewers.`);
    }
    const reviewers: EnvironmentInput["reviewers"] = [];
    for (const r of rawReviewers) {
      const type = r.type;
      const id = r.id;
      if ((type !== "User" && type !== "Team") || typeof id !== "number") {
        return fail("Invalid reviewers: each reviewer needs a type (User or Team) and an id.");
      }
      const known =
        type === "User"
          ? [...rt.state.accounts.values()].some((a) => a.id === id && a.kind === "User")
          : rt.state.teams.get(id)?.org.toLowerCase() === repo.owner.login.toLowerCase();
      if (!known) return fail(`Invalid reviewers: ${type} with id ${id} cannot review in ${repo.owner.login}/${repo.name}.`);
      if (!reviewers.some((x) => x.type === type && x.id === id)) reviewers.push({ type, id });
    }
    changes.reviewers = reviewers;
  }
  const dbp = b.deployment_branch_policy;
  if (dbp === null) changes.branchPolicy = null;
  if (typeof dbp === "object" && dbp !== null) {
    const p = dbp as Record<string, unknown>;
    const settings = { protected_branches: p.protected_branches === true, custom_branch_policies: p.custom_branch_policies === true };
    if (settings.protected_branches === settings.custom_branch_policies) {
      return fail("Exactly one of protected_branches and custom_branch_policies must be true.");
    }
    changes.branchPolicy = settings;
  }
  if (typeof b.prevent_self_review === "boolean") changes.preventSelfReview = b.prevent_self_review;
  // Not in the spec, but the real service takes it (and reports it); the provider always sends it.
  if (typeof b.can_admins_bypass === "boolean") changes.canAdminsBypass = b.can_admins_bypass;
  return changes;
}

function putEnvironmentHandler(rt: GithubRuntime, ctx: RouteContext): Reply {
  const repo = repoOf(rt, ctx);
  if (isReply(repo)) return repo;
  const name = param(ctx, "environment_name");
  if (name.length > 255) return ctx.flavor.error(422, "Environment name is too long (maximum is 255 characters).");
  const changes = parseEnvironmentInput(rt, repo, body(ctx), (m) => ctx.flavor.error(422, m));
  if (isReply(changes)) return changes;
  const now = nowIso(ctx);
  let env = findEnvironment(repo, name);
  if (!env) {
    env = {
      id: allocateId(rt.state),
      name,
      createdAt: now,
      updatedAt: now,
      ruleIds: { waitTimer: allocateId(rt.state), reviewers: allocateId(rt.state), branchPolicy: allocateId(rt.state) },
      policies: new Map(),
      secrets: new Map(),
      variables: new Map(),
      ...DEFAULTS,
      ...changes,
    };
    putEnvironment(repo, env);
  } else {
    // Leaving custom branch policies drops the name patterns, as GitHub does.
    const leavingCustom =
      env.branchPolicy?.custom_branch_policies === true && "branchPolicy" in changes && changes.branchPolicy?.custom_branch_policies !== true;
    if (leavingCustom) env.policies.clear();
    Object.assign(env, changes, { updatedAt: now });
  }
  return { status: 200, body: environment(rt.urls, rt.state, repo, env) };
}

function policyView(p: { id: number; name: string; type: "branch" | "tag" }): Record<string, unknown> {
  return { id: p.id, node_id: nodeId("GateBranchPolicy", p.id), name: p.name, type: p.type };
}

function policyOf(rt: GithubRuntime, ctx: RouteContext): { env: Environment; id: number } | Reply {
  const found = envOf(rt, ctx);
  if (isReply(found)) return found;
  const id = Number(param(ctx, "branch_policy_id"));
  return found.env.policies.has(id) ? { env: found.env, id } : ctx.flavor.notFound();
}

export function environmentRoutes(rt: GithubRuntime): Route[] {
  const envBase = "/repos/{owner}/{repo}/environments/{environment_name}";
  const policies = `${envBase}/deployment-branch-policies`;
  return [
    {
      method: "GET",
      path: envBase,
      handler: (ctx) => {
        const found = envOf(rt, ctx);
        if (isReply(found)) return found;
        return { status: 200, body: environment(rt.urls, rt.state, found.repo, found.env) };
      },
    },
    {
      method: "PUT",
      path: envBase,
      handler: (ctx) => putEnvironmentHandler(rt, ctx),
      // The provider sends can_admins_bypass (absent from the spec, additionalProperties: false) and
      // "wait_timer": null when unset (not nullable in the spec); the real service accepts both.
      deviations: { extraBodyFields: ["can_admins_bypass"], nullableBodyFields: ["wait_timer"] },
    },
    {
      method: "DELETE",
      path: envBase,
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        return deleteEnvironment(repo, param(ctx, "environment_name")) ? { status: 204 } : ctx.flavor.notFound();
      },
    },
    {
      method: "POST",
      path: policies,
      handler: (ctx) => {
        const found = envOf(rt, ctx);
        if (isReply(found)) return found;
        // GitHub's documented 404 for an environment whose branch policy is not "custom".
        if (found.env.branchPolicy?.custom_branch_policies !== true) return ctx.flavor.notFound();
        const b = body(ctx);
        const name = String(b.name);
        const type = b.type === "tag" ? "tag" : "branch";
        if (name.trim() === "") return ctx.flavor.error(422, "Name can't be blank.");
        for (const p of found.env.policies.values()) {
          if (p.name === name && p.type === type) {
            // Same pattern again: GitHub points at the existing policy instead of creating a duplicate.
            return { status: 303, headers: { Location: `${rt.urls.api}/repos/${found.repo.owner.login}/${found.repo.name}/environments/${encodeURIComponent(found.env.name)}/deployment-branch-policies/${p.id}` } };
          }
        }
        const policy = { id: allocateId(rt.state), name, type } as const;
        found.env.policies.set(policy.id, { ...policy });
        return { status: 200, body: policyView(policy) };
      },
    },
    {
      method: "GET",
      path: `${policies}/{branch_policy_id}`,
      handler: (ctx) => {
        const found = policyOf(rt, ctx);
        if (isReply(found)) return found;
        const p = found.env.policies.get(found.id);
        return p ? { status: 200, body: policyView(p) } : ctx.flavor.notFound();
      },
    },
    {
      method: "PUT",
      path: `${policies}/{branch_policy_id}`,
      handler: (ctx) => {
        const found = policyOf(rt, ctx);
        if (isReply(found)) return found;
        const p = found.env.policies.get(found.id);
        if (!p) return ctx.flavor.notFound();
        const name = String(body(ctx).name);
        if (name.trim() === "") return ctx.flavor.error(422, "Name can't be blank.");
        p.name = name;
        return { status: 200, body: policyView(p) };
      },
    },
    {
      method: "DELETE",
      path: `${policies}/{branch_policy_id}`,
      handler: (ctx) => {
        const found = policyOf(rt, ctx);
        if (isReply(found)) return found;
        found.env.policies.delete(found.id);
        return { status: 204 };
      },
    },
  ];
}
