/**
 * Configs every platform accepts but that make a deploy do the wrong thing silently (stacks/rules-deploy.ts):
 * refused with what to do instead, before any resource is registered.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { at, clone, stackInput, type StackInput } from "./fixtures";
import { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, runProgram } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
});

function problemsOf(input: StackInput): readonly string[] {
  try {
    parseStackConfig(input.raw, input.secretKeys);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, the config was accepted");
}

const GATE = "healthGate: { off: true, reason: <why> } to deploy without the gate (slipway deploy would skip it and never roll back)";

const cases: Array<{ name: string; stack: "staging" | "production" | "pr"; mutate: (r: Record<string, unknown>) => void; problems: string[] }> = [
  {
    name: "a release command migrating SQLite on Fly",
    stack: "pr",
    mutate: (r) => { at(r, "slipway:app").releaseCommand = "npm run db:migrate"; },
    problems: [
      'slipway:app.releaseCommand: expected no releaseCommand with SQLite on Fly (the release machine mounts no volume, so it would migrate a throwaway copy of /app/data/shop.db): run the migration in the image\'s start command (e.g. CMD ["sh", "-c", "npm run db:migrate && npm start"]) or use slipway:database kind "postgres", got "npm run db:migrate"',
    ],
  },
  {
    name: "SQLite on a Fly volume with a release command (the release machine still mounts none)",
    stack: "production",
    mutate: (r) => { r["slipway:database"] = { kind: "sqlite", path: "/app/media/shop.db" }; },
    problems: [
      'slipway:app.releaseCommand: expected no releaseCommand with SQLite on Fly (the release machine mounts no volume, so it would migrate a throwaway copy of /app/media/shop.db): run the migration in the image\'s start command (e.g. CMD ["sh", "-c", "npm run db:migrate && npm start"]) or use slipway:database kind "postgres", got "npm run db:migrate"',
    ],
  },
  {
    name: "Coolify without a domain: no health URL to gate on",
    stack: "staging",
    mutate: (r) => { r["slipway:domains"] = []; },
    problems: [`slipway:app.healthGate: expected a domain in slipway:domains so the health gate can poll it, or ${GATE}, got a coolify target without any slipway:domains (no URL to poll)`],
  },
  {
    name: "no health check on Fly",
    stack: "production",
    mutate: (r) => { delete at(r, "slipway:app").healthCheck; },
    problems: [`slipway:app.healthGate: expected a health check in slipway:app.healthCheck so the health gate can poll it, or ${GATE}, got no slipway:app.healthCheck`],
  },
  {
    name: "healthGate off without a reason",
    stack: "staging",
    mutate: (r) => { r["slipway:domains"] = []; at(r, "slipway:app").healthGate = { off: true }; },
    problems: ["slipway:app.healthGate.reason: expected why deploys of this stack may skip the health gate, got nothing"],
  },
  {
    name: "healthGate off: false",
    stack: "staging",
    mutate: (r) => { at(r, "slipway:app").healthGate = { off: false, reason: "x" }; },
    problems: ["slipway:app.healthGate.off: expected true (the only way to turn the gate off), got false"],
  },
];

describe("configs that would deploy wrongly without a word", () => {
  it.each(cases)("$name", async ({ stack, mutate, problems }) => {
    const input = clone(stackInput(stack));
    mutate(input.raw);
    expect(problemsOf(input)).toEqual(problems);
    const run = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (run.outcome.ok) throw new Error("the program accepted the config");
    expect((run.outcome.error as ConfigError).problems).toEqual(problems);
    expect(run.registry.resources).toEqual([]);
  });

  it("accepts the gate turned off with a reason, and exports the reason for slipway deploy", async () => {
    const input = clone(stackInput("staging"));
    input.raw["slipway:domains"] = [];
    at(input.raw, "slipway:app").healthGate = { off: true, reason: "LAN-only staging, smoke-tested by hand" };
    const config = parseStackConfig(input.raw, input.secretKeys);
    expect(config.app.healthGate).toEqual({ off: true, reason: "LAN-only staging, smoke-tested by hand" });
    const run = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!run.outcome.ok) throw run.outcome.error;
    expect(run.outcome.exports.healthGateOff).toBe("LAN-only staging, smoke-tested by hand");
  });

  it("the committed stacks gate every deploy", async () => {
    for (const stack of ["staging", "production", "pr"] as const) {
      expect(parseStackConfig(stackInput(stack).raw, stackInput(stack).secretKeys).app.healthGate).toBeUndefined();
    }
  });
});
