/**
 * `npm run bench`: measures slipway on the real offline engine against the local emulators and prints a table;
 * writes the same numbers to docs/BENCHMARKS.md (BENCH_NO_WRITE=1 skips that). Not a test: `npm test` never
 * runs it. BENCH_REPS (default 5) is the number of interleaved rounds of no-op previews; BENCH_TIMEOUT_MS bounds
 * the whole run (default 30 min), BENCH_OP_TIMEOUT_MS each engine operation (default 5 min). It exits 0 when
 * every goal is met, 3 when one is missed (the numbers are printed and written either way).
 */

async function bench(): Promise<number> {
  const { writeFileSync } = await import("node:fs");
  const path = await import("node:path");
  const { engineManifest, repoRoot } = await import("./engine");
  const { runBench } = await import("./bench/run");
  const { benchmarksDoc, machine, printable, verdicts } = await import("./bench/doc");

  const positive = (name: string, fallback: number): number => {
    const n = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
    return n;
  };
  const settings = { reps: positive("BENCH_REPS", 5), opTimeoutMs: positive("BENCH_OP_TIMEOUT_MS", 300_000) };
  const m = machine(engineManifest());
  console.log(`slipway bench — real engine (${m.engine}) against LOCAL EMULATORS; ${m.cores} cores, load ${m.loadBefore.join("/")}`);
  const started = performance.now();
  {
    const results = await runBench({ ...settings, progress: (l) => console.log(`… ${l} (${((performance.now() - started) / 1000).toFixed(0)} s)`) });
    const elapsed = (performance.now() - started) / 1000;
    console.log(`\n${printable(results)}\n`);
    if (process.env.BENCH_NO_WRITE !== "1") {
      const file = path.join(repoRoot, "docs/BENCHMARKS.md");
      writeFileSync(file, benchmarksDoc(results, m, settings, elapsed));
      console.log(`wrote ${path.relative(repoRoot, file)}`);
    }
    console.log(`bench finished in ${elapsed.toFixed(0)} s`);
    return verdicts(results).every((v) => v.met) ? 0 : 3;
  }
}

const limitMs = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);
const watchdog = setTimeout(() => {
  console.error(`bench: did not finish within ${limitMs} ms (BENCH_TIMEOUT_MS)`);
  process.exit(2);
}, limitMs);
bench().then(
  (code) => {
    clearTimeout(watchdog);
    process.exit(code);
  },
  (error: unknown) => {
    clearTimeout(watchdog);
    console.error(`bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
