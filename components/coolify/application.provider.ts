/**
 * Dynamic provider for a Coolify application from a Docker image, with its env vars and its deployment.
 * id = application uuid. create/update end with a deployment that must finish; a failed one fails the
 * operation with the deployment's log.
 */
import { z } from "zod";
import { createOnce, defineProvider, diffFields, isEqual, type FieldDiffResult, type Fields } from "../provider";
import { assertTokenAbilities, coolifyClient, ok, okOrMissing, waitUntilGone, type CoolifyClient } from "./client";
import { applicationFromApi, applicationMark, createApplicationBody, patchApplicationBody, hostsFromFqdn } from "./application.request";
import { deployAndWait } from "./deploy";
import { applyEnvPlan, listEnvVars, planEnvChanges } from "./envvars";
import { environmentIdOf, marked, namedInEnvironment, refuseForeign } from "./lookup";
import { applyStoragePlan, listStorages, planStorages, volumesFromApi } from "./storages";
import { applicationInputsSchema, applicationReply, parseReply, uuidReply } from "./schemas";
import type { ApplicationInputs, ApplicationOutputs } from "./types";

export const APPLICATION_FIELDS: Fields = {
  // Placement: slipway does not move applications between projects, environments or servers in place.
  projectUuid: { kind: "replace" },
  environmentUuid: { kind: "replace" },
  serverUuid: { kind: "replace" },
  destinationUuid: { kind: "replace" },
  name: { kind: "update" },
  description: { kind: "update" },
  image: { kind: "update" },
  domains: { kind: "update" },
  ports: { kind: "update" },
  portMappings: { kind: "update" },
  healthCheck: { kind: "update" },
  limits: { kind: "update" },
  preDeploymentCommand: { kind: "update" },
  postDeploymentCommand: { kind: "update" },
  env: { kind: "update", map: true },
  secretEnv: { kind: "update", map: true },
  volumes: { kind: "update" },
  githubWebhookSecret: { kind: "update" },
  deploy: { kind: "update" },
};

/** PATCH fields that change nothing in the running container, so they need no deployment. */
const NOT_RUNTIME = new Set(["name", "description", "manual_webhook_secret_github"]);

export function diffApplication(olds: ApplicationOutputs, news: ApplicationInputs): FieldDiffResult {
  const result = diffFields(olds, news, APPLICATION_FIELDS);
  // A replacement that keeps a domain must delete first: Coolify refuses (409) a second app on the same domain.
  const sharesDomain = (olds.domains ?? []).some((d) => news.domains?.includes(d));
  return { ...result, deleteBeforeReplace: result.replaces.length > 0 && sharesDomain };
}

const allEnv = (inputs: ApplicationInputs): Record<string, string> => ({ ...inputs.env, ...inputs.secretEnv });

/** Brings the volumes to what `inputs` declare; skipped entirely when none were or are declared. */
async function syncVolumes(client: CoolifyClient, uuid: string, olds: ApplicationInputs | undefined, inputs: ApplicationInputs): Promise<boolean> {
  const managed = (olds?.volumes ?? []).map((v) => v.name);
  const desired = inputs.volumes ?? [];
  if (managed.length === 0 && desired.length === 0) return false;
  return applyStoragePlan(client, uuid, planStorages(uuid, await listStorages(client, uuid), desired, managed));
}

async function applicationUuidsNamed(client: CoolifyClient, inputs: ApplicationInputs, environmentId?: number): Promise<string[]> {
  const apps = parseReply("GET /applications", z.array(applicationReply), ok("GET /applications", await client.GET("/applications")));
  return namedInEnvironment(apps, inputs.name, environmentId);
}

async function getApplication(client: CoolifyClient, uuid: string): Promise<z.infer<typeof applicationReply> | undefined> {
  const op = "GET /applications/{uuid}";
  const body = okOrMissing(op, await client.GET("/applications/{uuid}", { params: { path: { uuid } } }));
  return body === undefined ? undefined : parseReply(op, applicationReply, body);
}

