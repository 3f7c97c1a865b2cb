export { configSchema, type Config } from "./schema.ts";
export { ConfigError, loadConfig, type LoadedConfig, type LoadOptions } from "./load.ts";
