import type { Reply, Route, RouteContext } from "../common/http";
import { APPLICATION, applicationJson } from "./app-json";
import { type CoolifyTokens, laravelBoolean } from "./auth";
import { DOCKERIMAGE_GIT } from "./webhooks";
import { storedImage, validImageName, validImageReference, validImageTag } from "./images";
import { appHosts, type Rollouts, TIMING } from "./rollout";
import { type ApplicationRecord, type CoolifyState, coolifyUuid } from "./state";

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

/**
 * Laravel's 422 with these messages, as the controllers' validators answer. Built through the flavor so it counts
 * as a framework answer: the spec leaves 422 out of some operations that do answer it (PATCH /applications/{uuid}).
 */
function invalidFields(ctx: RouteContext, errors: Record<string, string>): Reply {
  const reply = ctx.flavor.validationError(Object.keys(errors).map((field) => ({ in: "body", field, keyword: "format", message: "invalid" })));
  reply.body = { message: "Validation failed.", errors: Object.fromEntries(Object.entries(errors).map(([k, m]) => [k, [m]])) };
  return reply;
}

// Coolify v4.3.10 app/Http/Controllers/Api/ApplicationsController.php delete_by_uuid reads these with
// $request->boolean(): never a 422, any unknown word is false.
const DELETE_FLAGS = ["delete_volumes", "delete_configurations", "docker_cleanup", "delete_connected_networks"];

function invalidDomains(ctx: RouteContext): Reply {
  return ctx.flavor.validationError([{ in: "body", field: "domains", keyword: "format", message: "invalid" }]);
}

