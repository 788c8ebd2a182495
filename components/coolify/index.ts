// The Coolify components the environment composes; providers are loaded lazily by path, never imported here.
export { CoolifyProject, type CoolifyProjectArgs } from "./project";
export { CoolifyApplication, type CoolifyApplicationArgs, type CoolifyHealthCheckArgs, type CoolifyPlacementArgs } from "./application";
export { CoolifyDatabase, type CoolifyDatabaseArgs, type CoolifyDatabaseBackupArgs } from "./database";
export { type CoolifyConnectionArgs } from "./connection";
export { CoolifyVolumeBackup, type CoolifyVolumeBackupArgs } from "./volume-backup";
