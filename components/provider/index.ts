/** The provider kit every slipway dynamic provider is built with; see each module for the why. */
export { checkInputs, containsUnknown, parseInputs, UNKNOWN, type CheckFailure, type CheckOutcome } from "./check";
export { AMBIGUOUS_STATUSES, ApiError, createOnce, isAmbiguousFailure, retryAmbiguous, type CreateOnceOptions } from "./create";
export { defineProvider, nameError, withoutUndefined, type ProviderDefinition, type TypedProvider } from "./define";
export { diffFields, forEngine, isEqual, type DiffOptions, type FieldDiffResult, type FieldKind, type Fields, type FieldSpec, type PropertyDiff } from "./diff";
export { DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, formatDuration, pollUntil, sleep, waitSettingsFromEnv, WaitTimeoutError, type PollResult, type WaitSettings } from "./wait";
