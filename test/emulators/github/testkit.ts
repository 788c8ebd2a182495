/**
 * Test helpers for talking to the GitHub emulator the way go-github does: bearer token, the 2022-11-28 API
 * version header, JSON bodies, and secrets sealed with libsodium to the served public key.
 */
import sodium from "libsodium-wrappers";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { type GithubEmulator, startGithubEmulator } from "./index";

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

export type ApiCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer>;

/** A client bound to one emulator URL and token; `path` is relative to the API base (e.g. "/user"). */
export function apiClient(baseUrl: string, token: string | undefined): ApiCall {
  return async (method, path, body, headers = {}) => {
    // Redirects are returned as-is unless the caller asks to follow them (header "x-follow", not sent on).
    const { "x-follow": follow, ...sent } = headers;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...sent,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: follow === undefined ? "manual" : "follow",
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** Seals `plaintext` to a base64 Curve25519 public key, as the provider does with GitHub's key. */
export async function seal(plaintext: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(sodium.crypto_box_seal(plaintext, key), sodium.base64_variants.ORIGINAL);
}

/** A narrowing accessor for JSON answers in assertions. */
export function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`expected a JSON object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

export const TOKEN = "ghp_emulator_token";

export interface GithubFixture {
  gh: GithubEmulator;
  api: ApiCall;
}

/**
 * One emulator per test file, seeded with an org (acme), the token's user, a reviewer user and team, and two
 * repositories. After each test the spec violations are drained and asserted empty (one bug fails the test
 * that caused it, not every later one), then the state is reset.
 */
export function useGithubEmulator(): GithubFixture {
  const fx = {} as GithubFixture;
  beforeAll(async () => {
    fx.gh = await startGithubEmulator({
      token: TOKEN,
      orgs: [{ login: "acme" }],
      user: { login: "slipway-bot", id: 77 },
      users: [{ login: "reviewer", id: 501 }],
      teams: [{ org: "acme", slug: "ops", id: 601 }],
      repositories: [{ owner: "acme", name: "app", id: 4242 }, { owner: "slipway-bot", name: "personal" }],
    });
    fx.api = apiClient(fx.gh.url, TOKEN);
  });
  afterEach(() => {
    const violations = fx.gh.responseViolations.splice(0);
    expect(violations).toEqual([]);
    fx.gh.reset();
  });
  afterAll(async () => {
    await fx.gh.close();
  });
  return fx;
}

/** GitHub's error body: a message and a documentation URL. */
export function expectGithubError(body: unknown): void {
  const b = obj(body);
  expect(typeof b.message).toBe("string");
  expect(b.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
}
