/**
 * Deployments and deployment statuses (routes and shapes from @octokit/openapi's api.github.com description,
 * behaviour from the operation descriptions there):
 * - POST …/deployments: `ref` required; without `required_contexts` GitHub verifies the commit's statuses, and with
 *   `auto_merge` (default true) it may merge the default branch first (202). The emulator models refs as commit
 *   SHAs only: a 40-hex ref is its own sha; anything else is answered 422 "No ref found for". It keeps no commit
 *   statuses, so named `required_contexts` fail (409) and none pass; it never merges (slipway sends
 *   `required_contexts: []` and `auto_merge: false`).
 * - `production_environment` defaults to true for the environment named "production".
 * - POST …/statuses: with `auto_inactive` (default true) every earlier deployment of the same environment whose
 *   latest state is success gets an `inactive` status — only for non-transient, NON-production environments.
 * - `environment_url`, `log_url` (which also sets `target_url`) and `description` (≤ 140 characters).
 * - Deleting requires an inactive deployment (422 otherwise) unless it is the only one.
 * GitHub creates a missing environment on the first deployment to it; the emulator keeps deployments per
 * environment name without creating one (slipway's environments exist already).
 */
import type { Reply, Route, RouteContext } from "../common/http";
import { body, type GithubRuntime, isReply, nowIso, param, repoOf } from "./context";
import { githubError, validationFailed } from "./flavor";
import { allocateId, type Repository } from "./model";
import { nodeId, simpleUser } from "./views";

export interface DeploymentStatusRecord {
  id: number;
  state: string;
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  createdAt: string;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string;
  payload: Record<string, unknown> | string;
  transient: boolean;
  production: boolean;
  createdAt: string;
  updatedAt: string;
  statuses: DeploymentStatusRecord[];
}

/**
 * GitHub answers "" for a status URL never set (the request fields' documented default), which the response
 * schema's `format: uri` forbids; so status answers are checked against this copy of deployment-status's
 * required fields with the URLs as plain strings.
 */
