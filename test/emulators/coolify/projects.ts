import type { Route, RouteContext } from "../common/http";
import { type CoolifyState, coolifyUuid, type EnvironmentRecord, type ProjectRecord } from "./state";

interface ProjectBody {
  name?: string;
  description?: string;
}

function body<T>(ctx: RouteContext): T {
  return (ctx.body ?? {}) as T;
}

// The real service includes the environment's uuid (clients need it) although the spec's schema omits it.
// A null description is left out: the spec types it as a non-null string.
export function environmentJson(env: EnvironmentRecord): Record<string, unknown> {
  const { description, ...rest } = env;
  return description === null ? rest : { ...rest, description };
}

function projectJson(state: CoolifyState, p: ProjectRecord, withEnvironments: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: p.id, uuid: p.uuid, name: p.name, description: p.description ?? "" };
  if (withEnvironments) out.environments = state.environments.filter((e) => e.project_id === p.id).map(environmentJson);
  return out;
}

export function projectRoutes(state: CoolifyState): Route[] {
  const addEnvironment = (ctx: RouteContext, project: ProjectRecord, name: string, description: string | null): EnvironmentRecord => {
    const now = ctx.clock.isoNow();
    const env: EnvironmentRecord = { id: state.id(), uuid: coolifyUuid(), name, project_id: project.id, description, created_at: now, updated_at: now };
    state.environments.push(env);
    return env;
  };
  const findProject = (ctx: RouteContext): ProjectRecord | undefined => state.project(ctx.params.uuid ?? "");
  const projectHasResources = (p: ProjectRecord): boolean =>
    state.environments.some((e) => e.project_id === p.id && !state.environmentIsEmpty(e));

  return [
    { method: "GET", path: "/projects", handler: () => ({ status: 200, body: state.projects.map((p) => projectJson(state, p, false)) }) },
    {
      method: "POST",
      path: "/projects",
      handler: (ctx) => {
        const b = body<ProjectBody>(ctx);
        if (!b.name) return ctx.flavor.validationError([{ in: "body", field: "name", keyword: "required", message: "required" }]);
        const project: ProjectRecord = { id: state.id(), uuid: coolifyUuid(), name: b.name, description: b.description ?? null };
        state.projects.push(project);
        // Coolify gives every new project a "production" environment.
        addEnvironment(ctx, project, "production", null);
        return { status: 201, body: { uuid: project.uuid } };
      },
    },
    {
      method: "GET",
      path: "/projects/{uuid}",
      handler: (ctx) => {
        const p = findProject(ctx);
        return p ? { status: 200, body: projectJson(state, p, true) } : ctx.flavor.notFound("Project not found.");
      },
    },
    {
      method: "PATCH",
      path: "/projects/{uuid}",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        const b = body<ProjectBody>(ctx);
        if (b.name !== undefined) p.name = b.name;
        if (b.description !== undefined) p.description = b.description;
        return { status: 201, body: { uuid: p.uuid, name: p.name, description: p.description ?? "" } };
      },
    },
    {
      method: "DELETE",
      path: "/projects/{uuid}",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        if (projectHasResources(p)) return ctx.flavor.error(400, "Project has resources, so it cannot be deleted.");
        state.environments = state.environments.filter((e) => e.project_id !== p.id);
        state.projects = state.projects.filter((x) => x !== p);
        return { status: 200, body: { message: "Project deleted." } };
      },
    },
    {
      method: "GET",
      path: "/projects/{uuid}/environments",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        return { status: 200, body: state.environments.filter((e) => e.project_id === p.id).map(environmentJson) };
      },
    },
    {
      method: "POST",
      path: "/projects/{uuid}/environments",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        const b = body<{ name?: string }>(ctx);
        if (!b.name) return ctx.flavor.validationError([{ in: "body", field: "name", keyword: "required", message: "required" }]);
        if (state.environments.some((e) => e.project_id === p.id && e.name === b.name)) {
          return ctx.flavor.error(409, "Environment with this name already exists.");
        }
        return { status: 201, body: { uuid: addEnvironment(ctx, p, b.name, null).uuid } };
      },
    },
    {
      method: "GET",
      path: "/projects/{uuid}/{environment_name_or_uuid}",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        const env = state.environment(p, ctx.params.environment_name_or_uuid ?? "");
        return env ? { status: 200, body: environmentJson(env) } : ctx.flavor.notFound("Environment not found.");
      },
    },
    {
      method: "PATCH",
      path: "/projects/{uuid}/environments/{environment_name_or_uuid}",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        const env = state.environment(p, ctx.params.environment_name_or_uuid ?? "");
        if (!env) return ctx.flavor.notFound("Environment not found.");
        const b = body<ProjectBody>(ctx);
        if (b.name !== undefined && b.name !== env.name && state.environments.some((e) => e.project_id === p.id && e.name === b.name)) {
          return ctx.flavor.error(409, "Environment with this name already exists.");
        }
        if (b.name !== undefined) env.name = b.name;
        if (b.description !== undefined) env.description = b.description;
        env.updated_at = ctx.clock.isoNow();
        const out: Record<string, unknown> = { uuid: env.uuid, name: env.name };
        if (env.description !== null) out.description = env.description;
        return { status: 200, body: out };
      },
    },
    {
      method: "DELETE",
      path: "/projects/{uuid}/environments/{environment_name_or_uuid}",
      handler: (ctx) => {
        const p = findProject(ctx);
        if (!p) return ctx.flavor.notFound("Project not found.");
        const env = state.environment(p, ctx.params.environment_name_or_uuid ?? "");
        if (!env) return ctx.flavor.notFound("Environment not found.");
        if (!state.environmentIsEmpty(env)) return ctx.flavor.error(400, "Environment has resources, so it cannot be deleted.");
        state.environments = state.environments.filter((e) => e !== env);
        return { status: 200, body: { message: "Environment deleted." } };
      },
    },
  ];
}
