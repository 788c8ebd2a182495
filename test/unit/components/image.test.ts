import { afterEach, describe, expect, it, vi } from "vitest";
import type * as pulumi from "@pulumi/pulumi";
import { capturingRejections, fakeDigest, outputOf, setupMocks, type MockOptions, type MockRegistry } from "../mocks";

const REPO = "ghcr.io/acme/shop";
const DIGEST = fakeDigest("shop");
const PINNED = `${REPO}@${DIGEST}`;

let registry: MockRegistry;
async function load(options: MockOptions = {}): Promise<typeof import("../../../components/image")> {
  vi.resetModules();
  registry = setupMocks(options);
  return import("../../../components/image");
}

// registerOutputs lands asynchronously; let it reach this test's mock monitor before the next test replaces it.
afterEach(async () => {
  await registry.settled();
});

/** Resolves or rejects with the error thrown inside an apply (outputOf would hang on a rejection). */
function settle<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

/**
 * A failing apply also fails the component's registerOutputs, which is how the engine aborts the
 * program. Under mocks that surfaces as an unhandled rejection: capture it (and assert on it) instead
 * of letting the test runner count it as a crash.
 */
async function expectProgramFailure(run: () => Promise<void>, message: string): Promise<void> {
  const seen = await capturingRejections(registry, run);
  expect(seen.length).toBeGreaterThan(0);
  for (const m of seen) expect(m).toContain(message);
}