const STATUS_SCHEMA = {
  type: "object",
  required: ["id", "node_id", "state", "creator", "description", "deployment_url", "target_url", "repository_url", "url", "created_at", "updated_at"],
  properties: {
    id: { type: "integer" },
    node_id: { type: "string" },
    state: { enum: ["error", "failure", "inactive", "pending", "success", "queued", "in_progress"] },
    creator: { $ref: "#/components/schemas/nullable-simple-user" },
    description: { type: "string", maxLength: 140 },
    environment: { type: "string" },
    target_url: { type: "string" },
    log_url: { type: "string" },
    environment_url: { type: "string" },
    deployment_url: { type: "string", format: "uri" },
    repository_url: { type: "string", format: "uri" },
    url: { type: "string" },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
};

const STATES = new Set(["error", "failure", "inactive", "in_progress", "queued", "pending", "success"]);

/** Deployments per repository object; a reset replaces the repositories, and with them this store. */
const stores = new WeakMap<Repository, DeploymentRecord[]>();
export function deploymentsOf(repo: Repository): DeploymentRecord[] {
  let list = stores.get(repo);
  if (!list) stores.set(repo, (list = []));
  return list;
}

export function deploymentRoutes(rt: GithubRuntime): Route[] {
  const base = "/repos/{owner}/{repo}/deployments";
  const apiOf = (repo: Repository) => `${rt.urls.api}/repos/${repo.owner.login}/${repo.name}`;
  const deploymentView = (repo: Repository, d: DeploymentRecord) => ({
    url: `${apiOf(repo)}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId("Deployment", d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(rt.urls, rt.state.user),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${apiOf(repo)}/deployments/${d.id}/statuses`,
    repository_url: apiOf(repo),
    transient_environment: d.transient,
    production_environment: d.production,
  });
  const statusView = (repo: Repository, d: DeploymentRecord, s: DeploymentStatusRecord) => ({
    url: `${apiOf(repo)}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId("DeploymentStatus", s.id),
    state: s.state,
    creator: simpleUser(rt.urls, rt.state.user),
    description: s.description,
    environment: s.environment,
    target_url: s.logUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: `${apiOf(repo)}/deployments/${d.id}`,
    repository_url: apiOf(repo),
  });
  const deploymentOf = (ctx: RouteContext): { repo: Repository; d: DeploymentRecord } | Reply => {
    const repo = repoOf(rt, ctx);
    if (isReply(repo)) return repo;
    const d = deploymentsOf(repo).find((x) => x.id === Number(param(ctx, "deployment_id")));
    return d ? { repo, d } : ctx.flavor.notFound();
  };
  const addStatus = (d: DeploymentRecord, state: string, now: string, fields: Partial<DeploymentStatusRecord> = {}): DeploymentStatusRecord => {
    const previous = d.statuses[0];
    const s: DeploymentStatusRecord = {
      id: allocateId(rt.state),
      state,
      description: fields.description ?? "",
      environment: fields.environment ?? previous?.environment ?? d.environment,
      logUrl: fields.logUrl ?? "",
      environmentUrl: fields.environmentUrl ?? "",
      createdAt: now,
    };
    d.statuses.unshift(s); // newest first, as GitHub lists them
    d.updatedAt = now;
    return s;
  };

  return [
    {
      method: "POST",
      path: base,
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        const b = body(ctx);
        const ref = String(b.ref);
        if (!/^[0-9a-f]{40}$/.test(ref)) return ctx.flavor.error(422, `No ref found for: ${ref}`);
        // The emulator keeps no commit statuses: a context that is asked for never passed; none asked for passes.
        const contexts = b.required_contexts;
        if (Array.isArray(contexts) && contexts.length > 0) return ctx.flavor.error(409, `Conflict: Commit status checks failed for ${ref}.`);
        const environment = typeof b.environment === "string" ? b.environment : "production";
        const now = nowIso(ctx);
        const d: DeploymentRecord = {
          id: allocateId(rt.state),
          sha: ref,
          ref,
          task: typeof b.task === "string" ? b.task : "deploy",
          environment,
          description: typeof b.description === "string" ? b.description : "",
          payload: typeof b.payload === "object" && b.payload !== null ? (b.payload as Record<string, unknown>) : typeof b.payload === "string" ? b.payload : {},
          transient: b.transient_environment === true,
          production: typeof b.production_environment === "boolean" ? b.production_environment : environment === "production",
          createdAt: now,
          updatedAt: now,
          statuses: [],
        };
        deploymentsOf(repo).unshift(d);
        const view = deploymentView(repo, d);
        return { status: 201, body: view, headers: { Location: view.url } };
      },
    },
    {
      method: "GET",
      path: base,
      handler: (ctx) => {
        const repo = repoOf(rt, ctx);
        if (isReply(repo)) return repo;
        const q = ctx.query;
        const perPage = Math.min(100, Number(q.per_page ?? 30));
        const page = Math.max(1, Number(q.page ?? 1));
        const list = deploymentsOf(repo).filter(
          (d) => (q.environment === undefined || d.environment === q.environment) && (q.sha === undefined || d.sha === q.sha) && (q.ref === undefined || d.ref === q.ref) && (q.task === undefined || d.task === q.task),
        );
        return { status: 200, body: list.slice((page - 1) * perPage, page * perPage).map((d) => deploymentView(repo, d)) };
      },
    },
    {
      method: "GET",
      path: `${base}/{deployment_id}`,
      handler: (ctx) => {
        const found = deploymentOf(ctx);
        return isReply(found) ? found : { status: 200, body: deploymentView(found.repo, found.d) };
      },
    },
    {
      method: "DELETE",
      path: `${base}/{deployment_id}`,
      handler: (ctx) => {
        const found = deploymentOf(ctx);
        if (isReply(found)) return found;
        const list = deploymentsOf(found.repo);
        if (list.length > 1 && found.d.statuses[0]?.state !== "inactive") {
          // validation_failed_simple: the errors are plain strings here.
          return githubError(422, "Validation Failed", { errors: ["We cannot delete an active deployment unless it is the only deployment in a given environment."] });
        }
        list.splice(list.indexOf(found.d), 1);
        return { status: 204 };
      },
    },
    {
      method: "POST",
      path: `${base}/{deployment_id}/statuses`,
      deviations: { responseSchemas: { 201: STATUS_SCHEMA } },
      handler: (ctx) => {
        const found = deploymentOf(ctx);
        if (isReply(found)) return found;
        const b = body(ctx);
        const state = String(b.state);
        if (!STATES.has(state)) return validationFailed([{ resource: "DeploymentStatus", code: "invalid", field: "state" }]);
        const description = typeof b.description === "string" ? b.description : "";
        if (description.length > 140) return validationFailed([{ resource: "DeploymentStatus", code: "custom", field: "description", message: "description is too long (maximum is 140 characters)" }]);
        const now = nowIso(ctx);
        const logUrl = typeof b.log_url === "string" ? b.log_url : typeof b.target_url === "string" ? b.target_url : "";
        const s = addStatus(found.d, state, now, {
          description,
          logUrl,
          environmentUrl: typeof b.environment_url === "string" ? b.environment_url : "",
          ...(typeof b.environment === "string" ? { environment: b.environment } : {}),
        });
        if (state === "success" && b.auto_inactive !== false) {
          for (const other of deploymentsOf(found.repo)) {
            if (other === found.d || other.environment !== found.d.environment || other.transient || other.production) continue;
            if (other.statuses[0]?.state === "success") addStatus(other, "inactive", now);
          }
        }
        const view = statusView(found.repo, found.d, s);
        return { status: 201, body: view, headers: { Location: view.url } };
      },
    },
    {
      method: "GET",
      path: `${base}/{deployment_id}/statuses`,
      deviations: { responseSchemas: { 200: { type: "array", items: STATUS_SCHEMA } } },
      handler: (ctx) => {
        const found = deploymentOf(ctx);
        return isReply(found) ? found : { status: 200, body: found.d.statuses.map((s) => statusView(found.repo, found.d, s)) };
      },
    },
    {
      method: "GET",
      path: `${base}/{deployment_id}/statuses/{status_id}`,
      deviations: { responseSchemas: { 200: STATUS_SCHEMA } },
      handler: (ctx) => {
        const found = deploymentOf(ctx);
        if (isReply(found)) return found;
        const s = found.d.statuses.find((x) => x.id === Number(param(ctx, "status_id")));
        return s ? { status: 200, body: statusView(found.repo, found.d, s) } : ctx.flavor.notFound();
      },
    },
  ];
}
