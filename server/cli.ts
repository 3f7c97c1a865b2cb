/**
 * The `plenary` command. Run it through ./plenary on a fresh machine (which brings Node 24
 * and the packages first), or directly with Node >= 24: `node server/cli.ts <command>`.
 */
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import type { Kysely } from "kysely";
import { SigningKeys } from "./accounts/keys.ts";
import { BackupError, createBackup, defaultBackupDir, restoreBackup } from "./backup/backup.ts";
import { DataDirBusyError, lockDataDir } from "./backup/lock.ts";
import { newUserSchema, createUser, publicUser } from "./accounts/users.ts";
import { ConfigError, type LoadedConfig, loadConfig } from "./config/index.ts";
import { DatabaseDamagedError } from "./db/integrity.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { openSqlite } from "./db/sqlite.ts";
import { AppError } from "./errors.ts";
import { createLogger } from "./log.ts";
import { preflight, StartupError } from "./preflight.ts";

const USAGE = `Usage: plenary <command> [options]

Commands:
  start                     start the server (default)
  migrate                   apply pending database migrations and exit
  create-admin --email E    create an admin account (password read from stdin, or prompted)
               [--name N]
  config check              validate the configuration and print the result
  keys rotate               add a new token signing key (used from the next start; old keys still verify)
  backup [--to DIR]         online backup of the database and signing keys, with a manifest
                            (default DIR: <data dir>/backups/<timestamp>)
  demo                      fill a fresh install with a sample organization, a live event,
                            speakers, ticket types and attendees (refused if real data exists)
  restore --from DIR        put a backup in place (the server must be stopped; the current
                            database and keys are kept aside, renamed with a timestamp)
  help                      show this text

Options:
  --config FILE             TOML configuration file (default: $PLENARY_CONFIG, else ./plenary.toml)
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      email: { type: "string" },
      name: { type: "string" },
      to: { type: "string" },
      from: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command = "start", sub] = positionals;
  if (values.help || command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig({ file: values.config });
  switch (command) {
    case "start":
      return start(config);
    case "migrate":
      return migrate(config);
    case "create-admin":
      return createAdmin(config, values.email, values.name);
    case "backup":
      return backup(config, values.to);
    case "restore":
      return restore(config, values.from);
    case "demo":
      // Loaded on demand, like start: the other commands stay quick.
      return (await import("./demo/command.ts")).demoCommand(config);
    case "keys":
      if (sub !== "rotate") break;
      process.stdout.write(`new signing key ${await SigningKeys.rotate(path.join(config.paths.dataDir, "keys"))}; restart Plenary to sign with it\n`);
      return 0;
    case "config":
      if (sub !== "check") break;
      process.stdout.write(`configuration ok (${config.source ?? "defaults and environment"})\n${JSON.stringify(config, redactSecrets, 2)}\n`);
      return 0;
  }
  process.stderr.write(`plenary: unknown command "${positionals.join(" ")}"\n\n${USAGE}`);
  return 2;
}

async function start(config: LoadedConfig): Promise<number> {
  const log = createLogger(config.log.level);
  // A busy port or an unwritable data folder: one line and exit 78, before anything starts.
  await preflight(config);
  // Held until the process ends (the OS drops it even on a crash): restore refuses while it is held.
  lockDataDir(config.paths.dataDir, "start");
  // Loaded here, not at the top: the other commands stay quick without the HTTP, media and mail stacks.
  const { startServer } = await import("./server.ts");
  const server = await startServer(config, log);
  log.info({ url: server.url, setupUrl: server.setupUrl ?? undefined, config: config.source }, "plenary listening");
  process.stderr.write(`\nPlenary is running at ${server.url}\n`);
  if (server.setupUrl) process.stderr.write(`First run: open ${server.setupUrl} to create the admin account.\n`);
  process.stderr.write("\n");

  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, "signal received");
      const deadline = setTimeout(() => {
        log.error({ graceMs: config.shutdown.grace_ms }, "shutdown grace period over: exiting");
        process.exit(1);
      }, config.shutdown.grace_ms).unref();
      server.close().then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        (error) => {
          log.error({ err: error }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

function backup(config: LoadedConfig, to: string | undefined): number {
  const target = path.resolve(to ?? defaultBackupDir(config.paths));
  try {
    const manifest = createBackup(config.paths, target);
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    process.stdout.write(`backup written to ${target}: ${manifest.files.length} files, ${bytes} bytes, ${manifest.database.migrations.length} migrations, integrity ok\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    process.stderr.write(`plenary backup: ${error.message}\n`);
    return 1;
  }
}

function restore(config: LoadedConfig, from: string | undefined): number {
  if (!from) {
    process.stderr.write("plenary restore: --from DIR is required\n");
    return 2;
  }
  try {
    const { manifest, setAside } = restoreBackup(config.paths, path.resolve(from));
    process.stdout.write(`restored the backup of ${manifest.createdAt} into ${config.paths.dataDir}\n`);
    for (const file of setAside) process.stdout.write(`kept the previous ${path.basename(file)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError || error instanceof DataDirBusyError)) throw error;
    process.stderr.write(`plenary restore: ${error.message}; nothing was changed\n`);
    return 1;
  }
}

async function migrate(config: LoadedConfig): Promise<number> {
  const db = openSqlite({ file: config.paths.database, busyTimeoutMs: config.database.busy_timeout_ms });
  try {
    const applied = await migrateToLatest(db as Kysely<unknown>);
    process.stdout.write(
      applied.length === 0
        ? `database ${config.paths.database} is up to date\n`
        : applied.map((m) => `applied ${m.migrationName}\n`).join(""),
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

async function createAdmin(config: LoadedConfig, email: string | undefined, name: string | undefined): Promise<number> {
  if (!email) {
    process.stderr.write("plenary create-admin: --email is required\n");
    return 2;
  }
  const password = await readPassword();
  const parsed = newUserSchema.safeParse({ email, displayName: name ?? email.split("@")[0], password });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`plenary create-admin: ${issue.path.join(".")}: ${issue.message}\n`);
    return 2;
  }
  const db = openSqlite({ file: config.paths.database, busyTimeoutMs: config.database.busy_timeout_ms });
  try {
    await migrateToLatest(db as Kysely<unknown>);
    const user = await createUser(db, parsed.data, "admin", { emailVerified: true });
    process.stdout.write(`created admin ${JSON.stringify(publicUser(user))}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`plenary create-admin: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

/** Keeps passwords and client secrets out of `config check` output (it ends up in tickets and chats). */
function redactSecrets(key: string, value: unknown): unknown {
  return /password|secret/.test(key) && typeof value === "string" && value !== "" ? "<redacted>" : value;
}

/** From a pipe: the first line. From a terminal: asked for, without echo. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0] ?? "";
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write("Password (at least 10 characters): ");
  muted._writeToOutput = () => {};
  const password = await rl.question("");
  rl.close();
  process.stderr.write("\n");
  return password;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof DataDirBusyError) {
      process.stderr.write(`plenary: ${error.message}\n`);
      process.exit(1);
    }
    // 78 (EX_CONFIG), like a configuration error: a supervisor should not restart into the same damaged file or held port.
    if (error instanceof ConfigError || error instanceof StartupError || error instanceof DatabaseDamagedError) {
      process.stderr.write(`plenary: ${error.message}\n`);
      process.exit(78);
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`plenary: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`plenary: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