async function deleteApplication(client: CoolifyClient, uuid: string): Promise<void> {
  // Coolify v4.3.10 app/Http/Controllers/Api/ApplicationsController.php delete_by_uuid defaults delete_volumes to true, and
  // app/Jobs/DeleteResourceJob.php then runs `docker volume rm` on every persistent volume: a replace or a
  // destroy would take the data with it. slipway never asks for that; the volumes stay on the server.
  const reply = await client.DELETE("/applications/{uuid}", { params: { path: { uuid }, query: { delete_volumes: false } } });
  if (reply.response.status === 404) return;
  ok("DELETE /applications/{uuid}", reply);
  await waitUntilGone(`application ${uuid}`, async () => {
    return (await client.GET("/applications/{uuid}", { params: { path: { uuid } } })).response.status;
  });
}

async function outputsFor(client: CoolifyClient, uuid: string, inputs: ApplicationInputs): Promise<ApplicationOutputs> {
  const app = await getApplication(client, uuid);
  const hosts = app ? hostsFromFqdn(app.fqdn) : inputs.domains;
  // `host:4000` is routed to container port 4000 but served on 443 like every domain: the URL has no port.
  return { ...inputs, uuid, urls: hosts.map((h) => `https://${h.replace(/:\d+$/, "")}`) };
}

async function listApplications(client: CoolifyClient): Promise<z.infer<typeof applicationReply>[]> {
  return parseReply("GET /applications", z.array(applicationReply), ok("GET /applications", await client.GET("/applications")));
}

/**
 * The application these inputs made earlier, found by its ownership mark (Coolify v4.3.10
 * app/Http/Controllers/Api/ApplicationsController.php applications(): the list carries each application's
 * description). Two carrying one mark cannot be told apart: reported, not guessed.
 */
async function findOwnApplication(client: CoolifyClient, inputs: ApplicationInputs, mark: string): Promise<string | undefined> {
  const mine = marked(await listApplications(client), mark);
  if (mine.length > 1) throw new Error(`${mine.length} applications carry its mark ${mark}: ${mine.join(", ")}`);
  return mine[0];
}

/**
 * Every create looks for its own mark first: after a lost answer or a killed engine the application may exist
 * already, and the next `up` adopts it (and brings it to the inputs) instead of creating a second one, which
 * Coolify would refuse anyway (409, the domain is taken). Same name without the mark: refused, never taken.
 */
async function createOrAdopt(client: CoolifyClient, inputs: ApplicationInputs, envId: number | undefined): Promise<string> {
  const attempt = async () => {
    const op = "POST /applications/dockerimage";
    const reply = await client.POST("/applications/dockerimage", { body: createApplicationBody(inputs) });
    return parseReply(op, uuidReply, ok(op, reply)).uuid;
  };
  const what = `CoolifyApplication ${inputs.name}`;
  const mark = applicationMark(inputs);
  if (!mark) return createOnce({ what, findExisting: () => applicationUuidsNamed(client, inputs, envId), key: (found) => found, attempt });
  const own = await findOwnApplication(client, inputs, mark);
  if (own) {
    const app = await getApplication(client, own);
    const patch = app ? patchApplicationBody({ ...inputs, ...applicationFromApi(app, inputs) }, inputs) : {};
    if (Object.keys(patch).length > 0) {
      ok("PATCH /applications/{uuid}", await client.PATCH("/applications/{uuid}", { params: { path: { uuid: own } }, body: patch }));
    }
    return own;
  }
  refuseForeign(what, "application", await listApplications(client), inputs.name, envId, mark);
  // The mark is this create's alone, so what carries it after an ambiguous answer is what the answer lost.
  return createOnce({ what, findExisting: async () => marked(await listApplications(client), mark), key: (found) => found, attempt, baseline: false });
}

async function create(inputs: ApplicationInputs): Promise<{ id: string; outs: ApplicationOutputs }> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  const envId = await environmentIdOf(client, inputs.projectUuid, inputs.environmentUuid);
  const uuid = await createOrAdopt(client, inputs, envId);
  try {
    await applyEnvPlan(client, uuid, planEnvChanges(await listEnvVars(client, uuid), allEnv(inputs), []));
    await syncVolumes(client, uuid, undefined, inputs);
    const outs = await outputsFor(client, uuid, inputs);
    if (!inputs.deploy) return { id: uuid, outs };
    const deployment = await deployAndWait(client, uuid);
    return { id: uuid, outs: { ...outs, ...deployment } };
  } catch (error) {
    // A failed create must leave nothing behind: Pulumi does not record it, so it would be orphaned.
    await deleteApplication(client, uuid).catch(() => undefined);
    throw error;
  }
}

