/**
 * Rules that span fields or sections, most of them the platforms' own: a config that zod accepts but that
 * Fly or Coolify would refuse (or silently run badly) must fail here, with the reason, before anything is
 * created. Each rule only runs when the sections it reads parsed, so a broken section does not produce
 * follow-on noise, and mistakes in healthy sections are still all reported.
 */
import type { GithubEnvironmentFields, StackConfig } from "./schema";
import type { ConfigPath, Finding } from "./secrets";
import { showValue } from "./secrets";
import { deployRules } from "./rules-deploy";
import { volumeRules } from "./rules-volumes";
import { portRules } from "./rules-ports";
import { databaseRules } from "./rules-database";
import { FLY_SNAPSHOT_RETENTION_DAYS, flyAppNameSchema, GITHUB_MAX_REVIEWERS } from "../components/rules";
import { neededSecrets } from "./secret-names";

export type ParsedSections = Partial<StackConfig>;

/** Fly keeps volume snapshots for 1–60 days (components/rules.ts, which FlyVolume checks with too). */
const FLY_MAX_SNAPSHOT_DAYS = FLY_SNAPSHOT_RETENTION_DAYS.max;
/** Fly suspends only machines with ≤ 2 GB of memory. */
const FLY_SUSPEND_MAX_MB = 2048;

