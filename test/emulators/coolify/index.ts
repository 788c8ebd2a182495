import { EmulatorClock } from "../common/clock";
import { type EmulatorServer, startEmulatorServer } from "../common/server";
import type { EmulatorOptions } from "../common/types";
import { applicationRoutes } from "./applications";
import { databaseRoutes } from "./databases";
import { deploymentRoutes } from "./deployments";
import { envRoutes } from "./envs";
import { maskSecrets } from "../common/validate";
import { coolifyFlavor, SECRET_KEYS } from "./flavor";
import { projectRoutes } from "./projects";
import { serverRoutes } from "./servers";
import { storageRoutes } from "./storages";
import { volumeBackupRoutes } from "./volume-backups";
import { Rollouts, serveApp } from "./rollout";
import { CoolifyState } from "./state";
import { githubManualWebhook, MANUAL_GITHUB_WEBHOOK } from "./webhooks";
import { type CoolifyAbility, CoolifyRateLimit, CoolifyTokens } from "./auth";

export interface CoolifyEmulatorOptions extends EmulatorOptions {
  /**
   * Uuid of the server Coolify runs on (the "localhost" server every instance has).
   * @default "localhost-server-uuid0000"
   */
  serverUuid?: string;
  /**
   * Abilities of each API token, as created under Keys & Tokens (Coolify v4.3.10 app/Livewire/Security/ApiTokens.php).
   * A token not listed here gets `defaultAbilities`.
   * @example { "deploy-token": ["read", "write", "deploy"] }
   */
  tokenAbilities?: Readonly<Record<string, readonly CoolifyAbility[]>>;
  /**
   * Abilities of any token not in `tokenAbilities`.
   * @default ["root"]
   */
  defaultAbilities?: readonly CoolifyAbility[];
  /**
   * API requests a token may make per (emulated) minute, Coolify's API_RATE_LIMIT.
   * @default 200
   */
  rateLimitPerMinute?: number;
}

export type { CoolifyAbility } from "./auth";

export interface CoolifyEmulator extends EmulatorServer {
  /** The uuid to pass as `server_uuid` when creating applications and databases. */
  readonly serverUuid: string;
  /** Direct access to the emulated state, for assertions. */
  readonly state: CoolifyState;
}

/**
 * Starts an in-memory Coolify v4.3 API at `<origin>/api/v1`: projects and environments, docker-image
 * applications with env vars and deployments (rolling when a health check is set), Postgres databases with
 * backup schedules, queued deletes. Deployed apps answer on their fqdn's host through the same port.
 */
export async function startCoolifyEmulator(opts: CoolifyEmulatorOptions = {}): Promise<CoolifyEmulator> {
  const secretKeys = new Set(SECRET_KEYS);
  const state = new CoolifyState(opts.serverUuid ?? "localhost-server-uuid0000");
  const clock = new EmulatorClock(opts.timeScale ?? 20);
  const rollouts = new Rollouts(state, clock);
  const tokens = new CoolifyTokens(opts.tokenAbilities ?? {}, opts.defaultAbilities ?? ["root"]);
  const limiter = new CoolifyRateLimit(opts.rateLimitPerMinute ?? 200, clock);
  const routes = [
    ...serverRoutes(state),
    ...projectRoutes(state),
    ...applicationRoutes(state, rollouts, tokens),
    ...envRoutes(state, tokens, "applications", (uuid) => state.application(uuid), "App\\Models\\Application"),
    ...storageRoutes(state),
    ...volumeBackupRoutes(state),
    ...deploymentRoutes(state, rollouts, tokens),
    ...databaseRoutes(state, tokens),
    ...envRoutes(state, tokens, "databases", (uuid) => state.database(uuid), "App\\Models\\StandalonePostgresql"),
  ];
  const server = await startEmulatorServer(coolifyFlavor, routes, opts, {
    inventory: () => state.inventory((v) => maskSecrets(v, secretKeys)),
    reset: () => {
      state.reset();
      limiter.reset();
    },
    throttle: ({ headers }) => limiter.take(headers),
    instanceRoute: (method, path, headers, raw) =>
      method === "POST" && path === MANUAL_GITHUB_WEBHOOK ? githubManualWebhook(state, rollouts, headers, raw) : undefined,
    authorize: ({ method, template, headers }) => tokens.authorize(method, template, headers),
    markImageUnhealthy: (image) => state.unhealthyImages.add(image),
    appTraffic: (host, _method, path) => serveApp(state, host, path),
    clock,
  });
  return Object.assign(server, { serverUuid: state.serverUuid, state });
}
