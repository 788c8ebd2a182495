import { describe, expect, it } from "vitest";
import {
  applicationFromApi,
  createApplicationBody,
  hostsFromFqdn,
  imageFields,
  imageFromApi,
  patchApplicationBody,
} from "../../../../components/coolify/application.request";
import {
  createBackupBody,
  createPostgresBody,
  databaseFromApi,
  hostOfUrl,
  internalDbUrl,
  needsRestart,
  patchDatabaseBody,
} from "../../../../components/coolify/database.request";
import { applicationReply } from "../../../../components/coolify/schemas";
import { appInputs, dbInputs, DIGEST2 } from "./fixtures";

describe("application request bodies", () => {
  it("creates with placement, https domains, exposed ports, health check, limits and no instant deploy", () => {
    expect(createApplicationBody(appInputs())).toEqual({
      project_uuid: "proj1",
      server_uuid: "srv1",
      environment_name: "staging",
      environment_uuid: "env1",
      name: "web",
      // Coolify v4.3.10's stored form, the only digest form its PATCH accepts (see imageFields).
      docker_registry_image_name: "ghcr.io/acme/web@sha256",
      docker_registry_image_tag: "a".repeat(64),
      domains: "https://staging.example.com",
      is_force_https_enabled: true,
      ports_exposes: "3000,4000",
      health_check_enabled: true,
      health_check_path: "/health",
      health_check_port: "3000",
      health_check_method: "GET",
      health_check_scheme: "http",
      health_check_return_code: 200,
      health_check_interval: 10,
      health_check_timeout: 5,
      health_check_retries: 3,
      health_check_start_period: 15,
      limits_cpus: "1",
      limits_memory: "512m",
      pre_deployment_command: "npm run migrate",
      instant_deploy: false,
    });
  });

  it("turns off the generated domain when there are no domains, and sends mappings and destination", () => {
    const body = createApplicationBody(
      appInputs({ domains: [], portMappings: ["8080:3000"], healthCheck: undefined, destinationUuid: "dst1", limits: undefined }),
    );
    expect(body).toMatchObject({
      autogenerate_domain: false,
      ports_mappings: "8080:3000",
      destination_uuid: "dst1",
      health_check_enabled: false,
      limits_cpus: "0",
      limits_memory: "0",
    });
    expect(body).not.toHaveProperty("domains");
    expect(body).not.toHaveProperty("health_check_path");
  });

  it("sets and clears the GitHub webhook secret without redeploy-relevant noise", () => {
    expect(createApplicationBody(appInputs({ githubWebhookSecret: "whs" }))).toMatchObject({ manual_webhook_secret_github: "whs" });
    expect(createApplicationBody(appInputs())).not.toHaveProperty("manual_webhook_secret_github");
    expect(patchApplicationBody(appInputs({ githubWebhookSecret: "whs" }), appInputs())).toEqual({ manual_webhook_secret_github: "" });
  });

  it("never sends env vars or the connection in the application body", () => {
    const body = JSON.stringify(createApplicationBody(appInputs()));
    expect(body).not.toContain("s3cret");
    expect(body).not.toContain("tok-1");
  });

  it("patches only what changed", () => {
    const olds = appInputs();
    expect(patchApplicationBody(olds, appInputs())).toEqual({});
    expect(patchApplicationBody(olds, appInputs({ image: DIGEST2, domains: ["a.example.com", "b.example.com"] }))).toEqual({
      docker_registry_image_tag: "b".repeat(64),
      domains: "https://a.example.com,https://b.example.com",
    });
  });

  it("clears removed settings with Coolify's off values", () => {
    const patch = patchApplicationBody(appInputs(), appInputs({ limits: undefined, preDeploymentCommand: undefined, healthCheck: undefined }));
    expect(patch).toEqual({
      limits_cpus: "0",
      limits_memory: "0",
      pre_deployment_command: "",
      health_check_enabled: false,
    });
  });
});

