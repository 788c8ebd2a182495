/**
 * Dynamic provider for a Coolify project plus the one environment a stack deploys into.
 * id = project uuid; state carries the environment uuid.
 */
import type * as pulumi from "@pulumi/pulumi";
import { coolifyClient, createOnce, ok, okOrMissing, waitUntilGone, CoolifyApiError, type CoolifyClient } from "./client";
import { diffFields, type FieldDiffResult, type FieldSpec } from "./diff";
import { engineProvider } from "./engine";
import { checkInputs, environmentReply, parseInputs, parseReply, projectInputsSchema, projectReply, uuidReply } from "./schemas";
import type { ProjectInputs, ProjectOutputs } from "./types";
import { z } from "zod";

export const PROJECT_FIELDS: Record<string, FieldSpec> = {
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
  return createOnce(
    `environment ${name}`,
    () => environmentUuidsNamed(client, projectUuid, name),
    async () => {
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
  );
}

async function create(raw: ProjectInputs): Promise<pulumi.dynamic.CreateResult<ProjectOutputs>> {
  const inputs = parseInputs("project", projectInputsSchema, raw);
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
  const projectUuid = await createOnce(
    `project ${inputs.name}`,
    () => projectUuidsNamed(client, inputs.name),
    async () => {
      const body = { name: inputs.name, ...(inputs.description !== undefined ? { description: inputs.description } : {}) };
      return parseReply("POST /projects", uuidReply, ok("POST /projects", await client.POST("/projects", { body }))).uuid;
    },
  );
  const environmentUuid = await ensureEnvironment(client, projectUuid, inputs.environmentName);
  return { id: projectUuid, outs: { ...inputs, projectUuid, environmentUuid, adopted: false } };
}

async function read(id: string, props?: ProjectOutputs): Promise<pulumi.dynamic.ReadResult<ProjectOutputs>> {
  if (!props) throw new Error("Coolify project: read needs the resource's state (its connection)");
  const client = coolifyClient(props.connection);
  const project = okOrMissing("GET /projects/{uuid}", await client.GET("/projects/{uuid}", { params: { path: { uuid: id } } }));
  // Gone: an empty result tells the engine the resource no longer exists.
  if (project === undefined) return {};
  const p = parseReply("GET /projects/{uuid}", projectReply, project);
  const env = okOrMissing(
    "GET /projects/{uuid}/{environment}",
    await client.GET("/projects/{uuid}/{environment_name_or_uuid}", {
      params: { path: { uuid: id, environment_name_or_uuid: props.environmentUuid } },
    }),
  );
  const e = env === undefined ? undefined : parseReply("GET /projects/{uuid}/{environment}", environmentReply, env);
  return {
    id,
    props: {
      ...props,
      name: p.name,
      // Coolify answers "" for a project created without a description; that is no description, not drift.
      description: p.description || undefined,
      // A deleted environment shows up as a renamed one the next update recreates (see update()).
      environmentName: e?.name ?? "",
      environmentUuid: e?.uuid ?? "",
    },
  };
}

async function update(id: string, olds: ProjectOutputs, news: ProjectInputs): Promise<pulumi.dynamic.UpdateResult<ProjectOutputs>> {
  const inputs = parseInputs("project", projectInputsSchema, news);
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
  return { outs: { ...inputs, projectUuid: id, environmentUuid, adopted: olds.adopted } };
}

async function remove(id: string, props: ProjectOutputs): Promise<void> {
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
  return diffFields(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>, PROJECT_FIELDS);
}

export const coolifyProjectProvider = engineProvider<ProjectInputs, ProjectOutputs>(
  {
    check: async (_olds, news) => checkInputs(projectInputsSchema, news),
    diff: (_id, olds, news) => diffProject(olds, news),
    create,
    read,
    update,
    delete: remove,
  },
  ["projectUuid", "environmentUuid", "adopted"],
);
