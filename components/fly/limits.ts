/**
 * What the Fly platform accepts, in one place: slipway's config check (`stacks/`) refuses the same regions,
 * guest sizes and image references that the Fly emulator (`test/emulators/fly/`) refuses, so a typo fails
 * before any API call, and the emulator proves the providers against Fly's limits rather than our guesses.
 * Each rule names the platform source it comes from.
 */

/**
 * The regions machines and volumes can be placed in: the table of superfly/docs reference/regions.html.markerb
 * (@5c22c8ce, 2026-08-07), the same list `fly platform regions` prints (flyctl internal/command/platform/regions.go
 * filters out the deprecated ones).
 */
export const FLY_REGIONS = [
  "ams", "arn", "bom", "cdg", "dfw", "ewr", "fra", "gru", "iad", "jnb", "lax", "lhr", "nrt", "ord", "sin", "sjc", "syd", "yyz",
] as const;
export type FlyRegion = (typeof FLY_REGIONS)[number];

/**
 * Regions Fly retired into a neighbour: flyctl internal/command/launch/plan_builder.go
 * `deprecatedRegionReplacements`. They are not in the docs' list and `fly platform regions` hides them.
 */
export const FLY_RETIRED_REGIONS: Readonly<Record<string, FlyRegion>> = {
  atl: "dfw", den: "dfw", mia: "dfw", gdl: "dfw", qro: "dfw", bos: "ewr", phx: "lax", sea: "sjc", yul: "yyz",
  waw: "ams", mad: "cdg", otp: "fra", bog: "gru", gig: "gru", scl: "gru", eze: "gru", hkg: "sin",
};

export function isFlyRegion(code: string): code is FlyRegion {
  return (FLY_REGIONS as readonly string[]).includes(code);
}

/** The "expected …" phrase of a region check, e.g. `a Fly region (ams, arn, …)`. */
export const FLY_REGION_PHRASE = `a Fly region (${FLY_REGIONS.join(", ")})`;

/** Why `code` is not a region machines can use, or undefined when it is one. */
export function regionProblem(code: string): string | undefined {
  if (isFlyRegion(code)) return undefined;
  const into = FLY_RETIRED_REGIONS[code];
  return into ? `region ${code} was retired into ${into}` : `region ${code} not found`;
}

/** CPU counts per kind: flyctl internal/machine/update.go `cpusPerKind`. */
export const FLY_CPUS_PER_KIND = {
  shared: [1, 2, 4, 6, 8],
  performance: [1, 2, 4, 6, 8, 10, 12, 14, 16, 32, 64, 128],
} as const;
export type FlyCpuKind = keyof typeof FLY_CPUS_PER_KIND;
/** The CPU kinds (the keys of `cpusPerKind`; the sizing docs: "`cpu_kind` can be one of `shared` or `performance`"). */
export const FLY_CPU_KINDS = ["shared", "performance"] as const satisfies readonly FlyCpuKind[];

/**
 * Memory per CPU: fly-go v0.9.3 machine_types.go MIN_/MAX_MEMORY_MB_PER_SHARED_CPU (256/2048) and
 * MIN_/MAX_MEMORY_MB_PER_CPU (2048/8192); the same numbers as superfly/docs machines/guides-examples/machine-sizing.
 */
export const FLY_MEMORY_MB_PER_CPU = {
  shared: { min: 256, max: 2048 },
  performance: { min: 2048, max: 8192 },
} as const satisfies Record<FlyCpuKind, { min: number; max: number }>;

/**
 * Memory increments: flyctl internal/machine/update.go (shared `%256`, performance `%1024`). The sizing docs say
 * 2048 for performance; flyctl's 1024 is the looser of the two, so slipway refuses nothing flyctl would send.
 */
export const FLY_MEMORY_STEP_MB = { shared: 256, performance: 1024 } as const satisfies Record<FlyCpuKind, number>;

export function isFlyCpuKind(kind: string): kind is FlyCpuKind {
  return kind in FLY_CPUS_PER_KIND;
}

export interface GuestSize {
  cpuKind: string;
  cpus: number;
  memoryMb: number;
}

/** One reason a guest size is impossible, with the field it is about and what would be accepted. */
export interface GuestProblem {
  field: "cpuKind" | "cpus" | "memoryMb";
  expected: string;
  /** The sentence flyctl prints for it (InvalidConfigErr.Description in internal/machine/update.go). */
  message: string;
}

/** The first rule of flyctl's machine-update check that the guest breaks, in flyctl's order; undefined if none. */
export function guestProblem(g: GuestSize): GuestProblem | undefined {
  if (!isFlyCpuKind(g.cpuKind)) {
    return { field: "cpuKind", expected: `one of ${FLY_CPU_KINDS.map((k) => JSON.stringify(k)).join(", ")}`, message: `The CPU kind given: ${g.cpuKind}, is not valid` };
  }
  const kind = g.cpuKind;
  const counts: readonly number[] = FLY_CPUS_PER_KIND[kind];
  if (!counts.includes(g.cpus)) {
    return { field: "cpus", expected: `one of ${counts.join(", ")} for ${kind} CPUs`, message: `For the CPU kind ${kind}, ${g.cpus} CPUs is not valid` };
  }
  const step = FLY_MEMORY_STEP_MB[kind];
  if (g.memoryMb % step !== 0) {
    return { field: "memoryMb", expected: `a multiple of ${step} MB for ${kind} CPUs`, message: `${g.memoryMb}MiB of memory is not valid` };
  }
  const min = FLY_MEMORY_MB_PER_CPU[kind].min * g.cpus;
  const max = FLY_MEMORY_MB_PER_CPU[kind].max * g.cpus;
  if (g.memoryMb < min || g.memoryMb > max) {
    const which = g.memoryMb < min ? "low" : "high";
    return {
      field: "memoryMb",
      expected: `${min}–${max} MB for ${g.cpus} ${kind} CPU${g.cpus > 1 ? "s" : ""}`,
      message: `For ${kind} VMs with ${g.cpus} CPUs, ${g.memoryMb}MiB of memory is too ${which}`,
    };
  }
  return undefined;
}

/** Why `ref` is not an image reference Fly's hosts can pull: the one image grammar, components/rules.ts's. */
export { imageRefProblem } from "../rules";
