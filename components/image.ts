import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as dockerBuild from "@pulumi/docker-build";
import * as command from "@pulumi/command";
import { commitShaSchema, isPinnedImage, REPOSITORY_PATH_SRC } from "./rules";

/** Paths interpolated into shell commands: plain path characters only, so nothing can be injected. */
const SAFE_PATH = /^[A-Za-z0-9_.\/-]+$/;
/**
 * A repository without tag or digest, as docker's reference grammar has it: an optional registry host (with
 * an optional port), then lowercase path components. A colon is only legal in the host, so a tag cannot hide.
 * e.g. `ghcr.io/acme/shop`, `localhost:5000/shop`.
 */
const REPO_SRC = `(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?${REPOSITORY_PATH_SRC}`;
const REPOSITORY = new RegExp(`^${REPO_SRC}$`);
/**
 * Splits what components/rules.ts `isPinnedImage` accepts — the rule slipway:image (kind pinned) checks — into
 * repository and digest; a tag beside the digest is dropped (the digest alone decides what runs).
 */
const PINNED = new RegExp(`^(${REPO_SRC})(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@(sha256:[0-9a-f]{64})$`);
/** Docker's tag grammar: the stack name becomes a tag, so it must be one. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Credentials for the registry the image is pushed to. */
export interface RegistryCredentials {
  /**
   * User name at the registry.
   * @example "acme-bot"
   */
  username: pulumi.Input<string>;
  /**
   * Password or token; pass a Pulumi secret so state holds it encrypted.
   * @example config.requireSecret("registryToken")
   */
  password: pulumi.Input<string>;
}

/** Build from a Dockerfile context with BuildKit and push. */
export interface ContainerImageBuildArgs {
  /**
   * Repository to push to, without tag or digest.
   * @example "ghcr.io/acme/shop"
   */
  repository: string;
  /**
   * Directory sent to BuildKit as the build context.
   * @default "." — the project directory.
   */
  context?: string;
  /**
   * Path of the Dockerfile, relative to `context` (as in a compose file), or absolute.
   * @default "Dockerfile" — the one at the root of the context.
   * @example "deploy/Dockerfile.prod"
   */
  dockerfile?: string;
  /**
   * The git commit being built; becomes a tag so a digest can be traced back to its source.
   * @example "3f9c2e1"
   */
  commit: string;
  /**
   * The stack name; becomes a tag (passed in, so this component never asks which stack it runs in).
   * @example "staging"
   */
  stack: string;
  /**
   * Build-time variables (`--build-arg`).
   * @default {} — none.
   */
  buildArgs?: Record<string, pulumi.Input<string>>;
  /**
   * Target platforms.
   * @default ["linux/amd64"] — what Coolify hosts and Fly machines run.
   */
  platforms?: dockerBuild.Platform[];
  /**
   * Multi-stage target.
   * @default undefined — the last stage.
   */
  target?: string;
  /**
   * Registry credentials.
   * @default undefined — rely on the local docker credential store (e.g. after `docker login ghcr.io`).
   */
  registry?: RegistryCredentials;
}

/** Promote: deploy exactly the digest another stack exported. */
export interface ContainerImageFromStackArgs {
  /**
   * Fully qualified name of the stack to read.
   * @example "acme/slipway/staging"
   */
  stack: pulumi.Input<string>;
  /**
   * Name of that stack's output holding a pinned reference.
   * @default "imageRef" — what the slipway program exports.
   */
  output?: string;
}

/** Build with `flox containerize` and push the resulting archive. */
export interface ContainerImageFloxArgs {
  /**
   * Repository to push to, without tag or digest.
   * @example "ghcr.io/acme/shop"
   */
  repository: string;
  /**
   * Directory containing the flox environment (`.flox/`).
   * @default "." — the project directory.
   */
  dir?: string;
  /**
   * The git commit being built; becomes the pushed tag and reruns the build when it changes.
   * @example "3f9c2e1"
   */
  commit: string;
  /**
   * The stack name; becomes a second tag.
   * @example "production"
   */
  stack: string;
  /**
   * Registry credentials, handed to skopeo through its environment (never on the command line).
   * @default undefined — skopeo's own auth file (e.g. after `skopeo login ghcr.io`).
   */
  registry?: RegistryCredentials;
}

