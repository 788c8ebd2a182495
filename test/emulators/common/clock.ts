/**
 * Emulated time. It runs `timeScale` times faster than real time, and tests can jump it forward with
 * `advance(ms)`, so multi-second vendor transitions (a deployment, a machine start) take milliseconds.
 * Tasks are scheduled in emulated milliseconds; one unref'd real timer wakes up for the earliest one.
 */
export class EmulatorClock {
  private readonly realStart = Date.now();
  private readonly emulatedStart = Date.now();
  private offset = 0;
  private tasks: { due: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly timeScale: number = 20) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be positive, got ${timeScale}`);
  }

  /** While a task runs, time reads as its due time, so the steps it schedules are relative to it. */
  private pinned: number | undefined;

  /** Emulated epoch milliseconds. */
  now(): number {
    return this.pinned ?? this.emulatedStart + (Date.now() - this.realStart) * this.timeScale + this.offset;
  }

  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  /** Runs `run` once `delayMs` emulated milliseconds have passed. */
  schedule(delayMs: number, run: () => void): void {
    if (this.closed) return;
    this.tasks.push({ due: this.now() + Math.max(0, delayMs), seq: this.seq++, run });
    this.tasks.sort((a, b) => a.due - b.due || a.seq - b.seq);
    this.arm();
  }

  /** Moves emulated time forward and runs every task that falls due, in order. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`advance needs a finite ms >= 0, got ${ms}`);
    this.runDue(this.now() + ms);
    this.arm();
  }

  /** Runs what is due now; the server calls this before every request so state is never stale. */
  runDue(until?: number): void {
    const target = until ?? this.now();
    // Tasks run in due order, each at its own due time: a step scheduled by an earlier task that also falls
    // before `target` runs in the same call. Bounded so a task rescheduling itself at 0 ms cannot spin forever.
    for (let i = 0; i < 100_000; i++) {
      const next = this.tasks[0];
      if (!next || next.due > target) break;
      this.tasks.shift();
      this.pinned = next.due;
      try {
        next.run();
      } catch (err) {
        // A failing transition is an emulator bug; surface it without killing the server.
        console.error("[emulator clock] task failed:", err);
      } finally {
        this.pinned = undefined;
      }
    }
    const behind = target - this.now();
    if (behind > 0) this.offset += behind;
    this.arm();
  }

  /** Drops all pending tasks (reset). */
  clear(): void {
    this.tasks = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.tasks[0];
    if (!next || this.closed) return;
    const realDelay = Math.max(0, Math.ceil((next.due - this.now()) / this.timeScale));
    // Capped so a far-future task does not overflow setTimeout's 32-bit limit.
    this.timer = setTimeout(() => this.runDue(), Math.min(realDelay, 2 ** 31 - 1));
    this.timer.unref();
  }
}
