import type { Route, RouteContext } from "../common/http";
import { type CoolifyTokens, laravelBoolean } from "./auth";
import type { Rollouts } from "./rollout";
import { type CoolifyState, coolifyUuid, type DeploymentRecord } from "./state";

/**
 * ApplicationDeploymentQueue as the API returns it; `logs` is Coolify's JSON-encoded list of log lines. Its
 * `docker_registry_image_tag` is the preview tag of a PR deployment, null otherwise (Coolify v4.3.10
 * bootstrap/helpers/applications.php). `logs` is left out unless the token may read sensitive data (Coolify
 * v4.3.10 app/Models/ApplicationDeploymentQueue.php $hidden; DeployController.php removeSensitiveData).
 */
export function deploymentJson(state: CoolifyState, d: DeploymentRecord, sensitive: boolean): Record<string, unknown> {
  const app = state.application(d.application_uuid);
  const body: Record<string, unknown> = {
    id: d.id,
    application_id: String(app?.id ?? ""),
    deployment_uuid: d.uuid,
    pull_request_id: 0,
    docker_registry_image_tag: null,
    force_rebuild: d.force_rebuild,
    commit: "HEAD",
    status: d.status,
    is_webhook: false,
    is_api: true,
    restart_only: d.restart_only,
    rollback: false,
    only_this_server: false,
    git_type: "",
    server_id: 0,
    server_name: "localhost",
    application_name: app?.name ?? "",
    deployment_url: `/project/deployment/${d.uuid}`,
    current_process_id: "",
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
  if (sensitive) body.logs = JSON.stringify(d.logs.map((l) => ({ ...l, batch: 1 })));
  return body;
}

export function deploymentRoutes(state: CoolifyState, rollouts: Rollouts, tokens: CoolifyTokens): Route[] {
  const json = (ctx: RouteContext, d: DeploymentRecord) => deploymentJson(state, d, tokens.canReadSensitive(ctx.headers));
  return [
    {
      method: "POST",
      path: "/deploy",
      deviations: { looseQueryParams: ["force"] },
      handler: (ctx) => {
        // uuid/tag/force may come in the query or, as the real service also accepts, in a JSON body.
        const fromBody = (ctx.body ?? {}) as { uuid?: unknown; tag?: unknown; force?: unknown };
        if (typeof fromBody.uuid === "string" && ctx.query.uuid === undefined) ctx.query.uuid = fromBody.uuid;
        if (typeof fromBody.tag === "string" && ctx.query.tag === undefined) ctx.query.tag = fromBody.tag;
        if (fromBody.force === true) ctx.query.force = "true";
        // Coolify v4.3.10 app/Http/Controllers/Api/DeployController.php deploy: `force` via $request->boolean().
        const force = laravelBoolean(ctx.query.force, false);
        const uuids = (ctx.query.uuid ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
        const tags = (ctx.query.tag ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
        if (uuids.length > 0 && tags.length > 0) return ctx.flavor.error(400, "You can only use uuid or tag, not both.");
        if (uuids.length === 0 && tags.length === 0) return ctx.flavor.error(400, "You must provide uuid or tag.");
        if (tags.length > 0) return ctx.flavor.notFound("No resources found with this tag.");
        const deployments: { message: string; resource_uuid: string; deployment_uuid?: string }[] = [];
        for (const uuid of uuids) {
          const app = state.application(uuid);
          if (app && !app.deleting) {
            // DeployController.php deploy_resource: a full queue ends the whole request with 429 and
            // Retry-After: 60. A "skipped" deployment (one of this commit is queued or in progress) answers
            // "Deployment already queued for this commit." with a deployment_uuid generated for this request
            // and never saved: GET /deployments/{that uuid} is a 404.
            const result = rollouts.queue(app, { force, restartOnly: false });
            if (result.status === "queue_full") return Object.assign(ctx.flavor.error(429, result.message), { headers: { "retry-after": "60" } });
            if (result.status === "skipped") {
              deployments.push({ message: result.message, resource_uuid: uuid, deployment_uuid: coolifyUuid() });
            } else {
              deployments.push({ message: `Application ${app.name} deployment queued.`, resource_uuid: uuid, deployment_uuid: result.deployment.uuid });
            }
            continue;
          }
          const db = state.database(uuid);
          if (db && !db.deleting) {
            db.status = "running:healthy";
            deployments.push({ message: `Database ${db.name} started.`, resource_uuid: uuid });
          }
        }
        if (deployments.length === 0) return ctx.flavor.notFound("No resources found.");
        return { status: 200, body: { deployments } };
      },
    },
    {
      method: "GET",
      path: "/deployments",
      // Only running deployments are listed: the real controller filters on queued/in_progress.
      handler: (ctx) => ({
        status: 200,
        body: state.deployments.filter((d) => d.status === "queued" || d.status === "in_progress").map((d) => json(ctx, d)),
      }),
    },
    {
      method: "GET",
      path: "/deployments/{uuid}",
      handler: (ctx) => {
        const d = state.deployments.find((x) => x.uuid === ctx.params.uuid);
        return d ? { status: 200, body: json(ctx, d) } : ctx.flavor.notFound("Deployment not found.");
      },
    },
    {
      method: "GET",
      path: "/deployments/applications/{uuid}",
      // The spec documents an array of Application (coolify issue #5874); the real controller answers
      // {count, deployments: ApplicationDeploymentQueue[]}, newest first, which is what we follow.
      deviations: {
        responseSchemas: {
          200: {
            type: "object",
            required: ["count", "deployments"],
            properties: { count: { type: "integer" }, deployments: { type: "array", items: { $ref: "#/components/schemas/ApplicationDeploymentQueue" } } },
          },
        },
      },
      handler: (ctx) => {
        const app = state.application(ctx.params.uuid ?? "");
        if (!app) return ctx.flavor.notFound("Application not found.");
        const skip = Number(ctx.query.skip ?? 0);
        const take = Number(ctx.query.take ?? 10);
        const all = state.deployments.filter((d) => d.application_uuid === app.uuid).reverse();
        return { status: 200, body: { count: all.length, deployments: all.slice(skip, skip + take).map((d) => json(ctx, d)) } };
      },
    },
    {
      method: "POST",
      path: "/deployments/{uuid}/cancel",
      handler: (ctx) => {
        const d = state.deployments.find((x) => x.uuid === ctx.params.uuid);
        if (!d) return ctx.flavor.notFound("Deployment not found.");
        if (!rollouts.cancel(d)) return { status: 400, body: { message: `Deployment cannot be cancelled. Current status: ${d.status}` } };
        return { status: 200, body: { message: "Deployment cancelled successfully.", deployment_uuid: d.uuid, status: d.status } };
      },
    },
  ];
}