/** Exactly one of `build`, `ref`, `fromStack`, `flox`. */
export interface ContainerImageArgs {
  /**
   * Build from a Dockerfile and push, tagged with the commit and the stack.
   * @default undefined
   * @example { repository: "ghcr.io/acme/shop", commit: "3f9c2e1", stack: "staging" }
   */
  build?: ContainerImageBuildArgs;
  /**
   * A prebuilt image, which must already be pinned by digest (tags move; digests do not).
   * @default undefined
   * @example "ghcr.io/acme/shop@sha256:4f1c…"
   */
  ref?: pulumi.Input<string>;
  /**
   * Promote the digest another stack deployed.
   * @default undefined
   * @example { stack: "acme/slipway/staging" }
   */
  fromStack?: ContainerImageFromStackArgs;
  /**
   * Build with `flox containerize` and push with skopeo.
   * @default undefined
   * @example { repository: "ghcr.io/acme/shop", commit: "3f9c2e1", stack: "staging" }
   */
  flox?: ContainerImageFloxArgs;
}

/** A reference split into repository and digest. */
export interface PinnedRef {
  repository: string;
  digest: string;
}

/** Parses `<repository>@sha256:<64 hex>`; undefined when the reference is not pinned by digest. */
export function parsePinnedRef(ref: string): PinnedRef | undefined {
  const m = isPinnedImage(ref) ? PINNED.exec(ref) : null;
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { repository: m[1], digest: m[2] };
}

function requirePinned(who: string, what: string, ref: unknown): PinnedRef {
  const parsed = typeof ref === "string" ? parsePinnedRef(ref) : undefined;
  if (!parsed) {
    throw new Error(
      `${who}: ${what} ${JSON.stringify(ref)} is not pinned by digest; expected <repository>@sha256:<64 hex digits>`,
    );
  }
  return parsed;
}

/** The registry host of a repository, as docker resolves it (no dot, colon or localhost → Docker Hub). */
export function registryHost(repository: string): string {
  const first = repository.split("/")[0] ?? "";
  return repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")
    ? first
    : "docker.io";
}

const SOURCES = ["build", "ref", "fromStack", "flox"] as const;

/**
 * ONE immutable image reference pinned by digest, which every platform component deploys, so that
 * promotion and rollback ship exactly the same bytes.
 */
export class ContainerImage extends pulumi.ComponentResource {
  /** `<repository>@sha256:<digest>`. */
  public readonly imageRef: pulumi.Output<string>;
  /** `sha256:<64 hex>`. */
  public readonly digest: pulumi.Output<string>;

  constructor(name: string, args: ContainerImageArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before registering anything, so a bad argument leaves no half-built component behind.
    const who = `ContainerImage "${name}"`;
    validate(who, args);
    super("slipway:index:ContainerImage", name, {}, opts);

    let pinned: pulumi.Output<PinnedRef>;
    if (args.build) pinned = this.build(name, who, args.build);
    else if (args.flox) pinned = this.flox(name, who, args.flox);
    else if (args.fromStack) pinned = this.fromStack(name, who, args.fromStack);
    else pinned = pulumi.output(args.ref).apply((r) => requirePinned(who, "ref", r));

    this.digest = pinned.apply((p) => p.digest);
    this.imageRef = pinned.apply((p) => `${p.repository}@${p.digest}`);
    this.registerOutputs({ imageRef: this.imageRef, digest: this.digest });
  }

  private build(name: string, who: string, b: ContainerImageBuildArgs): pulumi.Output<PinnedRef> {
    const context = b.context ?? ".";
    const registry = b.registry;
    const image = new dockerBuild.Image(
      `${name}-build`,
      {
        context: { location: context },
        // Kept relative: an absolute path would differ between a laptop and CI and show up as a diff.
        dockerfile: { location: path.join(context, b.dockerfile ?? "Dockerfile") },
        tags: [`${b.repository}:${b.commit}`, `${b.repository}:${b.stack}`],
        platforms: b.platforms ?? ["linux/amd64"],
        buildArgs: b.buildArgs,
        target: b.target,
        push: true,
        // A preview must not push; the digest is unknown until `up`, which is what previews show.
        buildOnPreview: false,
        registries: registry
          ? [{ address: registryHost(b.repository), username: registry.username, password: pulumi.secret(registry.password) }]
          : undefined,
      },
      // A release pins the pushed digest and the next run registers no build (stacks/environment.ts imagePlan):
      // dropping the build from the program must never touch what the registry holds.
      { parent: this, retainOnDelete: true },
    );
    return image.digest.apply((d) => requirePinned(who, "the pushed image", `${b.repository}@${d}`));
  }

