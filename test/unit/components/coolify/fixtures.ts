import type { ApplicationInputs, DatabaseInputs } from "../../../../components/coolify/types";

export const DIGEST = `ghcr.io/acme/web@sha256:${"a".repeat(64)}`;
export const DIGEST2 = `ghcr.io/acme/web@sha256:${"b".repeat(64)}`;
export const connection = { apiUrl: "http://coolify.test/api/v1", token: "tok-1" };

export function appInputs(overrides: Partial<ApplicationInputs> = {}): ApplicationInputs {
  return {
    connection,
    projectUuid: "proj1",
    environmentUuid: "env1",
    environmentName: "staging",
    serverUuid: "srv1",
    name: "web",
    image: DIGEST,
    domains: ["staging.example.com"],
    ports: [3000, 4000],
    portMappings: [],
    healthCheck: { path: "/health", intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 15, returnCode: 200 },
    limits: { cpus: "1", memory: "512m" },
    preDeploymentCommand: "npm run migrate",
    env: { NODE_ENV: "production" },
    secretEnv: { API_KEY: "s3cret" },
    deploy: true,
    ...overrides,
  };
}

export function dbInputs(overrides: Partial<DatabaseInputs> = {}): DatabaseInputs {
  return {
    connection,
    projectUuid: "proj1",
    environmentUuid: "env1",
    environmentName: "staging",
    serverUuid: "srv1",
    name: "web-db",
    image: "pgvector/pgvector:pg16",
    user: "app",
    databaseName: "app",
    password: "pw-123",
    backup: { schedule: "0 3 * * *", retentionDays: 30, retentionAmount: 0 },
    ...overrides,
  };
}
