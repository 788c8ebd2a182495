/**
 * What docs/CONFIG.md says about each `slipway:*` key beside its type and default (which come from the schema):
 * what the key does — for a key with a default, what that default does — and an example value. Attached to each
 * section schema with `.meta({ keys })` (stacks/schema.ts), so scripts/config-doc.ts renders it from the schema's
 * own metadata; rendering fails on a key without an entry and on an entry for no key, so the test that compares
 * docs/CONFIG.md with the schema also fails when a key is added undocumented.
 *
 * Keys are the reference's own row names: `app.ports.http`, `volumes[].name`, `database (kind: "postgres").image`.
 */
export interface KeyDoc {
  /** What the key does; with a default, what the default does. */
  does: string;
  /** A value as it would stand in the stack file (YAML). */
  example: string;
}

type Docs = Record<string, readonly [does: string, example: string]>;

const PG = 'database (kind: "postgres")';
const MPG = 'database (kind: "flyManaged")';
const env = (at: string): Docs => ({
  [`${at}reviewers`]: ["Who must approve a deployment to the environment. Default: nobody.", "{ users: [alice], teams: [ops] }"],
  [`${at}reviewers.users`]: ["GitHub users who may approve. Default `[]`: no user reviewer.", "[alice]"],
  [`${at}reviewers.teams`]: ["Team slugs whose members may approve. Default `[]`: no team reviewer.", "[ops]"],
  [`${at}waitTimerMinutes`]: ["Minutes a deployment waits before it starts. Default `0`: it starts at once.", "30"],
  [`${at}deploymentPolicy`]: ["Which branches or tags may deploy (exactly one of the two). Default: any branch or tag.", "{ tags: [\"v*.*.*\"] }"],
  [`${at}deploymentPolicy.branches`]: ["Branch name patterns that may deploy.", "[main]"],
  [`${at}deploymentPolicy.tags`]: ["Tag name patterns that may deploy.", "[\"v*.*.*\"]"],
  [`${at}variables`]: ["Plain environment variables of the GitHub environment. Default `{}`: none managed.", "{ APP_URL: https://shop.example.com }"],
  [`${at}secrets`]: ["Names from `slipway:secrets` written as secrets of the GitHub environment. Default `[]`: none.", "[DEPLOY_KEY]"],
});

