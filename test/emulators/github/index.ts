/**
 * The GitHub REST API emulator (a GitHub Enterprise Server as go-github sees it: base URL
 * http://127.0.0.1:<port>/api/v3/), held to ../shared/specs/github/openapi-subset.json by the shared server.
 *
 * Seed it with organizations, users, teams and repositories; everything else (environments, policies,
 * secrets, variables, webhooks) is created through the API, exactly as the Pulumi GitHub provider does.
 */
import type { Route, RouteContext } from "../common/http";
import { type EmulatorServer, startEmulatorServer } from "../common/server";
import type { EmulatorOptions } from "../common/types";
import type { GithubRuntime } from "./context";
import { githubFlavor } from "./flavor";
import { actionsName, createState, findEnvironment, findRepository, type GithubSeed, type GithubState } from "./model";
import { accountRoutes } from "./routes-account";
import { actionsRoutes } from "./routes-actions";
import { deploymentRoutes } from "./routes-deployments";
import { environmentRoutes } from "./routes-environments";
import { hookRoutes } from "./routes-hooks";
import { lookupRoutes } from "./routes-lookups";
import { createSealer } from "./sealing";
import { hook, secretView, variableView } from "./views";

export type { GithubSeed } from "./model";

export interface GithubEmulatorOptions extends EmulatorOptions, GithubSeed {}

export interface SecretRef {
  owner: string;
  repo: string;
  /** Omit for a repository secret. */
  environment?: string;
  name: string;
}

/** The shared emulator (with its clock) plus what GitHub tests need. */
export interface GithubEmulator extends EmulatorServer {
  /**
   * What to give the Pulumi GitHub provider as `baseUrl`: the origin with a trailing slash. The provider
   * appends "api/v3/" itself for any base URL other than api.github.com, so passing `url` would double it.
   */
  readonly providerBaseUrl: string;
  /** The Actions public key every secret must be sealed to (what `.../secrets/public-key` serves). */
  readonly publicKey: { keyId: string; key: string };
  /** The decrypted value of a stored secret, for tests to assert; undefined when there is no such secret. */
  secretValue(ref: SecretRef): string | undefined;
}

/** API versions GitHub currently accepts in X-GitHub-Api-Version (go-github sends 2022-11-28). */
const API_VERSIONS = new Set(["2022-11-28", "2026-03-10"]);

/** GitHub rejects an API version it does not know before doing anything else. */
function withApiVersionCheck(route: Route): Route {
  return {
    ...route,
    handler: (ctx: RouteContext) => {
      const v = ctx.headers["x-github-api-version"];
      const version = Array.isArray(v) ? v[0] : v;
      if (version !== undefined && !API_VERSIONS.has(version)) {
        return ctx.flavor.error(400, `Unsupported 'X-GitHub-Api-Version' header value: ${version}.`);
      }
      return route.handler(ctx);
    },
  };
}

function inventoryOf(rt: GithubRuntime): unknown {
  const s: GithubState = rt.state;
  return {
    user: s.user.login,
    accounts: [...s.accounts.values()].map((a) => ({ login: a.login, id: a.id, type: a.kind })),
    teams: [...s.teams.values()],
    publicKey: { key_id: rt.sealer.keyId, key: rt.sealer.publicKeyBase64 },
    repositories: [...s.repositories.values()].map((r) => ({
      id: r.id,
      full_name: `${r.owner.login}/${r.name}`,
      private: r.private,
      default_branch: r.defaultBranch,
      // Secret values stay out of the dump: only names and timestamps, as GitHub itself reveals.
      secrets: [...r.secrets.values()].map(secretView),
      variables: [...r.variables.values()].map(variableView),
      hooks: [...r.hooks.values()].map((h) => hook(rt.urls, r, h)),
      environments: [...r.environments.values()].map((e) => ({
        id: e.id,
        name: e.name,
        wait_timer: e.waitTimer,
        reviewers: e.reviewers,
        prevent_self_review: e.preventSelfReview,
        can_admins_bypass: e.canAdminsBypass,
        deployment_branch_policy: e.branchPolicy,
        deployment_policies: [...e.policies.values()],
        secrets: [...e.secrets.values()].map(secretView),
        variables: [...e.variables.values()].map(variableView),
      })),
    })),
  };
}

function secretValue(rt: GithubRuntime, ref: SecretRef): string | undefined {
  const repo = findRepository(rt.state, ref.owner, ref.repo);
  if (!repo) return undefined;
  const scope = ref.environment === undefined ? repo : findEnvironment(repo, ref.environment);
  return scope?.secrets.get(actionsName(ref.name))?.value;
}

export async function startGithubEmulator(opts: GithubEmulatorOptions = {}): Promise<GithubEmulator> {
  const { orgs, user, users, teams, repositories, ...serverOptions } = opts;
  const seed: GithubSeed = { orgs, user, users, teams, repositories };
  const sealer = await createSealer();
  const rt: GithubRuntime = {
    state: createState(seed, new Date()),
    sealer,
    // Placeholder until the server listens and its port is known (no request can arrive before that).
    urls: { api: "http://127.0.0.1/api/v3", web: "http://127.0.0.1" },
  };
  const routes = [...accountRoutes(rt), ...environmentRoutes(rt), ...actionsRoutes(rt), ...hookRoutes(rt), ...lookupRoutes(rt), ...deploymentRoutes(rt)].map(withApiVersionCheck);
  const server = await startEmulatorServer(githubFlavor(), routes, serverOptions, {
    inventory: () => inventoryOf(rt),
    reset: () => {
      // The key pair survives a reset, like GitHub's: a key fetched before still seals valid secrets.
      rt.state = createState(seed, new Date(server.clock.now()));
    },
    // GitHub hosts no deployed apps, so there is no health endpoint an image could make fail.
    markImageUnhealthy: () => undefined,
    // `POST /_emulator/secret {owner, repo, environment?, name}` → `{value}`: secretValue() for a test that runs
    // the emulator in another process (the e2e suite, the sandbox). Control-only, never on the API port's API.
    control: (action, method, b) => {
      if (action !== "secret" || method !== "POST") return undefined;
      const { owner, repo, environment, name } = b;
      if (typeof owner !== "string" || typeof repo !== "string" || typeof name !== "string" || (environment !== undefined && typeof environment !== "string")) {
        return { status: 400, body: { error: "owner, repo and name (strings) required; environment optional" } };
      }
      const value = secretValue(rt, { owner, repo, environment, name });
      return value === undefined ? { status: 404, body: { error: "no such secret" } } : { status: 200, body: { value } };
    },
  });
  rt.urls = { api: server.url, web: server.origin };
  rt.state = createState(seed, new Date(server.clock.now()));
  return Object.assign(server, {
    providerBaseUrl: `${server.origin}/`,
    publicKey: { keyId: sealer.keyId, key: sealer.publicKeyBase64 },
    secretValue: (ref: SecretRef) => secretValue(rt, ref),
  });
}
