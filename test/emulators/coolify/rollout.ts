import type { EmulatorClock } from "../common/clock";
import type { Reply } from "../common/http";
import { imageReference } from "./images";
import { type ApplicationRecord, type CoolifyState, coolifyUuid, type DeploymentRecord } from "./state";

/** Emulated durations of a deployment's steps (ms). Real Coolify takes seconds to minutes; timeScale shrinks them. */
export const TIMING = {
  /** Queue pickup by the deployment worker. */
  pickupMs: 2_000,
  /** Image pull and container start. */
  startContainerMs: 3_000,
  /** A queued stop or delete being carried out. */
  queuedActionMs: 2_000,
};

/** Coolify's health-check defaults for new applications (health checks are off unless enabled). */
export const HEALTH_DEFAULTS = {
  health_check_enabled: false,
  health_check_path: "/",
  health_check_port: null,
  health_check_host: null,
  health_check_method: "GET",
  health_check_return_code: 200,
  health_check_scheme: "http",
  health_check_response_text: null,
  health_check_interval: 5,
  health_check_timeout: 5,
  health_check_retries: 10,
  health_check_start_period: 5,
} as const;

function num(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

export function healthEnabled(app: ApplicationRecord): boolean {
  return app.config.health_check_enabled === true;
}

/** Coolify's status string: "running:healthy|unhealthy|unknown" or "exited". */
export function applicationStatus(state: CoolifyState, app: ApplicationRecord): string {
  if (!app.running || app.stopped) return "exited";
  if (!healthEnabled(app)) return "running:unknown";
  return state.imageUnhealthy(app.running.image) ? "running:unhealthy" : "running:healthy";
}

export type QueueResult =
  | { status: "queued"; deployment: DeploymentRecord }
  | { status: "skipped"; message: string; existing: DeploymentRecord }
  | { status: "queue_full"; message: string };

/** The deployment engine: one worker per application, taking queued deployments in order. */
export class Rollouts {
  constructor(
    private readonly state: CoolifyState,
    private readonly clock: EmulatorClock,
  ) {}

  /**
   * Coolify v4.3.10 bootstrap/helpers/applications.php queue_application_deployment: refused while the server's
   * queue holds `deployment_queue_limit` queued deployments; "skipped" while a deployment of the same commit
   * (always HEAD for an image app), pull request 0 and docker tag is queued or in progress, unless forced or
   * `no_questions_asked` (instant_deploy on create); otherwise a new deployment is queued.
   */
  queue(app: ApplicationRecord, opts: { force: boolean; restartOnly: boolean; noQuestionsAsked?: boolean }): QueueResult {
    const queued = this.state.deployments.filter((d) => d.status === "queued").length;
    if (queued >= this.state.deploymentQueueLimit) {
      return { status: "queue_full", message: "Deployment queue is full. Please wait for existing deployments to complete." };
    }
    const existing = this.state.deployments.find(
      (d) => d.application_uuid === app.uuid && (d.status === "queued" || d.status === "in_progress"),
    );
    if (existing && !opts.force && opts.noQuestionsAsked !== true) {
      return { status: "skipped", message: "Deployment already queued for this commit.", existing };
    }
    const now = this.clock.isoNow();
    const d: DeploymentRecord = {
      id: this.state.id(),
      uuid: coolifyUuid(),
      application_uuid: app.uuid,
      image: imageReference(app),
      status: "queued",
      force_rebuild: opts.force,
      restart_only: opts.restartOnly,
      created_at: now,
      updated_at: now,
      logs: [],
    };
    this.state.deployments.push(d);
    this.log(d, `Deployment queued for ${app.name}.`);
    this.clock.schedule(TIMING.pickupMs, () => this.pickUp(app.uuid));
    return { status: "queued", deployment: d };
  }

  cancel(d: DeploymentRecord): boolean {
    if (d.status !== "queued" && d.status !== "in_progress") return false;
    this.set(d, "cancelled-by-user");
    this.log(d, "Deployment cancelled by user.", "stderr");
    const app = this.state.application(d.application_uuid);
    if (app) {
      app.swapping = false;
      this.clock.schedule(0, () => this.pickUp(app.uuid));
    }
    return true;
  }

  /** Queued stop: the container goes away shortly after the request is accepted. */
  stop(app: ApplicationRecord): void {
    this.clock.schedule(TIMING.queuedActionMs, () => {
      app.stopped = true;
      app.running = undefined;
    });
  }

  private pickUp(appUuid: string): void {
    const app = this.state.application(appUuid);
    const mine = this.state.deployments.filter((d) => d.application_uuid === appUuid);
    if (!app || app.deleting) {
      for (const d of mine.filter((x) => x.status === "queued")) this.set(d, "cancelled-by-user");
      return;
    }
    if (mine.some((d) => d.status === "in_progress")) return;
    const next = mine.find((d) => d.status === "queued");
    if (next) this.run(app, next);
  }

  private run(app: ApplicationRecord, d: DeploymentRecord): void {
    this.set(d, "in_progress");
    // Coolify v4.3.10 app/Jobs/ApplicationDeploymentJob.php reads the application when the job runs, so a
    // deployment queued before a PATCH deploys what the PATCH wrote.
    d.image = imageReference(app);
    this.log(d, `Starting deployment of ${d.image} to localhost.`);
    const withHealth = healthEnabled(app);
    // Coolify rolls only when it can tell the new container is healthy and two containers can coexist.
    const rolling = withHealth && !app.config.ports_mappings && app.running !== undefined && !app.stopped;
    if (!rolling && app.running) {
      this.log(d, "Rolling update is not possible (no health check or port mappings set); stopping the old container.");
      app.running = undefined;
      app.swapping = true;
    }
    if (typeof app.config.pre_deployment_command === "string" && app.config.pre_deployment_command !== "") {
      this.log(d, `Executing pre-deployment command: ${app.config.pre_deployment_command}`);
    }
    this.log(d, `Pulling image ${d.image}.`);
    this.clock.schedule(TIMING.startContainerMs, () => {
      if (d.status !== "in_progress") return;
      this.log(d, "New container started.");
      if (!withHealth) return this.succeed(app, d);
      this.log(d, "Waiting for the new container's health check.");
      const start = num(app.config.health_check_start_period, HEALTH_DEFAULTS.health_check_start_period) * 1000;
      const interval = Math.max(1, num(app.config.health_check_interval, HEALTH_DEFAULTS.health_check_interval)) * 1000;
      const retries = Math.max(1, num(app.config.health_check_retries, HEALTH_DEFAULTS.health_check_retries));
      this.check(app, d, 1, retries, start + interval, interval);
    });
  }

  /** One health probe; retries until the retry budget is spent, like docker's HEALTHCHECK. */
  private check(app: ApplicationRecord, d: DeploymentRecord, attempt: number, retries: number, delay: number, interval: number): void {
    this.clock.schedule(delay, () => {
      if (d.status !== "in_progress") return;
      if (!this.state.imageUnhealthy(d.image)) return this.succeed(app, d);
      this.log(d, `Health check attempt ${attempt}/${retries} failed.`, "stderr");
      if (attempt < retries) return this.check(app, d, attempt + 1, retries, interval, interval);
      this.log(d, "New container is not healthy, rolling back to the old container.", "stderr");
      app.swapping = false;
      this.set(d, "failed");
      this.clock.schedule(0, () => this.pickUp(app.uuid));
    });
  }

  private succeed(app: ApplicationRecord, d: DeploymentRecord): void {
    app.running = { image: d.image, deployment_uuid: d.uuid, started_at: this.clock.isoNow() };
    // `docker run -v <name>:<path>` creates a named volume that does not exist yet; an existing one keeps its data.
    for (const s of app.storages) {
      if (s.type === "persistent" && s.name && !this.state.volumes.has(s.name)) {
        this.state.volumes.set(s.name, { name: s.name, created_by: app.uuid, created_at: this.clock.isoNow() });
      }
    }
    app.stopped = false;
    app.swapping = false;
    if (typeof app.config.post_deployment_command === "string" && app.config.post_deployment_command !== "") {
      this.log(d, `Executing post-deployment command: ${app.config.post_deployment_command}`);
    }
    this.log(d, "Rolling update completed; old container removed.");
    this.set(d, "finished");
    this.clock.schedule(0, () => this.pickUp(app.uuid));
  }

  private set(d: DeploymentRecord, status: DeploymentRecord["status"]): void {
    d.status = status;
    d.updated_at = this.clock.isoNow();
  }

  private log(d: DeploymentRecord, output: string, type: "stdout" | "stderr" = "stdout"): void {
    d.logs.push({ output, type, hidden: false, timestamp: this.clock.isoNow(), order: d.logs.length + 1 });
  }
}

/** Host names an application answers to: the hosts of its comma-separated fqdn URLs. */
export function appHosts(app: ApplicationRecord): string[] {
  return (app.fqdn ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "")
    .map((u) => {
      try {
        return new URL(u).hostname.toLowerCase();
      } catch {
        return u.toLowerCase();
      }
    });
}

/** The deployed app's own traffic, as the Traefik proxy in front of it would answer. */
export function serveApp(state: CoolifyState, host: string, path: string): Reply | undefined {
  const app = state.applications.find((a) => appHosts(a).includes(host));
  if (!app) return undefined;
  if (!app.running || app.stopped) return { status: 503, body: "no available server" };
  const image = app.running.image;
  // The container port the proxy forwards to: the matching fqdn URL's port, else the first exposed port
  // (Coolify v4.3.10 bootstrap/helpers/docker.php fqdnLabelsForTraefik/fqdnLabelsForCaddy).
  const entry = (app.fqdn ?? "").split(",").map((u) => u.trim()).find((u) => URL.canParse(u) && new URL(u).hostname.toLowerCase() === host);
  const containerPort = (entry ? new URL(entry).port : "") || String(app.config.ports_exposes ?? "").split(",")[0]?.trim() || "";
  const headers = { "x-emulator-image": image, "x-emulator-deployment": app.running.deployment_uuid, "x-emulator-container-port": containerPort };
  const healthPath = typeof app.config.health_check_path === "string" ? app.config.health_check_path : "/health";
  if (path === "/health" || path === healthPath) {
    return state.imageUnhealthy(image) ? { status: 503, body: "unhealthy", headers } : { status: 200, body: "OK", headers };
  }
  return { status: 200, body: `served by ${image}`, headers };
}
