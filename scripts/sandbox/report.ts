import { request } from "node:http";
import type { TaggedCall } from "../../test/e2e/stacks";

/** Small pieces the sandbox and the bench share: timing, request-log counts, app probes, text tables. */

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface CallCounts {
  writes: number;
  reads: number;
}

/** Writes (POST/PUT/PATCH/DELETE) and reads (GET/HEAD) per emulator, from the emulators' request logs. */
export function countCalls(calls: readonly TaggedCall[]): Record<TaggedCall["emulator"], CallCounts> {
  const out: Record<TaggedCall["emulator"], CallCounts> = { coolify: { writes: 0, reads: 0 }, fly: { writes: 0, reads: 0 }, github: { writes: 0, reads: 0 } };
  for (const c of calls) {
    if (WRITE_METHODS.has(c.method)) out[c.emulator].writes++;
    else out[c.emulator].reads++;
  }
  return out;
}

export function describeCalls(calls: readonly TaggedCall[]): string {
  const counts = countCalls(calls);
  return (Object.entries(counts) as [string, CallCounts][]).map(([name, c]) => `${name} ${c.writes}w/${c.reads}r`).join(", ");
}

/** Wall-clock time of one step, in ms, measured here (performance.now), never estimated. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface AppAnswer {
  status: number;
  /** The image the answering container/machine runs, as the emulator reports it (header or JSON body). */
  image: string | null;
}

/**
 * GET `urlPath` with `Host: host` on an emulator's origin: what the platform's proxy does for the public URL.
 * Bounded: a request that gets no answer within `timeoutMs` fails instead of hanging the sandbox.
 */
export function probeApp(origin: string, host: string, urlPath: string, timeoutMs = 10_000): Promise<AppAnswer> {
  const target = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: urlPath, method: "GET", headers: { host }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const header = res.headers["x-emulator-image"];
          let image: string | null = typeof header === "string" ? header : null;
          if (image === null) {
            // The Fly emulator's app answers JSON naming the machine's image.
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { image?: unknown };
              if (typeof body.image === "string") image = body.image;
            } catch {
              // not JSON: no image to report
            }
          }
          resolve({ status: res.statusCode ?? 0, image });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${host}${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** `repo@sha256:0123456789ab…`: enough of a digest to tell releases apart in a summary line. */
export function shortImage(ref: string | null | undefined): string {
  if (!ref) return "-";
  const at = ref.indexOf("@sha256:");
  return at === -1 ? ref : `${ref.slice(0, at)}@sha256:${ref.slice(at + 8, at + 20)}…`;
}

/** A plain-text table with aligned columns. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A Markdown table (for docs/BENCHMARKS.md). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
