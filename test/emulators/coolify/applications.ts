import type { Reply, Route, RouteContext } from "../common/http";
import { APPLICATION, applicationJson } from "./app-json";
import { appHosts, type Rollouts, TIMING } from "./rollout";
import { type ApplicationRecord, type CoolifyState, coolifyUuid, parseImageReference } from "./state";

type Body = Record<string, unknown>;

/** Request fields that select or act rather than configure; never stored. */
const NOT_CONFIG = new Set([
  "project_uuid", "server_uuid", "environment_name", "environment_uuid", "destination_uuid", "name", "description",
  "domains", "docker_registry_image_name", "docker_registry_image_tag", "instant_deploy", "force_domain_override",
  "autogenerate_domain", "tags", "use_build_server",
]);

/** Parses the comma-separated `domains`; Coolify requires URLs with a scheme. */
function parseDomains(raw: string): { fqdn: string | null; invalid: boolean } {
  const list = raw.split(",").map((d) => d.trim()).filter((d) => d !== "");
  for (const d of list) {
    try {
      const u = new URL(d);
      if (u.protocol !== "http:" && u.protocol !== "https:") return { fqdn: null, invalid: true };
    } catch {
      return { fqdn: null, invalid: true };
    }
  }
  return { fqdn: list.length > 0 ? list.join(",") : null, invalid: false };
}

function domainConflict(state: CoolifyState, fqdn: string | null, self: string | undefined): Reply | undefined {
  if (fqdn === null) return undefined;
  const wanted = appHosts({ fqdn } as ApplicationRecord);
  const conflicts = state.applications
    .filter((a) => a.uuid !== self && !a.deleting)
    .flatMap((a) => appHosts(a).filter((h) => wanted.includes(h)).map((domain) => ({ domain, a })))
    .map(({ domain, a }) => ({
      domain,
      resource_name: a.name,
      resource_uuid: a.uuid,
      resource_type: "application",
      message: `Domain ${domain} is already in use by application '${a.name}'`,
    }));
  if (conflicts.length === 0) return undefined;
  return {
    status: 409,
    body: {
      message: "Domain conflicts detected. Use force_domain_override=true to proceed.",
      warning: "Using the same domain for multiple resources can cause routing conflicts and unpredictable behavior.",
      conflicts,
    },
  };
}

function storeConfig(app: ApplicationRecord, b: Body): void {
  for (const [k, v] of Object.entries(b)) if (!NOT_CONFIG.has(k)) app.config[k] = v;
}

function invalidDomains(ctx: RouteContext): Reply {
  return ctx.flavor.validationError([{ in: "body", field: "domains", keyword: "format", message: "invalid" }]);
}