async function read(id: string, props: ApplicationOutputs): Promise<ApplicationOutputs | undefined> {
  const client = coolifyClient(props.connection);
  const app = await getApplication(client, id);
  if (app === undefined) return undefined;
  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  const written = allEnv(props);
  for (const v of (await listEnvVars(client, id)).filter((e) => !e.is_preview)) {
    // A value Coolify hides (token without read:sensitive, see envvars.ts) is taken to be the one slipway wrote.
    const value = v.value ?? written[v.key] ?? "";
    // Keys that were secret stay secret; any other key (added by hand) is reported as plain drift.
    if (v.key in (props.secretEnv ?? {})) secretEnv[v.key] = value;
    else env[v.key] = value;
  }
  const current = applicationFromApi(app, props);
  // Volumes are read only when slipway manages some (older Coolify versions lack the storages API).
  const volumes = props.volumes?.length ? volumesFromApi(id, await listStorages(client, id)) : props.volumes;
  return {
    ...props,
    ...current,
    env,
    secretEnv,
    volumes,
    urls: current.domains.map((h) => `https://${h.replace(/:\d+$/, "")}`),
    // From the id, not the old state: a resource `slipway recover` recorded has only its inputs there.
    uuid: id,
  };
}

async function update(id: string, olds: ApplicationOutputs, inputs: ApplicationInputs): Promise<ApplicationOutputs> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  const app = await getApplication(client, id);
  if (app === undefined) throw new Error(`Coolify application ${id} no longer exists; run \`pulumi refresh\` to recreate it`);
  // PATCH what differs from what Coolify holds now, not from the old state: a failed earlier update or a
  // hand edit may have left other values there, and they must be put back too.
  const patch = patchApplicationBody({ ...inputs, ...applicationFromApi(app, inputs) }, inputs);
  if (Object.keys(patch).length > 0) {
    ok("PATCH /applications/{uuid}", await client.PATCH("/applications/{uuid}", { params: { path: { uuid: id } }, body: patch }));
  }
  const managed = Object.keys(allEnv(olds));
  const envChanged = await applyEnvPlan(client, id, planEnvChanges(await listEnvVars(client, id), allEnv(inputs), managed, allEnv(olds)));
  const volumesChanged = await syncVolumes(client, id, olds, inputs);
  const outs = await outputsFor(client, id, inputs);
  // Turning deploy on, or any change to what runs, needs a deployment; a rename or description does not.
  // Declared changes count even when the API already holds them: an earlier update may have applied them
  // and then failed its deployment, and the state still holds the old inputs.
  const declaredChange =
    !isEqual(allEnv(olds), allEnv(inputs)) ||
    !isEqual(olds.volumes ?? [], inputs.volumes ?? []) ||
    Object.keys(patchApplicationBody(olds, inputs)).some((key) => !NOT_RUNTIME.has(key));
  const runtimeChanged =
    envChanged ||
    volumesChanged ||
    declaredChange ||
    Object.keys(patch).some((key) => !NOT_RUNTIME.has(key)) ||
    (inputs.deploy && !olds.deploy);
  if (!inputs.deploy || !runtimeChanged) {
    return { ...outs, deploymentUuid: olds.deploymentUuid, deploymentStatus: olds.deploymentStatus };
  }
  const deployment = await deployAndWait(client, id);
  return { ...outs, ...deployment };
}

/** For `slipway recover`: the application a pending create of these inputs made, if any (infra/cli/recover.ts). */
async function findOwn(inputs: ApplicationInputs): Promise<{ id: string; description: string } | undefined> {
  const mark = applicationMark(inputs);
  if (!mark) return undefined;
  const uuid = await findOwnApplication(coolifyClient(inputs.connection), inputs, mark);
  return uuid ? { id: uuid, description: `Coolify application ${inputs.name} (${mark})` } : undefined;
}

export const coolifyApplicationProvider = defineProvider<ApplicationInputs, ApplicationOutputs>({
  resource: "CoolifyApplication",
  schema: applicationInputsSchema,
  nameOf: (inputs) => inputs.name,
  findOwn,
  diff: diffApplication,
  create,
  read,
  update,
  delete: async (id, props) => {
      await assertTokenAbilities(props.connection);
      await deleteApplication(coolifyClient(props.connection), id);
    },
});
