/**
 * What docs/CONFIG.md says about each `slipway:*` section beside what the schema itself knows (types, bounds,
 * defaults): attached to the section schemas with zod's `.meta()`, so the reference is generated from the
 * schema (scripts/config-doc.ts) and a unit test fails when the file is stale.
 */
import { KEY_DOCS, type KeyDoc } from "./schema-keys-doc";

export interface SectionDoc {
  /** What the section configures, and what leaving it out does. */
  description: string;
  /** Which targets read it. Nested `coolify` / `fly` keys apply to that target only. */
  targets: string;
  /** A YAML example of the section's value. */
  example: string;
}

export const SECTION_DOCS = {
  app: {
    description: "The application: its name, ports, health check, environment and release command. Required.",
    targets: "Coolify, Fly",
    example: "name: shop\nports: { http: 3000 }\nhealthCheck: { path: /healthz }\nenv: { NODE_ENV: production }\nsecretEnv: [SESSION_SECRET]",
  },
  image: {
    description:
      "Where the image comes from, by `kind`: `pinned` (a digest you give), `build` (built and pushed with docker-build), `fromStack` (the digest another stack deployed: promotion) or `flox` (flox containerize). Every target runs the same digest. Required.",
    targets: "Coolify, Fly",
    example: "kind: pinned\nref: ghcr.io/acme/shop@sha256:<64 hex>",
  },
  targets: {
    description: "Where the app runs: `coolify`, `fly`, or both. Required; at least one.",
    targets: "Coolify (`coolify`), Fly (`fly`)",
    example: "fly: { org: acme, appName: shop-production }",
  },
  database: {
    description:
      "The database, by `kind`: `postgres` (pgvector Postgres on the target, with backups), `flyManaged` (Fly Managed Postgres, fly target only: `plan`, `region`, `diskSizeGb`, `pgMajorVersion`, `poolMode`, `extensions` (default `[vector]`), `endpoint`; `forkFrom: <stack>` forks that stack's cluster instead, e.g. for PR previews; `protect` defaults to true, false for a fork; changing sizing is refused unless `allowReplace`; no `backups`: the API has no schedule), `sqlite` (a file in the container) or `none`. Default `{ kind: none }`: no database.",
    targets: "Coolify, Fly",
    example: "kind: postgres\nversion: 16\ndatabaseName: shop\nbackups: { schedule: \"@daily\", retentionDays: 30 }",
  },
  volumes: {
    description: "Persistent volumes mounted into the app. Default `[]`: none. `sizeGb`/`snapshotRetentionDays` are Fly's, `backups` Coolify's.",
    targets: "Coolify, Fly",
    example: "- name: media\n  mountPath: /app/media\n  sizeGb: 10",
  },
  domains: {
    description: "Custom domains, bare host names, always served over https. Default `[]`: the platform's own host name only.",
    targets: "Coolify, Fly",
    example: "[shop.example.com, www.shop.example.com]",
  },
  scaling: {
    description:
      "How many machines and how updates roll out. Default `{}`: each target's defaults below. " +
      "`coolify.healthGatedRollingUpdate: true` refuses a config under which Coolify would stop the old container " +
      "before the new one is healthy (no `app.healthCheck`, or `targets.coolify.portMappings`); Coolify has no switch " +
      "for rolling itself, so `false` only drops that check (v4.3.10 app/Jobs/ApplicationDeploymentJob.php).",
    targets: "Fly (`fly`), Coolify (`coolify`)",
    example: "fly: { regions: [ewr], minRunning: 1, maxMachines: 3, strategy: rolling }",
  },
  github: {
    description: "The GitHub deployment environment (reviewers, branch/tag policy, secrets, variables, the deploy webhook). Default: not managed.",
    targets: "GitHub",
    example: "owner: acme\nrepository: shop\nenvironment: staging\ndeploymentPolicy: { branches: [main] }",
  },
  notifications: {
    description: "Where `slipway deploy`/`rollback` announce releases (GitHub Deployments, e-mail, a webhook). Default: not announced.",
    targets: "the slipway CLI",
    example: "events: [deploy, rollback]\nwebhook: { urlSecret: SLACK_WEBHOOK_URL }",
  },
  secrets: {
    description:
      "Secret values by name, set with `pulumi config set --secret --path 'slipway:secrets.NAME'`; referenced by `app.secretEnv` and `github.secrets`. Default `{}`. A plaintext value is refused.",
    targets: "Coolify, Fly, GitHub",
    example: "# never in the file: pulumi config set --secret --path 'slipway:secrets.SESSION_SECRET' …",
  },
  release: {
    description: "Written by `slipway deploy`/`rollback` for one run (never committed): the release's image, commit, tag, time and actor.",
    targets: "the slipway CLI",
    example: "# set by the CLI, not by hand",
  },
} as const satisfies Record<string, SectionDoc>;

/** What `.meta()` carries for each section: its notes and its keys' (stacks/schema-keys-doc.ts). */
export const SECTION_META = Object.fromEntries(
  Object.entries(SECTION_DOCS).map(([section, doc]) => [section, { ...doc, keys: KEY_DOCS[section] ?? {} }]),
) as { [S in keyof typeof SECTION_DOCS]: SectionDoc & { keys: Record<string, KeyDoc>; [meta: string]: unknown } };