  private flox(name: string, who: string, f: ContainerImageFloxArgs): pulumi.Output<PinnedRef> {
    const dir = f.dir ?? ".";
    // The archive lands in a per-resource path so two images in one program cannot clobber each other.
    const archive = `.slipway/${name}-flox.tar`;
    const containerize = new command.local.Command(
      `${name}-containerize`,
      {
        create: `mkdir -p .slipway && flox containerize --dir "${dir}" --tag "${f.commit}" --file "${archive}"`,
        triggers: [f.commit, dir],
        logging: "stderr",
      },
      { parent: this },
    );
    const creds = f.registry;
    // skopeo writes the manifest digest of what it pushed to --digestfile; that is the only stdout.
    const destCreds = creds ? ` --dest-creds "$REGISTRY_USERNAME:$REGISTRY_PASSWORD"` : "";
    const copy = (tag: string): string =>
      `skopeo copy --quiet${destCreds} --digestfile .slipway/${name}.digest docker-archive:${archive} docker://${f.repository}:${tag}`;
    const push = new command.local.Command(
      `${name}-push`,
      {
        create: `${copy(f.commit)} && ${copy(f.stack)} && cat .slipway/${name}.digest`,
        // A new archive (the containerize command was replaced) must be pushed again.
        triggers: [containerize.id, f.commit, f.stack, f.repository],
        environment: creds
          ? { REGISTRY_USERNAME: creds.username, REGISTRY_PASSWORD: pulumi.secret(creds.password) }
          : undefined,
        logging: "stderr",
      },
      { parent: this, dependsOn: [containerize] },
    );
    return push.stdout.apply((out) => requirePinned(who, "the pushed image", `${f.repository}@${out.trim()}`));
  }

  private fromStack(name: string, who: string, s: ContainerImageFromStackArgs): pulumi.Output<PinnedRef> {
    const output = s.output ?? "imageRef";
    const source = new pulumi.StackReference(`${name}-source`, { name: s.stack }, { parent: this });
    return source
      .getOutput(output)
      .apply((v: unknown) => requirePinned(who, `output "${output}" of the source stack`, v));
  }
}

/** Conflicts first, then each source's own rules; messages are exact because tests and users rely on them. */
function validate(who: string, args: ContainerImageArgs): void {
  const given = SOURCES.filter((k) => args[k] !== undefined);
  if (given.length !== 1) {
    const got = given.length === 0 ? "none" : given.join(" and ");
    throw new Error(`${who}: exactly one of build, ref, fromStack or flox must be given; got ${got}`);
  }
  if (typeof args.ref === "string") requirePinned(who, "ref", args.ref);
  for (const [key, src] of [["build", args.build], ["flox", args.flox]] as const) {
    if (!src) continue;
    if (!REPOSITORY.test(src.repository)) {
      throw new Error(`${who}: ${key}.repository ${JSON.stringify(src.repository)} must be a repository without tag or digest, e.g. "ghcr.io/acme/shop"`);
    }
    if (!commitShaSchema.safeParse(src.commit).success) {
      throw new Error(`${who}: ${key}.commit ${JSON.stringify(src.commit)} must be a git commit (7 to 40 lowercase hex digits)`);
    }
    if (!TAG.test(src.stack)) {
      throw new Error(`${who}: ${key}.stack ${JSON.stringify(src.stack)} is not a valid image tag`);
    }
  }
  if (args.flox?.dir !== undefined && !SAFE_PATH.test(args.flox.dir)) {
    throw new Error(`${who}: flox.dir ${JSON.stringify(args.flox.dir)} may only contain letters, digits, "_", ".", "/" and "-"`);
  }
}
