/**
 * Dynamic provider for a Coolify project plus the one environment a stack deploys into.
 * id = project uuid; state carries the environment uuid.
 */
import { z } from "zod";
import { createOnce, defineProvider, diffFields, type FieldDiffResult, type Fields } from "../provider";
import { assertTokenAbilities, coolifyClient, ok, okOrMissing, waitUntilGone, CoolifyApiError, type CoolifyClient } from "./client";
import { environmentReply, parseReply, projectInputsSchema, projectReply, uuidReply } from "./schemas";
import type { ProjectInputs, ProjectOutputs } from "./types";

export const PROJECT_FIELDS: Fields = {
  name: { kind: "update" },
  description: { kind: "update" },
  // PATCH /projects/{uuid}/environments/{env} renames the environment; its uuid and contents stay.
  environmentName: { kind: "update" },
};

async function projectUuidsNamed(client: CoolifyClient, name: string): Promise<string[]> {
  const list = parseReply("GET /projects", z.array(projectReply), ok("GET /projects", await client.GET("/projects")));
  return list.filter((p) => p.name === name).map((p) => p.uuid);
}

async function environmentUuidsNamed(client: CoolifyClient, projectUuid: string, name: string): Promise<string[]> {
  const op = "GET /projects/{uuid}/environments";
  const reply = ok(op, await client.GET("/projects/{uuid}/environments", { params: { path: { uuid: projectUuid } } }));
  return parseReply(op, z.array(environmentReply), reply)
    .filter((e) => e.name === name)
    .map((e) => e.uuid);
}

/** Creates the environment, or adopts it when Coolify already made it (new projects get `production`). */
async function ensureEnvironment(client: CoolifyClient, projectUuid: string, name: string): Promise<string> {
  const found = await environmentUuidsNamed(client, projectUuid, name);
  if (found[0] !== undefined) return found[0];
  const op = "POST /projects/{uuid}/environments";
  return createOnce({
    what: `Coolify environment ${name}`,
    findExisting: () => environmentUuidsNamed(client, projectUuid, name),
    key: (uuid) => uuid,
    attempt: async () => {
      const reply = await client.POST("/projects/{uuid}/environments", {
        params: { path: { uuid: projectUuid } },
        body: { name },
      });
      // 409: it exists (a retry after a lost reply, or a concurrent create); take the existing one.
      if (reply.response.status === 409) {
        const existing = await environmentUuidsNamed(client, projectUuid, name);
        if (existing[0] !== undefined) return existing[0];
      }
      return parseReply(op, uuidReply, ok(op, reply)).uuid;
    },
  });
}

async function create(inputs: ProjectInputs): Promise<{ id: string; outs: ProjectOutputs }> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  // Stacks of one program share a project by name, one environment each (staging, production, pr-12),
  // which is how Coolify lays out an app's environments.
  const existing = await projectUuidsNamed(client, inputs.name);
  if (existing.length > 1) {
    throw new Error(
      `Coolify: ${existing.length} projects are named "${inputs.name}" (${existing.join(", ")}); slipway cannot tell which to use — rename all but one`,
    );
  }
  if (existing[0] !== undefined) {
    const environmentUuid = await ensureEnvironment(client, existing[0], inputs.environmentName);
    return { id: existing[0], outs: { ...inputs, projectUuid: existing[0], environmentUuid, adopted: true } };
  }
  const projectUuid = await createOnce({
    what: `CoolifyProject ${inputs.name}`,
    findExisting: () => projectUuidsNamed(client, inputs.name),
    key: (uuid) => uuid,
    attempt: async () => {
      const body = { name: inputs.name, ...(inputs.description !== undefined ? { description: inputs.description } : {}) };
      return parseReply("POST /projects", uuidReply, ok("POST /projects", await client.POST("/projects", { body }))).uuid;
    },
  });
  const environmentUuid = await ensureEnvironment(client, projectUuid, inputs.environmentName);
  return { id: projectUuid, outs: { ...inputs, projectUuid, environmentUuid, adopted: false } };
}