/** Secret inputs reach the mock monitor wrapped in Pulumi's secret signature. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function secretValue(v: unknown): unknown {
  expect(v).toBeTypeOf("object");
  expect((v as Record<string, unknown>)[SECRET_SIG]).toBe("1b47061264138c4ac30d75fd1eb44270");
  return (v as Record<string, unknown>).value;
}

describe("ContainerImage: argument conflicts", () => {
  it("rejects no source with the exact message, registering nothing", async () => {
    const { ContainerImage } = await load();
    expect(() => new ContainerImage("web", {})).toThrow(
      'ContainerImage "web": exactly one of build, ref, fromStack or flox must be given; got none',
    );
    await registry.settled();
    expect(registry.resources).toHaveLength(0);
  });

  it("names every conflicting source", async () => {
    const { ContainerImage } = await load();
    expect(
      () =>
        new ContainerImage("web", {
          ref: PINNED,
          build: { repository: REPO, commit: "abc1234", stack: "staging" },
          flox: { repository: REPO, commit: "abc1234", stack: "staging" },
        }),
    ).toThrow('ContainerImage "web": exactly one of build, ref, fromStack or flox must be given; got build and ref and flox');
  });

  it("rejects a ref that is only tagged", async () => {
    const { ContainerImage } = await load();
    expect(() => new ContainerImage("web", { ref: `${REPO}:1.2.3` })).toThrow(
      'ContainerImage "web": ref "ghcr.io/acme/shop:1.2.3" is not pinned by digest; expected <repository>@sha256:<64 hex digits>',
    );
  });

  it("rejects a short digest", async () => {
    const { ContainerImage } = await load();
    expect(() => new ContainerImage("web", { ref: `${REPO}@sha256:abc` })).toThrow(/is not pinned by digest/);
  });

  it("rejects a bad commit, stack tag, repository and flox dir", async () => {
    const { ContainerImage } = await load();
    expect(() => new ContainerImage("a", { build: { repository: REPO, commit: "HEAD", stack: "staging" } })).toThrow(
      'ContainerImage "a": build.commit "HEAD" must be a git commit (7 to 40 lowercase hex digits)',
    );
    expect(() => new ContainerImage("b", { build: { repository: REPO, commit: "abc1234", stack: "pr/1" } })).toThrow(
      'ContainerImage "b": build.stack "pr/1" is not a valid image tag',
    );
    expect(() => new ContainerImage("c", { flox: { repository: `${REPO}:v1`, commit: "abc1234", stack: "s" } })).toThrow(
      'ContainerImage "c": flox.repository "ghcr.io/acme/shop:v1" must be a repository without tag or digest, e.g. "ghcr.io/acme/shop"',
    );
    expect(
      () => new ContainerImage("d", { flox: { repository: REPO, commit: "abc1234", stack: "s", dir: "x; rm -rf /" } }),
    ).toThrow('ContainerImage "d": flox.dir "x; rm -rf /" may only contain letters, digits, "_", ".", "/" and "-"');
  });
});

describe("ContainerImage: sources", () => {
  it("passes a pinned ref through unchanged and registers no build", async () => {
    const { ContainerImage } = await load();
    const img = new ContainerImage("web", { ref: PINNED });
    expect(await outputOf(img.imageRef)).toBe(PINNED);
    expect(await outputOf(img.digest)).toBe(DIGEST);
    await registry.settled();
    expect(registry.types()).toEqual(["slipway:index:ContainerImage"]);
  });

  it("builds with docker-build, tagged with commit and stack, pushed, and pins the digest", async () => {
    const { ContainerImage } = await load();
    const img = new ContainerImage("web", {
      build: {
        repository: REPO,
        context: "app",
        commit: "3f9c2e1",
        stack: "staging",
        registry: { username: "bot", password: "s3cret" },
      },
    });
    const ref = await outputOf(img.imageRef);
    await registry.settled();
    const build = registry.one("docker-build:index:Image");
    expect(build.name).toBe("web-build");
    expect(build.inputs).toMatchObject({
      push: true,
      tags: [`${REPO}:3f9c2e1`, `${REPO}:staging`],
      context: { location: "app" },
      dockerfile: { location: "app/Dockerfile" },
      platforms: ["linux/amd64"],
    });
    // The registry password makes the whole list secret, so state never holds it in plaintext.
    expect(secretValue(build.inputs.registries)).toEqual([{ address: "ghcr.io", username: "bot", password: "s3cret" }]);
    expect(ref).toBe(`${REPO}@${fakeDigest("web-build")}`);
  });

  it("runs flox containerize then pushes with skopeo, credentials only in the environment", async () => {
    const pushed = fakeDigest("flox");
    const { ContainerImage } = await load({
      outputs: (a) => (a.name === "web-push" ? { stdout: `${pushed}\n` } : undefined),
    });
    const img = new ContainerImage("web", {
      flox: { repository: REPO, commit: "3f9c2e1", stack: "production", registry: { username: "bot", password: "tok" } },
    });
    expect(await outputOf(img.imageRef)).toBe(`${REPO}@${pushed}`);
    await registry.settled();
    const [containerize, push] = registry.byType("command:local:Command");
    expect(containerize?.name).toBe("web-containerize");
    expect(containerize?.inputs.create).toBe(
      'mkdir -p .slipway && flox containerize --dir "." --tag "3f9c2e1" --file ".slipway/web-flox.tar"',
    );
    expect(push?.name).toBe("web-push");
    const create = String(push?.inputs.create);
    expect(create).toContain(`docker-archive:.slipway/web-flox.tar docker://${REPO}:3f9c2e1`);
    expect(create).toContain(`docker://${REPO}:production`);
    expect(create).not.toContain("tok");
    expect(secretValue(push?.inputs.environment)).toEqual({ REGISTRY_USERNAME: "bot", REGISTRY_PASSWORD: "tok" });
  });

  it("fails when the flox push does not print a digest", async () => {
    const { ContainerImage } = await load({ outputs: (a) => (a.name === "web-push" ? { stdout: "oops" } : undefined) });
    const message = 'ContainerImage "web": the pushed image "ghcr.io/acme/shop@oops" is not pinned by digest';
    await expectProgramFailure(async () => {
      const img = new ContainerImage("web", { flox: { repository: REPO, commit: "3f9c2e1", stack: "s" } });
      await expect(settle(img.imageRef)).rejects.toThrow(message);
    }, message);
  });

  it("promotes exactly the digest another stack exported", async () => {
    const { ContainerImage } = await load({
      outputs: (a) =>
        a.type === "pulumi:pulumi:StackReference" ? { outputs: { imageRef: PINNED, image: `${REPO}:latest` } } : undefined,
    });
    const img = new ContainerImage("web", { fromStack: { stack: "acme/slipway/staging" } });
    expect(await outputOf(img.imageRef)).toBe(PINNED);
    expect(await outputOf(img.digest)).toBe(DIGEST);
    await registry.settled();
    expect(registry.one("pulumi:pulumi:StackReference").inputs).toMatchObject({ name: "acme/slipway/staging" });
  });

  it("refuses to promote an unpinned output", async () => {
    const { ContainerImage } = await load({
      outputs: (a) => (a.type === "pulumi:pulumi:StackReference" ? { outputs: { image: `${REPO}:latest` } } : undefined),
    });
    const message =
      'ContainerImage "web": output "image" of the source stack "ghcr.io/acme/shop:latest" is not pinned by digest';
    await expectProgramFailure(async () => {
      const img = new ContainerImage("web", { fromStack: { stack: "acme/slipway/staging", output: "image" } });
      await expect(settle(img.imageRef)).rejects.toThrow(message);
    }, message);
  });
});

describe("parsePinnedRef / registryHost", () => {
  it("splits repository and digest, including registries with ports", async () => {
    const { parsePinnedRef, registryHost } = await load();
    expect(parsePinnedRef(`localhost:5000/shop@${DIGEST}`)).toEqual({ repository: "localhost:5000/shop", digest: DIGEST });
    // A tag beside the digest passes slipway:image's pinned rule (components/rules.ts isPinnedImage), so it is
    // accepted here too and dropped: the digest alone decides what runs.
    expect(parsePinnedRef(`${REPO}:1.0@${DIGEST}`)).toEqual({ repository: REPO, digest: DIGEST });
    expect(parsePinnedRef(`${REPO}:1.0`)).toBeUndefined();
    expect(parsePinnedRef(`${REPO}@sha256:${"A".repeat(64)}`)).toBeUndefined();
    expect(registryHost(REPO)).toBe("ghcr.io");
    expect(registryHost("localhost:5000/shop")).toBe("localhost:5000");
    expect(registryHost("acme/shop")).toBe("docker.io");
  });
});
