import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Emulator } from "./types";

export interface EmulatorFixture<E extends Emulator, C> {
  /** The running emulator, from the first `beforeAll` on. */
  readonly emu: E;
  /** A provider's connection to it. */
  readonly connection: C;
}

/**
 * One emulator for the enclosing file or `describe`: started before its tests and closed after them. After each test
 * every answer it gave must have matched the vendor's spec (violations survive a reset, so none goes unseen), and
 * its state is reset, so each test starts from an empty platform.
 */
export function useEmulator<E extends Emulator, C>(start: () => Promise<E>, connectionOf: (emu: E) => C): EmulatorFixture<E, C> {
  let started: { emu: E; connection: C } | undefined;
  const running = () => {
    if (!started) throw new Error("the emulator is used before its beforeAll ran");
    return started;
  };
  beforeAll(async () => {
    const emu = await start();
    started = { emu, connection: connectionOf(emu) };
  });
  afterAll(() => started?.emu.close());
  afterEach(() => {
    expect(running().emu.responseViolations).toEqual([]);
    running().emu.reset();
  });
  return {
    get emu() {
      return running().emu;
    },
    get connection() {
      return running().connection;
    },
  };
}
