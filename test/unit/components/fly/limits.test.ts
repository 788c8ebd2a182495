import { describe, expect, it } from "vitest";
import { FLY_REGIONS, guestProblem, imageRefProblem, regionProblem } from "../../../../components/fly/limits";

/** fly-go v0.9.3 machine_types.go MachinePresets: every size Fly sells must pass the guest rules. */
const PRESETS: Array<[string, string, number, number]> = [
  ...[1, 2, 4, 6, 8].map((n): [string, string, number, number] => [`shared-cpu-${n}x`, "shared", n, n * 256]),
  ...[1, 2, 4, 6, 8, 10, 12, 14, 16].map((n): [string, string, number, number] => [`performance-${n}x`, "performance", n, n * 2048]),
  ["a100-40gb", "performance", 8, 16 * 2048],
];

describe("Fly limits", () => {
  it.each(PRESETS)("accepts the %s preset", (_name, cpuKind, cpus, memoryMb) => {
    expect(guestProblem({ cpuKind, cpus, memoryMb })).toBeUndefined();
  });

  it("says what is wrong with a guest in flyctl's words and order", () => {
    expect(guestProblem({ cpuKind: "quantum", cpus: 1, memoryMb: 256 })?.message).toBe("The CPU kind given: quantum, is not valid");
    expect(guestProblem({ cpuKind: "shared", cpus: 3, memoryMb: 768 })?.message).toBe("For the CPU kind shared, 3 CPUs is not valid");
    expect(guestProblem({ cpuKind: "performance", cpus: 1, memoryMb: 2560 })?.message).toBe("2560MiB of memory is not valid");
    expect(guestProblem({ cpuKind: "shared", cpus: 2, memoryMb: 256 })?.message).toBe("For shared VMs with 2 CPUs, 256MiB of memory is too low");
    expect(guestProblem({ cpuKind: "shared", cpus: 2, memoryMb: 4352 })?.message).toBe("For shared VMs with 2 CPUs, 4352MiB of memory is too high");
  });

  it("knows the docs' regions, and names the replacement of a retired one", () => {
    expect(FLY_REGIONS).toHaveLength(18);
    expect(FLY_REGIONS.map(regionProblem).filter(Boolean)).toEqual([]);
    expect(regionProblem("mad")).toBe("region mad was retired into cdg");
    expect(regionProblem("ewrr")).toBe("region ewrr not found");
  });

  it("parses image references as distribution/reference does", () => {
    for (const ok of ["nginx", "nginx:1.27", "registry.fly.io/web:v1", `ghcr.io/acme/shop@sha256:${"a".repeat(64)}`, "localhost:5000/a/b"]) {
      expect(imageRefProblem(ok)).toBeUndefined();
    }
    expect(imageRefProblem("NOT A::valid image@@")).toBe("invalid reference format: repository name must be lowercase");
    expect(imageRefProblem("a:b:c")).toBe("invalid reference format");
    expect(imageRefProblem("")).toBe("invalid reference format");
  });
});