/** `failed` names the sections that did not parse, so "absent" and "broken" can be told apart. */
export function crossFieldRules(c: ParsedSections, failed: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const add = (section: string, path: ConfigPath, expected: string, got: string) =>
    out.push({ key: `slipway:${section}`, path, message: `expected ${expected}, got ${got}` });
  const { app, targets, scaling, database, volumes, github } = c;

  if (targets && !targets.coolify && !targets.fly) add("targets", [], "at least one of coolify, fly", "neither");

  if (app) {
    const ports = [app.ports.http, ...app.ports.internal];
    app.ports.internal.forEach((p, i) => {
      if (p === app.ports.http) add("app", ["ports", "internal", i], `a port other than the public http port ${app.ports.http}`, String(p));
      else if (app.ports.internal.indexOf(p) !== i) add("app", ["ports", "internal", i], "each internal port once", `${p} again`);
    });
    const hc = app.healthCheck;
    if (hc?.port !== undefined && !ports.includes(hc.port)) {
      add("app", ["healthCheck", "port"], `one of the declared ports (${ports.join(", ")})`, String(hc.port));
    }
    if (hc && hc.timeoutSeconds >= hc.intervalSeconds) {
      add("app", ["healthCheck", "timeoutSeconds"], `less than intervalSeconds (${hc.intervalSeconds})`, String(hc.timeoutSeconds));
    }
    app.secretEnv.forEach((name, i) => {
      if (name in app.env) add("app", ["secretEnv", i], "a name not also set in slipway:app.env", showValue(name));
      else if (app.secretEnv.indexOf(name) !== i) add("app", ["secretEnv", i], "each name once", `${showValue(name)} again`);
    });
    if (database && database.kind !== "none") {
      // slipway injects DATABASE_URL for the database it manages; a second definition would shadow it.
      if ("DATABASE_URL" in app.env) add("app", ["env", "DATABASE_URL"], `no DATABASE_URL: slipway sets it from slipway:database (${database.kind})`, "a value");
      const i = app.secretEnv.indexOf("DATABASE_URL");
      if (i >= 0) add("app", ["secretEnv", i], `no DATABASE_URL: slipway sets it from slipway:database (${database.kind})`, '"DATABASE_URL"');
    }
  }

  if (database?.kind === "postgres") {
    const tag = /:pg(\d+)(?:[-.]|$)/.exec(database.image)?.[1];
    if (tag !== undefined && Number(tag) !== database.version) {
      add("database", ["version"], `${tag} to match the image tag pg${tag}`, String(database.version));
    }
    // FlyPostgres runs in its own app `<appName>-db`, which must be a Fly app name too (FlyApp's check).
    if (targets?.fly && !flyAppNameSchema.safeParse(`${targets.fly.appName}-db`).success) {
      add("targets", ["fly", "appName"], "an app name of at most 60 chars with kind postgres (the database app is <appName>-db)", String(targets.fly.appName.length) + " chars");
    }
    if (targets?.fly && database.backups && database.backups.retentionDays > FLY_MAX_SNAPSHOT_DAYS) {
      add("database", ["backups", "retentionDays"], `at most ${FLY_MAX_SNAPSHOT_DAYS} with the fly target (Fly keeps volume snapshots 1–60 days)`, String(database.backups.retentionDays));
    }
  }
  if (database?.kind === "sqlite" && volumes && !database.ephemeral) {
    const under = volumes.some((v) => database.path.startsWith(v.mountPath.endsWith("/") ? v.mountPath : `${v.mountPath}/`));
    if (!under) {
      const mounts = volumes.map((v) => v.mountPath).join(", ") || "none declared";
      add("database", ["path"], `a path inside a volume's mountPath (${mounts}), or ephemeral: true to accept losing the data on every deploy`, showValue(database.path));
    }
  }

  if (volumes) {
    volumes.forEach((v, i) => {
      if (volumes.findIndex((w) => w.name === v.name) !== i) add("volumes", [i, "name"], "a unique volume name", `${showValue(v.name)} again`);
      if (volumes.findIndex((w) => w.mountPath === v.mountPath) !== i) add("volumes", [i, "mountPath"], "a unique mount path", `${showValue(v.mountPath)} again`);
    });
  }
  if (c.domains) {
    c.domains.forEach((d, i) => {
      if (c.domains?.indexOf(d) !== i) add("domains", [i], "each domain once", `${showValue(d)} again`);
    });
  }

  if (scaling && targets) {
    if (scaling.fly && !targets.fly) add("scaling", ["fly"], "a fly target in slipway:targets for Fly scaling", "no slipway:targets.fly");
    if (targets.fly && !scaling.fly) add("scaling", ["fly"], "Fly scaling (regions, guest, machines) for the fly target", "nothing");
    if (scaling.coolify && !targets.coolify) add("scaling", ["coolify"], "a coolify target in slipway:targets for Coolify scaling", "no slipway:targets.coolify");
  }

  const fly = scaling?.fly;
  if (fly) {
    if (fly.minRunning > fly.maxMachines) add("scaling", ["fly", "minRunning"], `at most maxMachines (${fly.maxMachines})`, String(fly.minRunning));
    if (fly.autostop === "suspend" && fly.guest.memoryMb > FLY_SUSPEND_MAX_MB) {
      add("scaling", ["fly", "autostop"], `"stop" or "off" for machines over ${FLY_SUSPEND_MAX_MB} MB (Fly suspends only machines with ≤ 2 GB)`, '"suspend"');
    }
    if (fly.minRunning === 0 && !fly.autostart) {
      add("scaling", ["fly", "autostart"], "true when minRunning is 0 (nothing would start a stopped machine again)", "false");
    }
    if (fly.maxUnavailable !== undefined) {
      if (fly.strategy !== "rolling") add("scaling", ["fly", "maxUnavailable"], 'it only with strategy "rolling"', `${fly.maxUnavailable} with ${showValue(fly.strategy)}`);
      else if (fly.maxUnavailable > fly.maxMachines) add("scaling", ["fly", "maxUnavailable"], `at most maxMachines (${fly.maxMachines})`, String(fly.maxUnavailable));
    }
    if ((fly.strategy === "bluegreen" || fly.strategy === "canary") && app && !app.healthCheck) {
      add("scaling", ["fly", "strategy"], `a health check in slipway:app.healthCheck for ${showValue(fly.strategy)} (Fly moves traffic only after checks pass)`, "none");
    }
    if (targets?.fly && volumes && volumes.length > 0) {
      if (fly.strategy === "bluegreen" || fly.strategy === "canary") {
        add("scaling", ["fly", "strategy"], '"rolling" or "immediate" when volumes are mounted (Fly cannot start a second machine on an attached volume)', showValue(fly.strategy));
      }
      if (fly.regions.length !== 1) {
        // A Fly volume lives on one host in one region and attaches to one machine: slipway creates one volume per
        // machine in that region. Several regions would need per-region volumes and replication the app must do.
        add("scaling", ["fly", "regions"], "exactly one region when volumes are mounted (each machine gets its own volume in that region)", showValue(fly.regions));
      }
    }
  }

  if (scaling?.coolify?.healthGatedRollingUpdate) {
    if (app && !app.healthCheck) {
      add("scaling", ["coolify", "healthGatedRollingUpdate"], "a health check in slipway:app.healthCheck (Coolify rolls only when it passes)", "none");
    }
    if (targets?.coolify && targets.coolify.portMappings.length > 0) {
      add("targets", ["coolify", "portMappings"], "no host port mappings with healthGatedRollingUpdate (Coolify cannot run two containers on one host port)", showValue(targets.coolify.portMappings));
    }
  }

  if (github) {
    // The same GitHub limits apply to the main environment and to each additional one.
    const environments: Array<{ at: ConfigPath; env: GithubEnvironmentFields }> = [
      { at: [], env: github },
      ...github.additionalEnvironments.map((env, i) => ({ at: ["additionalEnvironments", i] as ConfigPath, env })),
    ];
    for (const { at, env } of environments) {
      const reviewers = env.reviewers.users.length + env.reviewers.teams.length;
      if (reviewers > GITHUB_MAX_REVIEWERS) add("github", [...at, "reviewers"], `at most ${GITHUB_MAX_REVIEWERS} users and teams (GitHub's limit)`, String(reviewers));
      const policy = env.deploymentPolicy;
      if (policy && (policy.branches === undefined) === (policy.tags === undefined)) {
        add("github", [...at, "deploymentPolicy"], "exactly one of branches, tags", policy.branches ? "both" : "neither");
      }
      // GitHub upper-cases secret and variable names, so `api_url` and `API_URL` are the same entry.
      const variableNames = new Set(Object.keys(env.variables).map((n) => n.toUpperCase()));
      env.secrets.forEach((name, i) => {
        if (variableNames.has(name.toUpperCase())) add("github", [...at, "secrets", i], "a name that is not also a variable (GitHub compares them upper-cased)", showValue(name));
      });
    }
    const names = [github.environment, ...github.additionalEnvironments.map((e) => e.name)];
    github.additionalEnvironments.forEach((e, i) => {
      if (names.indexOf(e.name) !== i + 1) add("github", ["additionalEnvironments", i, "name"], "a name not used by another environment of this stack", showValue(e.name));
    });
    if (github.webhook) {
      // Coolify v4.3.10 app/Http/Controllers/Webhook/Github.php (manual): a push deploys the applications whose
      // `git_branch` is the pushed branch and whose git repository is the pushed repository. slipway's Coolify
      // applications run a docker image (POST /applications/dockerimage) and have neither, so such a webhook
      // would never deploy anything; releases go through `slipway deploy` in the workflows instead.
      add(
        "github",
        ["webhook"],
        "no webhook: Coolify's GitHub webhook deploys only applications it builds from a git repository and branch, and slipway's run a docker image (releases deploy through slipway deploy in the workflows)",
        "a webhook",
      );
    }
  }
  out.push(...deployRules(c), ...volumeRules(c), ...portRules(c), ...databaseRules(c));
  // Every declared secret name needs a secure value, and every secure value needs a user (typos hide here).
  const secrets = c.secrets;
  if (secrets && app) {
    // Each name is reported against the first place that lists it.
    const needed = neededSecrets(c);
    for (const [name, from] of needed) {
      if (!(name in secrets)) {
        out.push({
          key: "slipway:secrets",
          path: [name],
          message: `expected a secret value (listed in ${from}), got nothing — use \`pulumi config set --secret --path 'slipway:secrets.${name}' <value>\``,
        });
      }
    }
    if (app && !failed.has("github") && !failed.has("notifications")) {
      for (const name of Object.keys(secrets)) {
        if (!needed.has(name)) add("secrets", [name], "a name listed in slipway:app.secretEnv, slipway:github.secrets or slipway:notifications", "an unused secret");
      }
    }
  }
  return out;
}
