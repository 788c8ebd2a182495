// The Fly components, for stacks/environment.ts. Providers are loaded lazily by path and not exported here.
export { FlyApp, type FlyAppArgs } from "./app";
export { FlySecrets, type FlySecretsArgs } from "./secrets";
export { FlyVolume, type FlyVolumeArgs } from "./volume";
export { FlyMachineGroup, type FlyMachineGroupArgs, type FlyServiceArgs, type FlyCheckArgs } from "./machine-group";
export { FlyReleaseCommand, type FlyReleaseCommandArgs } from "./release-command";
export { FlyPostgres, type FlyPostgresArgs } from "./postgres";
export { FlyManagedPostgres, type FlyManagedPostgresArgs, type FlyManagedPostgresPlan } from "./managed-postgres";
export { type FlyConnectionArgs } from "./connection";
export { type DeployStrategy } from "./machine-spec";
