/**
 * What every GitHub route handler shares: the live state (replaced on reset), the secret sealer and the URLs
 * the emulator answers under (known only once the server listens, hence a mutable holder).
 */
import type { Reply, RouteContext } from "../common/http";
import { findEnvironment, findRepository, findRepositoryById, isoSeconds, type Environment, type GithubState, type Repository } from "./model";
import type { SecretSealer } from "./sealing";
import type { Urls } from "./views";

export interface GithubRuntime {
  state: GithubState;
  readonly sealer: SecretSealer;
  urls: Urls;
}

/** Emulated "now" as GitHub writes timestamps. */
export function nowIso(ctx: RouteContext): string {
  return isoSeconds(new Date(ctx.clock.now()));
}

export function param(ctx: RouteContext, name: string): string {
  const v = ctx.params[name];
  // The router only dispatches when every template parameter matched, so a missing one is an emulator bug.
  if (v === undefined) throw new Error(`route ${ctx.template} has no parameter ${name}`);
  return v;
}

export function body(ctx: RouteContext): Record<string, unknown> {
  const b = ctx.body;
  return typeof b === "object" && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/** The repository of `/repos/{owner}/{repo}/...` or `/repositories/{repository_id}/...`, or GitHub's 404. */
export function repoOf(rt: GithubRuntime, ctx: RouteContext): Repository | Reply {
  const byId = ctx.params.repository_id;
  const repo =
    byId !== undefined
      ? findRepositoryById(rt.state, Number(byId))
      : findRepository(rt.state, param(ctx, "owner"), param(ctx, "repo"));
  return repo ?? ctx.flavor.notFound();
}

export function envOf(rt: GithubRuntime, ctx: RouteContext): { repo: Repository; env: Environment } | Reply {
  const repo = repoOf(rt, ctx);
  if (isReply(repo)) return repo;
  const env = findEnvironment(repo, param(ctx, "environment_name"));
  return env ? { repo, env } : ctx.flavor.notFound();
}

export function isReply(v: unknown): v is Reply {
  return typeof v === "object" && v !== null && "status" in v && typeof (v as { status: unknown }).status === "number";
}
