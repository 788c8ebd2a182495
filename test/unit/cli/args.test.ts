import { describe, expect, it } from "vitest";
import { parseCommand, UsageError, USAGE } from "../../../infra/cli/args";

const digest = `ghcr.io/acme/shop@sha256:${"a".repeat(64)}`;

describe("parseCommand", () => {
  it.each([
    [["preview", "staging"], { kind: "preview", stack: "staging" }],
    [["releases", "production"], { kind: "releases", stack: "production" }],
    [["deploy", "staging", "--image", digest, "--message", "ship it"], { kind: "deploy", stack: "staging", image: digest, message: "ship it" }],
    [["rollback", "production", "--to", "v1.2.0", "--yes"], { kind: "rollback", stack: "production", to: "v1.2.0", yes: true }],
    [["rollback", "production"], { kind: "rollback", stack: "production", to: undefined, yes: false }],
    [["pr", "up", "42"], { kind: "pr", action: "up", number: 42 }],
    [["pr", "up", "42", "--image", digest], { kind: "pr", action: "up", number: 42, image: digest }],
    [["pr", "down", "7"], { kind: "pr", action: "down", number: 7 }],
    [["lock", "status", "staging"], { kind: "lock", action: "status", stack: "staging" }],
    [["lock", "release", "pr-7"], { kind: "lock", action: "release", stack: "pr-7" }],
    [["gate", "tag", "v1.2.3"], { kind: "gate", gate: "tag", tag: "v1.2.3" }],
    [["gate", "healthy", "https://x.example.com/health"], { kind: "gate", gate: "healthy", url: "https://x.example.com/health" }],
    [["gate", "hours", "--tz", "America/Los_Angeles"], { kind: "gate", gate: "hours", tz: "America/Los_Angeles" }],
    [[], { kind: "help" }],
  ])("parses %j", (argv, expected) => {
    expect(parseCommand(argv)).toEqual(expected);
  });

  it.each([
    [["launch"], 'slipway: unknown command "launch"'],
    [["deploy"], "slipway deploy: missing <stack>"],
    [["deploy", "staging", "--image", "ghcr.io/acme/shop:latest"], 'slipway deploy: --image expected an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>, got "ghcr.io/acme/shop:latest"'],
    // The shared rule (components/rules.ts) checks the whole reference, not only its digest suffix.
    [["pr", "up", "3", "--image", `GHCR.io/Acme/shop@sha256:${"a".repeat(64)}`], `slipway pr up: --image expected an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>, got "GHCR.io/Acme/shop@sha256:${"a".repeat(64)}"`],
    [["pr", "up", "3", "--image", "ghcr.io/acme/shop:pr-3"], 'slipway pr up: --image expected an image reference pinned by digest'],
    [["pr", "down", "3", "--image", digest], "slipway pr down: --image is only for pr up"],
    [["deploy", "staging", "--force"], "slipway deploy: Unknown option '--force'"],
    [["preview", "staging", "production"], 'slipway preview: unexpected argument "production"'],
    [["preview", "../etc"], 'slipway preview: "../etc" is not a stack name'],
    [["pr", "open", "3"], 'slipway pr: expected "up" or "down", got "open"'],
    [["pr", "up"], "slipway pr up: expected a pull request number, got nothing"],
    [["pr", "up", "0"], 'slipway pr up: expected a pull request number, got "0"'],
    [["lock", "steal", "staging"], 'slipway lock: expected "status" or "release", got "steal"'],
    [["lock", "status"], "slipway lock status: missing <stack>"],
    [["lock", "release", "staging", "now"], 'slipway lock: unexpected argument "now"'],
    [["gate", "weather"], 'slipway gate: expected "tag", "hours" or "healthy", got "weather"'],
  ])("rejects %j with the valid forms", (argv, problem) => {
    let caught: unknown;
    try {
      parseCommand(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const message = (caught as Error).message;
    expect(message.split("\n")[0]).toContain(problem);
    expect(message).toContain(USAGE);
  });
});