export function applicationRoutes(state: CoolifyState, rollouts: Rollouts): Route[] {
  const find = (ctx: RouteContext): ApplicationRecord | undefined => state.application(ctx.params.uuid ?? "");
  const notFound = (ctx: RouteContext): Reply => ctx.flavor.notFound("Application not found.");
  return [
    {
      method: "GET",
      path: "/applications",
      deviations: { responseSchemas: { 200: { type: "array", items: APPLICATION } } },
      handler: () => ({ status: 200, body: state.applications.map((a) => applicationJson(state, a)) }),
    },
    {
      method: "POST",
      path: "/applications/dockerimage",
      handler: (ctx) => {
        const b = (ctx.body ?? {}) as Body;
        const project = state.project(String(b.project_uuid));
        if (!project) return ctx.flavor.notFound("Project not found.");
        const env = state.environment(project, String(b.environment_uuid ?? "")) ?? state.environment(project, String(b.environment_name ?? ""));
        if (!env) return ctx.flavor.notFound("Environment not found.");
        if (!state.servers.some((s) => s.uuid === b.server_uuid)) return ctx.flavor.notFound("Server not found.");
        const uuid = coolifyUuid();
        let fqdn: string | null = null;
        if (typeof b.domains === "string") {
          const parsed = parseDomains(b.domains);
          if (parsed.invalid) return invalidDomains(ctx);
          fqdn = parsed.fqdn;
        } else if (b.autogenerate_domain !== false) {
          // Coolify generates an sslip.io domain from the server's address when none is given.
          fqdn = `http://${uuid}.127.0.0.1.sslip.io`;
        }
        if (b.force_domain_override !== true) {
          const conflict = domainConflict(state, fqdn, undefined);
          if (conflict) return conflict;
        }
        const image = parseImageReference(String(b.docker_registry_image_name), b.docker_registry_image_tag as string | undefined);
        const now = ctx.clock.isoNow();
        const app: ApplicationRecord = {
          id: state.id(),
          uuid,
          environment_id: env.id,
          server_uuid: String(b.server_uuid),
          name: typeof b.name === "string" ? b.name : `${image.name.split("/").pop() ?? "app"}-${uuid.slice(0, 8)}`,
          description: typeof b.description === "string" ? b.description : null,
          docker_registry_image_name: image.name,
          docker_registry_image_tag: image.tag,
          fqdn,
          config: {},
          envs: [],
          storages: [],
          running: undefined,
          swapping: false,
          stopped: false,
          deleting: false,
          created_at: now,
          updated_at: now,
        };
        storeConfig(app, b);
        state.applications.push(app);
        if (b.instant_deploy === true) rollouts.queue(app, { force: false, restartOnly: false });
        return { status: 201, body: { uuid, domains: fqdn } };
      },
    },
    {
      method: "GET",
      path: "/applications/{uuid}",
      deviations: { responseSchemas: { 200: APPLICATION } },
      handler: (ctx) => {
        const app = find(ctx);
        return app ? { status: 200, body: applicationJson(state, app) } : notFound(ctx);
      },
    },
    {
      method: "PATCH",
      path: "/applications/{uuid}",
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        const b = (ctx.body ?? {}) as Body;
        let fqdn = app.fqdn;
        if (typeof b.domains === "string") {
          const parsed = parseDomains(b.domains);
          if (parsed.invalid) return invalidDomains(ctx);
          fqdn = parsed.fqdn;
          if (b.force_domain_override !== true) {
            const conflict = domainConflict(state, fqdn, app.uuid);
            if (conflict) return conflict;
          }
        }
        app.fqdn = fqdn;
        if (typeof b.name === "string") app.name = b.name;
        if (typeof b.description === "string") app.description = b.description;
        if (typeof b.docker_registry_image_name === "string" || typeof b.docker_registry_image_tag === "string") {
          const image = parseImageReference(
            typeof b.docker_registry_image_name === "string" ? b.docker_registry_image_name : app.docker_registry_image_name,
            typeof b.docker_registry_image_tag === "string" ? b.docker_registry_image_tag : typeof b.docker_registry_image_name === "string" ? undefined : app.docker_registry_image_tag,
          );
          app.docker_registry_image_name = image.name;
          app.docker_registry_image_tag = image.tag;
        }
        storeConfig(app, b);
        app.updated_at = ctx.clock.isoNow();
        if (b.instant_deploy === true) rollouts.queue(app, { force: false, restartOnly: false });
        return { status: 200, body: { uuid: app.uuid } };
      },
    },
    {
      method: "DELETE",
      path: "/applications/{uuid}",
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        // Coolify queues the deletion; the application stays visible until the job has run.
        if (!app.deleting) {
          app.deleting = true;
          ctx.clock.schedule(TIMING.queuedActionMs, () => {
            state.applications = state.applications.filter((a) => a !== app);
          });
        }
        return { status: 200, body: { message: "Application deletion request queued." } };
      },
    },
    {
      method: "POST",
      path: "/applications/{uuid}/start",
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        const d = rollouts.queue(app, { force: ctx.query.force === "true", restartOnly: false });
        return { status: 200, body: { message: "Deployment request queued.", deployment_uuid: d.uuid } };
      },
    },
    {
      method: "POST",
      path: "/applications/{uuid}/stop",
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        rollouts.stop(app);
        return { status: 200, body: { message: "Application stopping request queued." } };
      },
    },
    {
      method: "POST",
      path: "/applications/{uuid}/restart",
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        const d = rollouts.queue(app, { force: false, restartOnly: true });
        return { status: 200, body: { message: "Restart request queued.", deployment_uuid: d.uuid } };
      },
    },
  ];
}
