// The GitHub Deployments routes, taken from the `@octokit/openapi` package's bundled description of
// api.github.com (the same bytes ../shared/specs/github/openapi-subset.json was cut from; see its SOURCE.md),
// with every `#/components/...` they reference, transitively. Used by `npm run gen:api` (scripts/gen-api.mjs, through tsx) (types for
// components/github/deployments.gen.ts) and by the GitHub emulator (validation). Nothing vendor-made is committed.
import { readFileSync } from "node:fs";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
/** The parts of an OpenAPI document this module reads and writes. */
export interface OpenApiDoc {
  openapi?: string;
  info?: JsonObject;
  paths: Record<string, Json>;
  components?: Record<string, Record<string, Json>>;
  [k: string]: unknown;
}

export const DEPLOYMENT_PATHS = [
  "/repos/{owner}/{repo}/deployments",
  "/repos/{owner}/{repo}/deployments/{deployment_id}",
  "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
  "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}",
];

/** Deep copy without octokit's own `x-octokit*` annotations. */
function strip(node: Json): Json {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => !k.startsWith("x-octokit")).map(([k, v]) => [k, strip(v)]));
}

function refsIn(node: Json, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/")) out.add(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** `{ paths, components }` of the Deployments routes, self-contained. */
export function deploymentsSubset(): OpenApiDoc & { components: Record<string, Record<string, Json>> } {
  const full = JSON.parse(readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8")) as {
    openapi: string;
    info: { version: string };
    paths: Record<string, Json>;
    components: Record<string, Record<string, Json>>;
  };
  const paths: Record<string, Json> = Object.fromEntries(DEPLOYMENT_PATHS.map((p) => [p, strip(full.paths[p] ?? null)]));
  const components: Record<string, Record<string, Json>> = {};
  const pending = [...refsIn(paths)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const ref = pending.pop() as string;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [, , kind = "", name = ""] = ref.split("/");
    const item = strip(full.components[kind]?.[name] ?? null);
    if (item === null) throw new Error(`@octokit/openapi: ${ref} does not resolve`);
    (components[kind] ??= {})[name] = item;
    pending.push(...refsIn(item));
  }
  return { openapi: full.openapi, info: { title: "GitHub Deployments (from @octokit/openapi)", version: full.info.version }, paths, components };
}

/** `base` (an OpenAPI document) with the Deployments routes and their components added. */
export function withDeployments(base: OpenApiDoc): OpenApiDoc {
  const sub = deploymentsSubset();
  const components: Record<string, Record<string, Json>> = { ...base.components };
  for (const [kind, items] of Object.entries(sub.components)) components[kind] = { ...items, ...(components[kind] ?? {}) };
  return { ...base, paths: { ...base.paths, ...sub.paths }, components };
}
