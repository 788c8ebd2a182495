/**
 * Actions secrets and variables, per repository and per environment. Environment secrets are served on both
 * `/repos/{owner}/{repo}/environments/...` (go-github v89+) and the legacy `/repositories/{repository_id}/
 * environments/...` that provider v6.13.0 (go-github v88) calls.
 *
 * A secret must be sealed to the emulator's public key with the served key_id: the emulator opens the box
 * (as GitHub does) and keeps the plaintext in memory for tests; a wrong key_id or an unopenable value is 422.
 */
import type { Reply, Route, RouteContext } from "../common/http";
import { body, envOf, type GithubRuntime, isReply, nowIso, param, repoOf } from "./context";
import { actionsName, type StoredSecret, type StoredVariable } from "./model";
import { secretView, variableView } from "./views";

/** GitHub's limit for one secret or variable value. */
const MAX_VALUE_BYTES = 48 * 1024;

interface Scope {
  secrets: Map<string, StoredSecret>;
  variables: Map<string, StoredVariable>;
}

type ScopeResolver = (ctx: RouteContext) => Scope | Reply;

/** GitHub's naming rules for secrets and variables; undefined when the name is acceptable. */
function invalidName(name: string, kind: "Secret" | "Variable"): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return `${kind} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), and cannot start with a number.`;
  }
  if (/^GITHUB_/i.test(name)) return `${kind} names must not start with the GITHUB_ prefix.`;
  return undefined;
}

function secretRoutes(rt: GithubRuntime, base: string, scopeOf: ScopeResolver): Route[] {
  return [
    {
      method: "GET",
      path: `${base}/public-key`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        return { status: 200, body: { key_id: rt.sealer.keyId, key: rt.sealer.publicKeyBase64 } };
      },
    },
    {
      method: "GET",
      path: `${base}/{secret_name}`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        const s = scope.secrets.get(actionsName(param(ctx, "secret_name")));
        return s ? { status: 200, body: secretView(s) } : ctx.flavor.notFound();
      },
    },
    {
      method: "PUT",
      path: `${base}/{secret_name}`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        const rawName = param(ctx, "secret_name");
        const bad = invalidName(rawName, "Secret");
        if (bad) return ctx.flavor.error(422, bad);
        const b = body(ctx);
        if (b.key_id !== rt.sealer.keyId) {
          return ctx.flavor.error(422, "Bad request - the key_id does not match the repository's current public key.");
        }
        const plain = rt.sealer.open(String(b.encrypted_value));
        if (plain === undefined) {
          return ctx.flavor.error(422, "Bad request - encrypted_value is not a sealed box for the key identified by key_id.");
        }
        if (Buffer.byteLength(plain) > MAX_VALUE_BYTES) return ctx.flavor.error(422, "Secret value is too large (maximum is 48 KB).");
        const name = actionsName(rawName);
        const now = nowIso(ctx);
        const existing = scope.secrets.get(name);
        if (existing) {
          existing.value = plain;
          existing.updatedAt = now;
          return { status: 204 };
        }
        scope.secrets.set(name, { name, value: plain, createdAt: now, updatedAt: now });
        return { status: 201, body: {} };
      },
    },
    {
      method: "DELETE",
      path: `${base}/{secret_name}`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        return scope.secrets.delete(actionsName(param(ctx, "secret_name"))) ? { status: 204 } : ctx.flavor.notFound();
      },
    },
  ];
}

function variableRoutes(base: string, scopeOf: ScopeResolver): Route[] {
  return [
    {
      method: "POST",
      path: base,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        const b = body(ctx);
        const rawName = String(b.name);
        const value = String(b.value);
        const bad = invalidName(rawName, "Variable");
        if (bad) return ctx.flavor.error(422, bad);
        if (Buffer.byteLength(value) > MAX_VALUE_BYTES) return ctx.flavor.error(422, "Variable value is too large (maximum is 48 KB).");
        const name = actionsName(rawName);
        // GitHub refuses to overwrite through POST; the client must PATCH.
        if (scope.variables.has(name)) return ctx.flavor.error(409, "Already exists - Variable already exists");
        const now = nowIso(ctx);
        scope.variables.set(name, { name, value, createdAt: now, updatedAt: now });
        return { status: 201, body: {} };
      },
    },
    {
      method: "GET",
      path: `${base}/{name}`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        const v = scope.variables.get(actionsName(param(ctx, "name")));
        return v ? { status: 200, body: variableView(v) } : ctx.flavor.notFound();
      },
    },
    {
      method: "PATCH",
      path: `${base}/{name}`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        const current = scope.variables.get(actionsName(param(ctx, "name")));
        if (!current) return ctx.flavor.notFound();
        const b = body(ctx);
        if (typeof b.value === "string" && Buffer.byteLength(b.value) > MAX_VALUE_BYTES) {
          return ctx.flavor.error(422, "Variable value is too large (maximum is 48 KB).");
        }
        if (typeof b.name === "string" && actionsName(b.name) !== current.name) {
          // A PATCH may rename the variable, as long as the new name is valid and free.
          const bad = invalidName(b.name, "Variable");
          if (bad) return ctx.flavor.error(422, bad);
          const renamed = actionsName(b.name);
          if (scope.variables.has(renamed)) return ctx.flavor.error(409, "Already exists - Variable already exists");
          scope.variables.delete(current.name);
          current.name = renamed;
          scope.variables.set(renamed, current);
        }
        if (typeof b.value === "string") current.value = b.value;
        current.updatedAt = nowIso(ctx);
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      path: `${base}/{name}`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (isReply(scope)) return scope;
        return scope.variables.delete(actionsName(param(ctx, "name"))) ? { status: 204 } : ctx.flavor.notFound();
      },
    },
  ];
}

export function actionsRoutes(rt: GithubRuntime): Route[] {
  const repoScope: ScopeResolver = (ctx) => repoOf(rt, ctx);
  const envScope: ScopeResolver = (ctx) => {
    const found = envOf(rt, ctx);
    return isReply(found) ? found : found.env;
  };
  return [
    ...secretRoutes(rt, "/repos/{owner}/{repo}/actions/secrets", repoScope),
    ...secretRoutes(rt, "/repos/{owner}/{repo}/environments/{environment_name}/secrets", envScope),
    ...secretRoutes(rt, "/repositories/{repository_id}/environments/{environment_name}/secrets", envScope),
    ...variableRoutes("/repos/{owner}/{repo}/actions/variables", repoScope),
    ...variableRoutes("/repos/{owner}/{repo}/environments/{environment_name}/variables", envScope),
  ];
}