describe("reading an application back", () => {
  it("maps fqdn to host names", () => {
    // The port stays: it is which container port the domain reaches (`host:4000`).
    expect(hostsFromFqdn("https://a.example.com,http://B.example.com:3000/api")).toEqual(["a.example.com", "b.example.com:3000"]);
    expect(hostsFromFqdn(null)).toEqual([]);
  });

  it("rebuilds digest references however Coolify stored them", () => {
    const hex = "c".repeat(64);
    expect(imageFromApi(`repo@sha256:${hex}`, null)).toBe(`repo@sha256:${hex}`);
    expect(imageFromApi("repo", `sha256-${hex}`)).toBe(`repo@sha256:${hex}`);
    expect(imageFromApi("repo", `sha256:${hex}`)).toBe(`repo@sha256:${hex}`);
    expect(imageFromApi("repo", "v1")).toBe("repo:v1");
    // What Coolify v4.3.10's create makes of `repo@sha256:<hex>`: name "repo@sha256", tag "<hex>".
    expect(imageFromApi("ghcr.io/acme/web@sha256", hex)).toBe(`ghcr.io/acme/web@sha256:${hex}`);
  });

  it("sends a digest as the name and tag PATCH accepts, dropping a tag before it", () => {
    const hex = "d".repeat(64);
    expect(imageFields(`ghcr.io/acme/web@sha256:${hex}`)).toEqual({ docker_registry_image_name: "ghcr.io/acme/web@sha256", docker_registry_image_tag: hex });
    expect(imageFields(`registry.local:5000/web:1.2@sha256:${hex}`)).toEqual({
      docker_registry_image_name: "registry.local:5000/web@sha256",
      docker_registry_image_tag: hex,
    });
    const { env: _e, secretEnv: _s, ...rest } = appInputs({ image: `ghcr.io/acme/web:1.2@sha256:${hex}` });
    const reply = applicationReply.parse({ uuid: "app1", name: "web", docker_registry_image_name: "ghcr.io/acme/web@sha256", docker_registry_image_tag: hex });
    expect(applicationFromApi(reply, { ...rest, env: {}, secretEnv: {} }).image).toBe(`ghcr.io/acme/web:1.2@sha256:${hex}`);
  });

  it("round-trips what slipway sets (so refresh shows no drift)", () => {
    const inputs = appInputs();
    const body = createApplicationBody(inputs);
    // What GET answers after that create: the same fields, domains reported as `fqdn`.
    const reply = applicationReply.parse({ uuid: "app1", ...body, fqdn: body.domains, description: null });
    const back = applicationFromApi(reply, inputs);
    const { env: _e, secretEnv: _s, ...rest } = inputs;
    expect(back).toEqual({ ...rest, description: undefined, postDeploymentCommand: undefined, destinationUuid: undefined });
  });

  it("reports hand-made changes as drift", () => {
    const back = applicationFromApi(
      { uuid: "app1", name: "web", fqdn: "https://x.example.com", ports_exposes: "8080", health_check_enabled: false, limits_memory: "0" },
      appInputs(),
    );
    expect(back).toMatchObject({ domains: ["x.example.com"], ports: [8080], healthCheck: undefined, limits: undefined });
  });
});

describe("database request bodies", () => {
  it("creates a private pgvector Postgres that starts at once", () => {
    expect(createPostgresBody(dbInputs({ limits: { memory: "1g" } }))).toEqual({
      server_uuid: "srv1",
      project_uuid: "proj1",
      environment_name: "staging",
      environment_uuid: "env1",
      name: "web-db",
      image: "pgvector/pgvector:pg16",
      postgres_user: "app",
      postgres_password: "pw-123",
      postgres_db: "app",
      limits_memory: "1g",
      is_public: false,
      instant_deploy: true,
    });
  });

  it("patches only changed in-place fields and restarts only for image or limits", () => {
    expect(patchDatabaseBody(dbInputs(), dbInputs({ description: "main" }))).toEqual({ description: "main" });
    expect(needsRestart(patchDatabaseBody(dbInputs(), dbInputs({ description: "main" })))).toBe(false);
    const patch = patchDatabaseBody(dbInputs(), dbInputs({ image: "pgvector/pgvector:pg17", limits: { cpus: "2" } }));
    expect(patch).toEqual({ image: "pgvector/pgvector:pg17", limits_cpus: "2" });
    expect(needsRestart(patch)).toBe(true);
  });

  it("schedules backups with local retention", () => {
    expect(createBackupBody({ schedule: "0 3 * * *", retentionDays: 30, retentionAmount: 5 })).toEqual({
      frequency: "0 3 * * *",
      enabled: true,
      save_s3: false,
      database_backup_retention_days_locally: 30,
      database_backup_retention_amount_locally: 5,
    });
  });

  it("builds the internal URL, preferring Coolify's, with the password URL-encoded", () => {
    expect(internalDbUrl(dbInputs({ password: "a/b@c" }), "db1")).toBe("postgres://app:a%2Fb%40c@db1:5432/app");
    expect(internalDbUrl(dbInputs(), "db1", "postgres://app:pw@host-x:5432/app")).toBe("postgres://app:pw@host-x:5432/app");
    expect(hostOfUrl("postgres://app:pw@host-x:5432/app", "db1")).toBe("host-x");
    expect(hostOfUrl("not a url", "db1")).toBe("db1");
  });

  it("reads back what the API holds", () => {
    const back = databaseFromApi(
      { uuid: "db1", name: "renamed", image: "postgres:16", postgres_user: "app", postgres_db: "app", limits_memory: "0" },
      dbInputs({ limits: { memory: "1g" } }),
    );
    expect(back).toMatchObject({ name: "renamed", image: "postgres:16", limits: undefined, password: "pw-123" });
  });
});
