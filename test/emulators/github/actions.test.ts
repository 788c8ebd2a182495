/**
 * Self-tests of the GitHub emulator's Actions secrets and variables: secrets sealed with libsodium to the
 * served key round-trip on both environment URL forms; a wrong key_id or garbage ciphertext is refused.
 */
import { describe, expect, it } from "vitest";
import { expectGithubError, obj, seal, useGithubEmulator } from "./testkit";

const fx = useGithubEmulator();
const api: typeof fx.api = (...args) => fx.api(...args);
const env = "/repos/acme/app/environments";

describe("sealed secrets", () => {
  it("opens a secret sealed to the served key, on both environment secret URL forms", async () => {
    await api("PUT", `${env}/staging`);
    const key = obj((await api("GET", `${env}/staging/secrets/public-key`)).body);
    expect(key).toEqual({ key_id: fx.gh.publicKey.keyId, key: fx.gh.publicKey.key });
    const put = await api("PUT", `${env}/staging/secrets/db_password`, { encrypted_value: await seal("hunter2", String(key.key)), key_id: key.key_id });
    expect(put.status).toBe(201);
    expect(fx.gh.secretValue({ owner: "acme", repo: "app", environment: "staging", name: "DB_PASSWORD" })).toBe("hunter2");

    const byId = "/repositories/4242/environments/staging/secrets";
    expect(obj((await api("GET", `${byId}/public-key`)).body).key_id).toBe(key.key_id);
    const again = await api("PUT", `${byId}/DB_PASSWORD`, { encrypted_value: await seal("rotated", String(key.key)), key_id: key.key_id });
    expect(again.status).toBe(204);
    expect(fx.gh.secretValue({ owner: "acme", repo: "app", environment: "staging", name: "db_password" })).toBe("rotated");
    const meta = obj((await api("GET", `${env}/staging/secrets/DB_PASSWORD`)).body);
    expect(meta.name).toBe("DB_PASSWORD");
    expect(Object.keys(meta).sort()).toEqual(["created_at", "name", "updated_at"]);

    const logged = JSON.stringify(fx.gh.log) + JSON.stringify(fx.gh.inventory());
    expect(logged).not.toContain("hunter2");
    expect(logged).not.toContain("rotated");
    expect((await api("DELETE", `${byId}/db_password`)).status).toBe(204);
    expect((await api("GET", `${byId}/db_password`)).status).toBe(404);
    expect((await api("GET", "/repositories/999/environments/staging/secrets/public-key")).status).toBe(404);
  });

  it("rejects a wrong key_id, an unopenable value and a non-base64 value", async () => {
    await api("PUT", `${env}/staging`);
    const sealed = await seal("x", fx.gh.publicKey.key);
    const cases = [
      { encrypted_value: sealed, key_id: "123" },
      { encrypted_value: Buffer.alloc(64, 7).toString("base64"), key_id: fx.gh.publicKey.keyId },
      { encrypted_value: "not base64!", key_id: fx.gh.publicKey.keyId },
      { encrypted_value: sealed },
    ];
    for (const b of cases) {
      const r = await api("PUT", `${env}/staging/secrets/TOKEN`, b);
      expect(r.status, JSON.stringify(b)).toBe(422);
      expectGithubError(r.body);
    }
    expect(fx.gh.secretValue({ owner: "acme", repo: "app", environment: "staging", name: "TOKEN" })).toBeUndefined();
    expect((await api("PUT", `${env}/missing/secrets/TOKEN`, { encrypted_value: sealed, key_id: fx.gh.publicKey.keyId })).status).toBe(404);
  });

  it("stores repository secrets and refuses GitHub-reserved names", async () => {
    const base = "/repos/acme/app/actions/secrets";
    const key = obj((await api("GET", `${base}/public-key`)).body);
    const value = await seal("repo-level", String(key.key));
    expect((await api("PUT", `${base}/DEPLOY_KEY`, { encrypted_value: value, key_id: key.key_id })).status).toBe(201);
    expect(fx.gh.secretValue({ owner: "acme", repo: "app", name: "DEPLOY_KEY" })).toBe("repo-level");
    // The same, out of process, through the control API.
    const control = async (body: unknown) =>
      fetch(`${fx.gh.origin}/_emulator/secret`, { method: "POST", body: JSON.stringify(body) });
    const viaControl = await control({ owner: "acme", repo: "app", name: "deploy_key" });
    expect(viaControl.status).toBe(200);
    expect(await viaControl.json()).toEqual({ value: "repo-level" });
    expect((await control({ owner: "acme", repo: "app", name: "NOPE" })).status).toBe(404);
    expect((await control({ owner: "acme" })).status).toBe(400);
    expect((await api("PUT", `${base}/GITHUB_TOKEN`, { encrypted_value: value, key_id: key.key_id })).status).toBe(422);
    expect((await api("PUT", `${base}/1ABC`, { encrypted_value: value, key_id: key.key_id })).status).toBe(422);
  });
});

describe("variables", () => {
  for (const base of [`${env}/staging/variables`, "/repos/acme/app/actions/variables"]) {
    it(`creates, reads, updates, renames and deletes (${base})`, async () => {
      await api("PUT", `${env}/staging`);
      expect((await api("POST", base, { name: "region", value: "eu" })).status).toBe(201);
      expect(obj((await api("GET", `${base}/REGION`)).body)).toMatchObject({ name: "REGION", value: "eu" });
      expect((await api("POST", base, { name: "REGION", value: "us" })).status).toBe(409);
      expect((await api("PATCH", `${base}/region`, { name: "REGION", value: "us" })).status).toBe(204);
      expect(obj((await api("GET", `${base}/region`)).body).value).toBe("us");
      expect((await api("PATCH", `${base}/REGION`, { name: "ZONE" })).status).toBe(204);
      expect((await api("GET", `${base}/REGION`)).status).toBe(404);
      expect((await api("DELETE", `${base}/ZONE`)).status).toBe(204);
      expect((await api("GET", `${base}/ZONE`)).status).toBe(404);
      const off = await api("POST", base, { name: "NO_VALUE" });
      expect(off.status).toBe(422);
      expectGithubError(off.body);
    });
  }
});

