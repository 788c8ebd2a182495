import { describe, expect, it } from "vitest";
import { diffApplication } from "../../../../components/coolify/application.provider";
import { diffDatabase } from "../../../../components/coolify/database.provider";
import { diffProject } from "../../../../components/coolify/project.provider";
import type { ApplicationOutputs, DatabaseOutputs, ProjectOutputs } from "../../../../components/coolify/types";
import { appInputs, connection, dbInputs, DIGEST2 } from "./fixtures";

const appState = (o: Partial<ApplicationOutputs> = {}): ApplicationOutputs => ({ ...appInputs(), uuid: "app1", urls: [], ...o });

describe("application diff", () => {
  it("reports no changes for identical inputs, whatever the key order", () => {
    const news = appInputs({ env: { B: "2", A: "1" } });
    const result = diffApplication(appState({ env: { A: "1", B: "2" } }), news);
    expect(result).toMatchObject({ changes: false, replaces: [], detailedDiff: {} });
  });

  it("updates the image in place", () => {
    const result = diffApplication(appState(), appInputs({ image: DIGEST2 }));
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
    expect(result.detailedDiff).toEqual({ image: { kind: "update", inputDiff: true } });
  });

  it("diffs env vars key by key, secret ones too", () => {
    const result = diffApplication(
      appState(),
      appInputs({ env: { NODE_ENV: "staging", "FEATURE-X": "on" }, secretEnv: {} }),
    );
    expect(result.detailedDiff).toEqual({
      "env.NODE_ENV": { kind: "update", inputDiff: true },
      'env["FEATURE-X"]': { kind: "add", inputDiff: true },
      "secretEnv.API_KEY": { kind: "delete", inputDiff: true },
    });
    expect(result.replaces).toEqual([]);
  });

  it("replaces when the server changes, deleting first because the domain is kept", () => {
    const result = diffApplication(appState(), appInputs({ serverUuid: "srv2" }));
    expect(result.replaces).toEqual(["serverUuid"]);
    expect(result.detailedDiff).toEqual({ serverUuid: { kind: "update-replace", inputDiff: true } });
    expect(result.deleteBeforeReplace).toBe(true);
  });

  it("creates before deleting when the replacement has other domains", () => {
    const result = diffApplication(appState(), appInputs({ projectUuid: "proj2", domains: ["new.example.com"] }));
    expect(result.replaces).toEqual(["projectUuid"]);
    expect(result.deleteBeforeReplace).toBe(false);
  });

  it("ignores a rotated token but replaces on another API URL", () => {
    expect(diffApplication(appState(), appInputs({ connection: { ...connection, token: "tok-2" } })).changes).toBe(false);
    const moved = diffApplication(appState(), appInputs({ connection: { apiUrl: "https://other/api/v1", token: "tok-1" } }));
    expect(moved.replaces).toEqual(["connection"]);
    expect(moved.detailedDiff["connection.apiUrl"]).toEqual({ kind: "update-replace", inputDiff: true });
  });

  it("reports removing the health check as a delete in place", () => {
    const result = diffApplication(appState(), appInputs({ healthCheck: undefined }));
    expect(result.detailedDiff).toEqual({ healthCheck: { kind: "delete", inputDiff: true } });
  });
});

describe("database diff", () => {
  const state = (o: Partial<DatabaseOutputs> = {}): DatabaseOutputs => ({
    ...dbInputs(),
    uuid: "db1",
    internalHost: "db1",
    port: 5432,
    internalDbUrl: "postgres://app:pw-123@db1:5432/app",
    ...o,
  });

  it("updates image, limits and backups in place", async () => {
    const result = diffDatabase(state(), dbInputs({
      image: "pgvector/pgvector:pg17",
      limits: { memory: "1g" },
      backup: { schedule: "0 4 * * *", retentionDays: 7, retentionAmount: 0 },
    }));
    expect(result.replaces).toEqual([]);
    expect(result.detailedDiff).toEqual({
      image: { kind: "update", inputDiff: true },
      limits: { kind: "add", inputDiff: true },
      backup: { kind: "update", inputDiff: true },
    });
  });

  it("replaces on initdb-only settings (user, database name, password)", async () => {
    const result = diffDatabase(state(), dbInputs({ user: "web", password: "other" }));
    expect(result.replaces).toEqual(["user", "password"]);
    expect(result.changes).toBe(true);
  });
});

describe("project diff", () => {
  const state: ProjectOutputs = { connection, name: "web", environmentName: "staging", projectUuid: "p1", environmentUuid: "e1" };

  it("renames project and environment in place", async () => {
    const result = diffProject(state, { connection, name: "web2", environmentName: "stage" });
    expect(result.replaces).toEqual([]);
    expect(result.detailedDiff).toEqual({
      name: { kind: "update", inputDiff: true },
      environmentName: { kind: "update", inputDiff: true },
    });
  });

  it("has no changes when only the token differs", async () => {
    const result = diffProject(state, { connection: { ...connection, token: "x" }, name: "web", environmentName: "staging" });
    expect(result.changes).toBe(false);
  });
});