async function read(id: string, props: ProjectOutputs): Promise<ProjectOutputs | undefined> {
  const client = coolifyClient(props.connection);
  const project = okOrMissing("GET /projects/{uuid}", await client.GET("/projects/{uuid}", { params: { path: { uuid: id } } }));
  if (project === undefined) return undefined;
  const p = parseReply("GET /projects/{uuid}", projectReply, project);
  const env = okOrMissing(
    "GET /projects/{uuid}/{environment}",
    await client.GET("/projects/{uuid}/{environment_name_or_uuid}", {
      params: { path: { uuid: id, environment_name_or_uuid: props.environmentUuid } },
    }),
  );
  const e = env === undefined ? undefined : parseReply("GET /projects/{uuid}/{environment}", environmentReply, env);
  return {
    ...props,
    name: p.name,
    // Coolify answers "" for a project created without a description; that is no description, not drift.
    description: p.description || undefined,
    // A deleted environment shows up as a renamed one the next update recreates (see update()).
    environmentName: e?.name ?? "",
    environmentUuid: e?.uuid ?? "",
  };
}

async function update(id: string, olds: ProjectOutputs, inputs: ProjectInputs): Promise<ProjectOutputs> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  if (olds.name !== inputs.name || olds.description !== inputs.description) {
    ok(
      "PATCH /projects/{uuid}",
      await client.PATCH("/projects/{uuid}", {
        params: { path: { uuid: id } },
        body: { name: inputs.name, description: inputs.description ?? "" },
      }),
    );
  }
  let environmentUuid = olds.environmentUuid;
  if (!environmentUuid) {
    environmentUuid = await ensureEnvironment(client, id, inputs.environmentName);
  } else if (olds.environmentName !== inputs.environmentName) {
    const reply = await client.PATCH("/projects/{uuid}/environments/{environment_name_or_uuid}", {
      params: { path: { uuid: id, environment_name_or_uuid: environmentUuid } },
      body: { name: inputs.environmentName },
    });
    if (reply.response.status === 404) environmentUuid = await ensureEnvironment(client, id, inputs.environmentName);
    else ok("PATCH /projects/{uuid}/environments/{environment}", reply);
  }
  return { ...inputs, projectUuid: id, environmentUuid, adopted: olds.adopted };
}

async function remove(id: string, props: ProjectOutputs): Promise<void> {
  await assertTokenAbilities(props.connection);
  const client = coolifyClient(props.connection);
  if (props.environmentUuid) {
    const reply = await client.DELETE("/projects/{uuid}/environments/{environment_name_or_uuid}", {
      params: { path: { uuid: id, environment_name_or_uuid: props.environmentUuid } },
    });
    if (reply.response.status !== 404) ok("DELETE /projects/{uuid}/environments/{environment}", reply);
  }
  // A project this stack did not create is deleted only when no environment at all is left in it (the
  // creator went first); otherwise it belongs to whoever still uses it.
  if (props.adopted) {
    const envs = await client.GET("/projects/{uuid}/environments", { params: { path: { uuid: id } } });
    if (envs.response.status === 404) return;
    const left = parseReply("GET /projects/{uuid}/environments", z.array(environmentReply), ok("GET /projects/{uuid}/environments", envs));
    if (left.length > 0) return;
  }
  const reply = await client.DELETE("/projects/{uuid}", { params: { path: { uuid: id } } });
  if (reply.response.status === 404) return;
  try {
    ok("DELETE /projects/{uuid}", reply);
  } catch (error) {
    // Another stack's environment still holds resources in this project: leave the project to that stack.
    if (error instanceof CoolifyApiError && error.status === 400) return;
    throw error;
  }
  await waitUntilGone(`project ${id}`, async () => {
    return (await client.GET("/projects/{uuid}", { params: { path: { uuid: id } } })).response.status;
  });
}

export function diffProject(olds: ProjectOutputs, news: ProjectInputs): FieldDiffResult {
  return diffFields(olds, news, PROJECT_FIELDS);
}

export const coolifyProjectProvider = defineProvider<ProjectInputs, ProjectOutputs>({
  resource: "CoolifyProject",
  schema: projectInputsSchema,
  nameOf: (inputs) => inputs.name,
  diff: diffProject,
  create,
  read,
  update,
  delete: remove,
});