export function applicationRoutes(state: CoolifyState, rollouts: Rollouts, tokens: CoolifyTokens): Route[] {
  const json = (ctx: RouteContext, app: ApplicationRecord) => applicationJson(state, app, tokens.canReadSensitive(ctx.headers));
  const find = (ctx: RouteContext): ApplicationRecord | undefined => state.application(ctx.params.uuid ?? "");
  const notFound = (ctx: RouteContext): Reply => ctx.flavor.notFound("Application not found.");
  return [
    {
      method: "GET",
      path: "/applications",
      deviations: { responseSchemas: { 200: { type: "array", items: APPLICATION } } },
      handler: (ctx) => ({ status: 200, body: state.applications.map((a) => json(ctx, a)) }),
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
        // Coolify v4.3.10 ApplicationsController.php create_application, `dockerimage` rules: the name is a full
        // reference checked by app/Rules/DockerImageFormat.php, the tag by ValidationPatterns' tag rules.
        const rawName = String(b.docker_registry_image_name);
        const rawTag = typeof b.docker_registry_image_tag === "string" ? b.docker_registry_image_tag : undefined;
        if (!validImageReference(rawName)) {
          return invalidFields(ctx, { docker_registry_image_name: "The docker registry image name format is invalid. Use image:tag or image@sha256:hash format." });
        }
        if (!validImageTag(rawTag)) return invalidFields(ctx, { docker_registry_image_tag: "The docker registry image tag field format is invalid." });
        const image = storedImage(rawName, rawTag);
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
        // create_application's `dockerimage` branch overwrites whatever was sent (see webhooks.ts).
        Object.assign(app.config, DOCKERIMAGE_GIT);
        state.applications.push(app);
        // Coolify v4.3.10: instant_deploy on create queues with no_questions_asked (never "skipped"); a full
        // queue is not reported here, the app is simply not deployed.
        if (b.instant_deploy === true) rollouts.queue(app, { force: false, restartOnly: false, noQuestionsAsked: true });
        return { status: 201, body: { uuid, domains: fqdn } };
      },
    },
    {
      method: "GET",
      path: "/applications/{uuid}",
      deviations: { responseSchemas: { 200: APPLICATION } },
      handler: (ctx) => {
        const app = find(ctx);
        return app ? { status: 200, body: json(ctx, app) } : notFound(ctx);
      },
    },
    {
      method: "PATCH",
      path: "/applications/{uuid}",
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        const b = (ctx.body ?? {}) as Body;
        const nameOk = b.docker_registry_image_name === undefined || (typeof b.docker_registry_image_name === "string" && validImageName(b.docker_registry_image_name));
        const tagOk = b.docker_registry_image_tag === undefined || (typeof b.docker_registry_image_tag === "string" && validImageTag(b.docker_registry_image_tag));
        if (!nameOk || !tagOk) {
          return invalidFields(ctx, {
            ...(nameOk ? {} : { docker_registry_image_name: "The docker registry image name field format is invalid." }),
            ...(tagOk ? {} : { docker_registry_image_tag: "The docker registry image tag field format is invalid." }),
          });
        }
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
        // Coolify v4.3.10 ApplicationsController.php update_by_uuid: sharedDataApplications() (bootstrap/helpers/
        // api.php) checks the name against DOCKER_IMAGE_NAME_PATTERN (a repository without tag; only a trailing
        // "@sha256" allowed) and the tag against DOCKER_IMAGE_TAG_PATTERN, then fills both as given, unparsed.
        if (typeof b.docker_registry_image_name === "string") app.docker_registry_image_name = b.docker_registry_image_name;
        if (typeof b.docker_registry_image_tag === "string") app.docker_registry_image_tag = b.docker_registry_image_tag;
        storeConfig(app, b);
        app.updated_at = ctx.clock.isoNow();
        if (b.instant_deploy === true) {
          const result = rollouts.queue(app, { force: false, restartOnly: false });
          if (result.status === "skipped") return { status: 200, body: { message: result.message } };
        }
        return { status: 200, body: { uuid: app.uuid } };
      },
    },
    {
      method: "DELETE",
      path: "/applications/{uuid}",
      deviations: { looseQueryParams: DELETE_FLAGS },
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        // Coolify v4.3.10 ApplicationsController.php delete_by_uuid queues app/Jobs/DeleteResourceJob.php; the
        // application stays visible until the job has run. With delete_volumes (default true) the job runs
        // Application::deleteVolumes(): `docker volume rm -f` of every persistent storage's volume.
        if (!app.deleting) {
          app.deleting = true;
          const deleteVolumes = laravelBoolean(ctx.query.delete_volumes, true);
          ctx.clock.schedule(TIMING.queuedActionMs, () => {
            if (deleteVolumes) for (const s of app.storages) if (s.type === "persistent" && s.name) state.volumes.delete(s.name);
            state.applications = state.applications.filter((a) => a !== app);
          });
        }
        return { status: 200, body: { message: "Application deletion request queued." } };
      },
    },
    {
      method: "POST",
      path: "/applications/{uuid}/start",
      deviations: { looseQueryParams: ["force", "instant_deploy"] },
      handler: (ctx) => {
        const app = find(ctx);
        if (!app) return notFound(ctx);
        // Coolify v4.3.10 ApplicationsController.php action_deploy: "skipped" answers the message alone; a full
        // queue is not reported and the answer carries a deployment_uuid that was never saved.
        const result = rollouts.queue(app, {
          force: laravelBoolean(ctx.query.force, false),
          restartOnly: false,
          noQuestionsAsked: laravelBoolean(ctx.query.instant_deploy, false),
        });
        if (result.status === "skipped") return { status: 200, body: { message: result.message } };
        const uuid = result.status === "queued" ? result.deployment.uuid : coolifyUuid();
        return { status: 200, body: { message: "Deployment request queued.", deployment_uuid: uuid } };
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
        // Coolify v4.3.10 ApplicationsController.php action_restart: like action_deploy, with restart_only.
        const result = rollouts.queue(app, { force: false, restartOnly: true });
        if (result.status === "skipped") return { status: 200, body: { message: result.message } };
        const uuid = result.status === "queued" ? result.deployment.uuid : coolifyUuid();
        return { status: 200, body: { message: "Restart request queued.", deployment_uuid: uuid } };
      },
    },
  ];
}
