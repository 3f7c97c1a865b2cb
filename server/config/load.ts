/**
 * Configuration: a TOML file, then environment overrides named PLENARY_<SECTION>_<KEY>,
 * validated against the schema. This is the only module that reads `process.env`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import { type Config, configSchema } from "./schema.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
  /** One line per problem, each naming the key and where its value came from. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

export type LoadedConfig = Config & {
  /** The file the settings came from, or null when only defaults and environment were used. */
  source: string | null;
  /** data.dir and database.path made absolute. */
  paths: { dataDir: string; database: string };
};

export type LoadOptions = {
  /** Path of the TOML file; else $PLENARY_CONFIG, else ./plenary.toml when it exists. */
  file?: string;
  /** Environment to read overrides from (default process.env). */
  env?: NodeJS.ProcessEnv;
};

const ENV_PREFIX = "PLENARY_";

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const explicit = options.file ?? env.PLENARY_CONFIG;
  const file = explicit ?? "plenary.toml";
  const raw = readToml(file, explicit !== undefined);
  const origins = new Map<string, string>();
  applyEnvOverrides(raw.data, env, origins);
  const parsed = configSchema.safeParse(raw.data);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => describeIssue(issue, origins, raw.source)),
    );
  }
  const config = parsed.data;
  // mediasoup's own variable names the worker binary when the config does not (./plenary exports it).
  if (!config.sfu.worker_bin && env.MEDIASOUP_WORKER_BIN) config.sfu.worker_bin = env.MEDIASOUP_WORKER_BIN;
  const base = raw.source ? path.dirname(path.resolve(raw.source)) : process.cwd();
  const dataDir = path.resolve(base, config.data.dir);
  return {
    ...config,
    source: raw.source,
    paths: { dataDir, database: path.resolve(dataDir, config.database.path) },
  };
}

function readToml(file: string, required: boolean): { data: Record<string, unknown>; source: string | null } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return { data: {}, source: null };
    throw new ConfigError([`${file}: cannot read (${(error as Error).message})`]);
  }
  try {
    return { data: parseToml(text) as Record<string, unknown>, source: file };
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : "";
    const reason = (error as Error).message.split("\n")[0];
    throw new ConfigError([`${file}: not valid TOML${where}: ${reason}`]);
  }
}

/**
 * Overlays PLENARY_<SECTION>_<KEY> variables. The schema says what type each key has, so
 * "8080" becomes a number for http.port but a password of digits stays a string.
 */
function applyEnvOverrides(
  data: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  origins: Map<string, string>,
) {
  for (const [section, sectionSchema] of Object.entries(configSchema.shape)) {
    const keys = objectShape(sectionSchema);
    for (const [key, keySchema] of Object.entries(keys)) {
      const name = `${ENV_PREFIX}${section}_${key}`.toUpperCase();
      const value = env[name];
      if (value === undefined) continue;
      const target = (data[section] ??= {}) as Record<string, unknown>;
      if (typeof target !== "object" || target === null) continue;
      target[key] = coerce(value, keySchema);
      origins.set(`${section}.${key}`, name);
    }
  }
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : {};
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodOptional ||
    current instanceof z.ZodPrefault
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function coerce(value: string, schema: z.ZodType): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodNumber) {
    const n = Number(value);
    return value.trim() === "" || Number.isNaN(n) ? value : n;
  }
  if (inner instanceof z.ZodBoolean) {
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    return value;
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, origins: Map<string, string>, file: string | null): string {
  const key = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const where = key ? `${key}.` : "";
    return `${issue.keys.map((k) => where + k).join(", ")}: unknown setting${issue.keys.length > 1 ? "s" : ""}${file ? ` in ${file}` : ""} (see config.example.toml)`;
  }
  const origin = origins.get(key) ?? (file ? file : "defaults");
  return `${key || "(root)"}: ${issue.message} (from ${origin})`;
}
