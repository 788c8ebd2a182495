/** The shared emulator framework: one entry point for the Coolify, Fly and GitHub emulators. */
export { EmulatorClock } from "./clock";
export type { Deviations, EmulatorHooks, Reply, RequestIssue, Route, RouteContext, VendorFlavor } from "./http";
export { json } from "./http";
export { startEmulatorServer, type EmulatorServer } from "./server";
export type { Emulator, EmulatorOptions, FaultKind, FaultRule, RequestLogEntry } from "./types";
