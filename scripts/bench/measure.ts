import type { EngineEvent } from "@pulumi/pulumi/automation";
import { killMarked, type EngineStack } from "../../test/e2e/harness";
import { callsSince, logMark, type Emulators, type TaggedCall } from "../../test/e2e/stacks";

/**
 * One measured engine operation: wall time from the Automation API call to its return (which includes
 * starting the `pulumi` CLI, its plugins, the language host and node), plus when the first events arrived.
 * Event times are taken here as the events reach this process (the Automation API streams them over a local
 * TCP socket), so they are upper bounds on when the engine saw them, by a few ms.
 */
export interface Sample {
  ms: number;
  /** ms from the call to the `pulumi:pulumi:Stack` resource's first event: engine + language host + node + SDK up. */
  stackEventMs?: number;
  /** ms from the call to the first event of any other resource: the program's modules loaded and running. */
  firstResourceMs?: number;
  /** Request-log entries the emulators recorded during the operation. */
  calls: TaggedCall[];
  /** What the operation returned or threw, for the report. */
  outcome: string;
}

export interface OpRun {
  onEvent: (e: EngineEvent) => void;
}

/**
 * Runs `op` with a bound: when it exceeds `timeoutMs` every process of this stack's engine is killed and the
 * bench fails, instead of waiting forever on a hung plugin.
 */
export async function measure(
  s: EngineStack,
  emu: Emulators | undefined,
  timeoutMs: number,
  op: (run: OpRun) => Promise<string>,
  options: { expectFailure?: RegExp } = {},
): Promise<Sample> {
  const mark = emu ? logMark(emu) : undefined;
  const start = performance.now();
  let stackEventMs: number | undefined;
  let firstResourceMs: number | undefined;
  const onEvent = (e: EngineEvent): void => {
    const type = e.resourcePreEvent?.metadata.type;
    if (!type) return;
    const at = performance.now() - start;
    if (type === "pulumi:pulumi:Stack") stackEventMs ??= at;
    else firstResourceMs ??= at;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killMarked(s.marker, "SIGKILL");
      reject(new Error(`operation exceeded ${timeoutMs} ms`));
    }, timeoutMs);
  });
  let outcome: string;
  try {
    outcome = await Promise.race([op({ onEvent }), timeout]);
    if (options.expectFailure) throw new Error(`expected the operation to fail with ${options.expectFailure}, it succeeded`);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!options.expectFailure || !options.expectFailure.test(text)) throw error;
    outcome = `failed as expected (${options.expectFailure.source})`;
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - start;
  return { ms, stackEventMs, firstResourceMs, calls: emu && mark ? callsSince(emu, mark) : [], outcome };
}