const DOCS: Record<string, Docs> = {
  app: {
    "app.name": ["The app's name: the Coolify application's (its database is `<name>-db`) and the label on its Fly machines.", "shop"],
    "app.ports": ["The container's ports.", "{ http: 3000 }"],
    "app.ports.http": ["The port the container serves HTTP on; the platforms route https traffic for the domains to it.", "3000"],
    "app.ports.internal": ["More container ports reachable only inside the platform's private network. Default `[]`: none.", "[9090]"],
    "app.ports.public": ["More public HTTP ports, each with its own domains. Default `[]`: only `http` is public.", "[{ port: 4000, domains: [api.example.com] }]"],
    "app.ports.public[].port": ["The container port.", "4000"],
    "app.ports.public[].domains": ["Host names routed to this port. Default `[]`: on Fly the port is served on the app's own host name only.", "[api.example.com]"],
    "app.ports.public[].externalPort": ["Fly only (Coolify serves every domain on 443): the public port. Not set: the same number as `port`.", "8443"],
    "app.ports.public[].healthCheckPath": ["Fly only: an HTTP check on this port. Not set: the port has no check of its own.", "/healthz"],
    "app.healthCheck": ["The HTTP health check both platforms run and `slipway deploy` gates on. Not set: no check (Coolify then stops the old container first; deploys need `healthGate.off`).", "{ path: /healthz }"],
    "app.healthCheck.path": ["The path probed; a 200 counts as healthy.", "/healthz"],
    "app.healthCheck.port": ["The port probed. Not set: `ports.http`.", "9090"],
    "app.healthCheck.intervalSeconds": ["Seconds between probes. Default 15: a failing container is noticed within about 15 s.", "10"],
    "app.healthCheck.timeoutSeconds": ["Seconds one probe may take. Default 5: a slower answer counts as a failure.", "3"],
    "app.healthCheck.gracePeriodSeconds": ["Seconds after start in which failures do not count. Default 30: room for a boot or migration.", "120"],
    "app.env": ["Plain environment variables (numbers and booleans become strings). Not set: none beyond what slipway sets (DATABASE_URL).", "{ NODE_ENV: production, LOG_LEVEL: info }"],
    "app.secretEnv": ["Names from `slipway:secrets` set as secret environment variables. Default `[]`: none.", "[SESSION_SECRET]"],
    "app.releaseCommand": ["Runs once per deploy before the new version takes traffic (migrations). Not set: nothing runs.", "npm run migrate"],
    "app.healthGate": ["Turns off `slipway deploy`'s health gate, with the reason. Not set: every deploy is gated on the health URL and rolled back when it fails.", "{ off: true, reason: worker without HTTP }"],
    "app.healthGate.off": ["Must be `true`: the only way to turn the gate off.", "true"],
    "app.healthGate.reason": ["Why this stack may skip the gate; `slipway deploy` prints it.", "a queue worker with no HTTP port"],
    "app.resources": ["Coolify container limits. Not set: no limits (Fly machines are sized by `scaling.fly.guest`).", "{ cpus: 1, memoryMb: 512 }"],
    "app.resources.cpus": ["CPUs the container may use.", "0.5"],
    "app.resources.memoryMb": ["Memory limit in MB.", "512"],
  },
  image: {
    'image (kind: "build").kind': ["Build the image from a Dockerfile and push it.", "build"],
    'image (kind: "build").context': ["The build context directory. Default `.`: the project directory.", "./app"],
    'image (kind: "build").dockerfile': ["The Dockerfile, relative to the project. Default `Dockerfile`: the one at the root.", "docker/Dockerfile.prod"],
    'image (kind: "build").registry': ["The registry host pushed to.", "ghcr.io"],
    'image (kind: "build").repository': ["The repository in the registry.", "acme/shop"],
    'image (kind: "build").platform': ["The platform built for. Default `linux/amd64`: what Coolify hosts and Fly machines run.", "linux/arm64"],
    'image (kind: "pinned").kind': ["Run an image you give by digest.", "pinned"],
    'image (kind: "pinned").ref': ["The image reference, pinned by digest.", "ghcr.io/acme/shop@sha256:<64 hex>"],
    'image (kind: "fromStack").kind': ["Run the digest another stack deployed (promotion).", "fromStack"],
    'image (kind: "fromStack").stack': ["The stack whose image is promoted.", "acme/slipway/staging"],
    'image (kind: "fromStack").output': ["The stack output holding the digest. Default `imageRef`: what the slipway program exports.", "imageRef"],
    'image (kind: "flox").kind': ["Build the image from a flox environment (flox containerize) and push it.", "flox"],
    'image (kind: "flox").environment': ["The directory holding `.flox`. Default `.`: the project directory.", "./env"],
    'image (kind: "flox").registry': ["The registry host pushed to.", "ghcr.io"],
    'image (kind: "flox").repository': ["The repository in the registry.", "acme/shop"],
  },
  targets: {
    "targets.coolify": ["Run on a Coolify server. Not set: no Coolify resources.", "{ serverUuid: s1, projectName: shop }"],
    "targets.coolify.serverUuid": ["The Coolify server that runs the app and database.", "k8s0wc4"],
    "targets.coolify.projectName": ["The Coolify project the resources go in (made when missing).", "shop"],
    "targets.coolify.environmentName": ["The project's environment. Default `production`: Coolify's own first environment.", "staging"],
    "targets.coolify.destinationUuid": ["The server's Docker destination. Not set: the server's only one (required when it has several).", "d1"],
    "targets.coolify.portMappings": ["Host ports bound to container ports. Default `[]`: traffic arrives through Coolify's proxy only.", "[\"5432:5432\"]"],
    "targets.coolify.instantDeploy": ["Deploy after every change and wait for it. Default `true`: an up fails when the deployment does; `false` only configures.", "false"],
    "targets.fly": ["Run on Fly.io. Not set: no Fly resources.", "{ org: acme, appName: shop-production }"],
    "targets.fly.org": ["The Fly organization slug.", "acme"],
    "targets.fly.appName": ["The Fly app (global across Fly; `<appName>.fly.dev`).", "shop-production"],
  },
  database: {
    [`${PG}.kind`]: ["slipway's own pgvector Postgres on the target.", "postgres"],
    [`${PG}.image`]: ["The Postgres image. Default `pgvector/pgvector:pg16`: Postgres 16 with the vector extension available.", "pgvector/pgvector:pg17"],
    [`${PG}.version`]: ["The major version; must match the image's `pgNN` tag. Default 16: the default image's.", "17"],
    [`${PG}.databaseName`]: ["The database created on first start. Default `app`.", "shop"],
    [`${PG}.volumeSizeGb`]: ["Fly only: the data volume's size. Default 10 GB; it grows in place, never shrinks.", "20"],
    [`${PG}.backups`]: ["Scheduled backups (Coolify) or the snapshot retention (Fly). Not set: Coolify runs none; Fly keeps its daily snapshots 7 days.", "{ schedule: \"@daily\", retentionDays: 30 }"],
    [`${PG}.backups.schedule`]: ["When Coolify backs up: cron or @daily-style.", "\"0 3 * * *\""],
    [`${PG}.backups.retentionDays`]: ["Days backups (Coolify) or snapshots (Fly, at most 60) are kept.", "30"],
    [`${PG}.protect`]: ["Refuse destroy and replacement of the database. Default `true`: its data is never deleted by accident.", "false"],
    'database (kind: "sqlite").kind': ["A SQLite file in the container; slipway sets DATABASE_URL to it.", "sqlite"],
    'database (kind: "sqlite").path': ["The file's path, inside a volume's mountPath unless `ephemeral`.", "/data/app.db"],
    'database (kind: "sqlite").ephemeral': ["Accept losing the file on every deploy. Default `false`: the path must be on a volume.", "true"],
    [`${MPG}.kind`]: ["Fly Managed Postgres (the fly target only): Fly runs the cluster.", "flyManaged"],
    [`${MPG}.plan`]: ["Fly's plan (CPU, memory). Not set: basic.", "starter"],
    [`${MPG}.region`]: ["The primary's region. Not set: the first of `scaling.fly.regions`.", "ewr"],
    [`${MPG}.diskSizeGb`]: ["Disk size, fixed once created. Not set: 10 GB.", "40"],
    [`${MPG}.pgMajorVersion`]: ["Postgres major version. Not set: 16 (flyctl's default).", "17"],
    [`${MPG}.poolMode`]: ["PgBouncer's pool mode. Not set: Fly's default.", "transaction"],
    [`${MPG}.databaseName`]: ["The database the app uses. Default `app`.", "shop"],
    [`${MPG}.extensions`]: ["Extensions enabled in the database. Default `[vector]`: pgvector.", "[vector, pg_trgm]"],
    [`${MPG}.endpoint`]: ["How the app connects. Default `pooler`: through PgBouncer; `direct` to the primary.", "direct"],
    [`${MPG}.forkFrom`]: ["Fork this stack's cluster instead of creating one (previews). Not set: a new cluster.", "acme/slipway/staging"],
    [`${MPG}.protect`]: ["Refuse destroy and replacement. Not set: true, false with forkFrom.", "true"],
    [`${MPG}.allowReplace`]: ["Let a changed setting create a new, empty cluster. Not set: false (refused with the reason), true with forkFrom.", "true"],
    [`${MPG}.backups`]: ["Refused: Fly's API has no backup schedule or retention.", "# not settable"],
    'database (kind: "none").kind': ["No database; slipway sets no DATABASE_URL.", "none"],
  },
  volumes: {
    "volumes[].name": ["The volume's name, unique in the stack.", "media"],
    "volumes[].mountPath": ["Where it is mounted in the container, unique in the stack.", "/app/media"],
    "volumes[].sizeGb": ["Fly only (required there): the size in GB; grows in place, never shrinks.", "10"],
    "volumes[].snapshotRetentionDays": ["Fly only: days Fly keeps the daily snapshots. Not set: Fly's default, 5.", "14"],
    "volumes[].backups": ["Coolify only: scheduled archives of the volume. Not set: none.", "{ schedule: \"@daily\", retentionDays: 14 }"],
    "volumes[].backups.schedule": ["When Coolify archives it: cron or @daily-style.", "\"30 3 * * *\""],
    "volumes[].backups.retentionDays": ["Days each archive is kept.", "14"],
    "volumes[].protect": ["Refuse destroy and replacement while true. Default `false`: the volume goes with its stack.", "true"],
  },
  domains: {},
  scaling: {
    "scaling.fly": ["How Fly runs the machines; required with the fly target.", "{ regions: [ewr] }"],
    "scaling.fly.regions": ["Regions machines run in; the first is the primary (volumes and Postgres live there).", "[ewr, fra]"],
    "scaling.fly.guest": ["Each machine's size. Default: shared, 1 CPU, 256 MB.", "{ cpuKind: performance, cpus: 2, memoryMb: 4096 }"],
    "scaling.fly.guest.cpuKind": ["Shared or dedicated CPUs. Default `shared`.", "performance"],
    "scaling.fly.guest.cpus": ["CPUs per machine (Fly's counts per kind). Default 1.", "2"],
    "scaling.fly.guest.memoryMb": ["Memory per machine (Fly's steps per kind). Default 256 MB.", "1024"],
    "scaling.fly.minRunning": ["Machines the proxy never stops. Default 1: the app never cold-starts.", "0"],
    "scaling.fly.maxMachines": ["Machines created. Default 1.", "3"],
    "scaling.fly.autostart": ["Let the proxy start stopped machines on requests. Default `true`.", "false"],
    "scaling.fly.autostop": ["What the proxy does with idle machines. Default `stop`: stop them down to `minRunning`.", "suspend"],
    "scaling.fly.strategy": ["How a deploy replaces machines. Default `rolling`: one at a time (`maxUnavailable`).", "bluegreen"],
    "scaling.fly.maxUnavailable": ["Rolling only: machines updated at once. Not set: 1.", "2"],
    "scaling.coolify": ["Coolify's update settings. Not set: the defaults below.", "{ healthGatedRollingUpdate: true }"],
    "scaling.coolify.healthGatedRollingUpdate": ["`true` refuses configs under which Coolify would stop the old container before the new one is healthy. Default `false`: no such check; Coolify still rolls whenever it can.", "true"],
  },
  github: {
    "github.owner": ["The repository's owner (user or organization).", "acme"],
    "github.repository": ["The repository.", "shop"],
    "github.environment": ["The GitHub environment this stack deploys as.", "production"],
    ...env("github."),
    "github.additionalEnvironments": ["More environments of this stack (e.g. a preview one). Default `[]`: none.", "[{ name: preview }]"],
    "github.additionalEnvironments[].name": ["The environment's name.", "preview"],
    ...env("github.additionalEnvironments[]."),
    "github.webhook": ["Refused with the reason: Coolify's GitHub webhook cannot deploy slipway's image applications.", "# not settable"],
    "github.webhook.events": ["Events delivered. Default `[push]`.", "[push]"],
    "github.webhook.active": ["Whether GitHub delivers. Default `true`.", "false"],
    "github.webhook.url": ["Where GitHub delivers. Not set: Coolify's manual GitHub webhook.", "https://coolify.example.com/webhooks/source/github/events/manual"],
  },
  notifications: {
    "notifications.events": ["Which events are announced. Default: all of them.", "[deploy, rollback]"],
    "notifications.githubDeployments": ["Record each deploy and rollback as a GitHub Deployment of the stack's environment. Default `true` (needs a token with `deployments: write` and the repository, from `slipway:github` or GITHUB_REPOSITORY).", "false"],
    "notifications.email": ["Announce by e-mail over SMTP. Not set: no mail.", "{ host: smtp.example.com, from: ci@example.com, to: [ops@example.com] }"],
    "notifications.email.host": ["The SMTP server.", "smtp.example.com"],
    "notifications.email.port": ["The SMTP port. Default 587: submission, upgraded with STARTTLS.", "465"],
    "notifications.email.tls": ["TLS from the first byte (port 465). Default `false`: STARTTLS is required.", "true"],
    "notifications.email.user": ["The SMTP user name. Not set: the mail is sent without logging in.", "ci"],
    "notifications.email.passwordSecret": ["The name in `slipway:secrets` holding the SMTP password. Not set: none sent.", "SMTP_PASSWORD"],
    "notifications.email.from": ["The sender address.", "ci@example.com"],
    "notifications.email.to": ["The recipients.", "[ops@example.com]"],
    "notifications.webhook": ["POST each announcement as JSON. Not set: none.", "{ urlSecret: SLACK_WEBHOOK_URL }"],
    "notifications.webhook.urlSecret": ["The name in `slipway:secrets` holding the URL (URLs carry tokens).", "SLACK_WEBHOOK_URL"],
  },
  secrets: {},
  release: {
    "release.commit": ["The release's commit (also from SLIPWAY_RELEASE_COMMIT). Not set: none recorded.", "3f9c2e1"],
    "release.tag": ["The release's git tag.", "v1.4.0"],
    "release.time": ["When the release was made (UTC).", "2026-11-25T13:00:00Z"],
    "release.image": ["The digest this run deploys, building nothing. Not set: the image comes from `slipway:image`.", "ghcr.io/acme/shop@sha256:<64 hex>"],
    "release.actor": ["Who started the release.", "alice"],
  },
};

/** Each section's key docs, for its `.meta({ keys })`. */
export const KEY_DOCS: Record<string, Record<string, KeyDoc>> = Object.fromEntries(
  Object.entries(DOCS).map(([section, docs]) => [section, Object.fromEntries(Object.entries(docs).map(([k, [does, example]]) => [k, { does, example }]))]),
);
