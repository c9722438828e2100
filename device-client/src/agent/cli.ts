/** `telehub-agent`: the Raspberry Pi agent's command line (see `docs/raspberry-pi.md`). */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { type AgentConfig, DEFAULT_CONFIG_FILE, loadAgentConfig, parseAgentConfig } from "./agent-config.js";
import { STDERR_LOG } from "./agent-log.js";
import { AGENT_VERSION } from "./attributes.js";
import { CollectRound } from "./collect-round.js";
import { buildCollectors } from "./collectors/build-collectors.js";
import { AgentConfigError } from "./config-error.js";
import { TelehubAgent } from "./telehub-agent.js";
import { warnIfTokenExposed } from "./token-file-mode.js";

const HELP = `Usage: telehub-agent [options]

Collects this machine's metrics (CPU temperature, load, memory, disk, network counters,
uptime and your own collectors) every interval and streams them to a Telehub hub. Readings
wait in a file while the hub is unreachable. Answers the commands ping, set_interval,
run_script and reboot (only with "allowReboot": true).

Options:
  -c, --config FILE   configuration file (default ${DEFAULT_CONFIG_FILE})
      --once          collect one round, print it as JSON and exit; contacts no hub, so
                      hub, deviceId and token may be missing (checks your collectors)
      --print-config  print the configuration with every default filled in (token hidden)
  -v, --version       print the version
  -h, --help          print this help

Examples:
  telehub-agent --once                                  # what would be sent, with the defaults
  telehub-agent --config ./agent.json --print-config    # check a configuration file
  sudo systemctl enable --now telehub-agent             # run as a service (see the docs)

Minimal configuration file:
  { "hub": "wss://hub.example:8443", "deviceId": "pi-1", "tokenFile": "/etc/telehub/token" }

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 the hub refused the device for good or an error,
2 a bad command line or configuration file.
Docs: docs/raspberry-pi.md`;

/** Run the command line; resolves to the exit code (the agent itself runs until a signal). */
export async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    process.stderr.write(`telehub-agent: ${(error as Error).message}\n(add --help for usage)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  try {
    if (values.once) return await once(values.config);
    const config = loadAgentConfig(values.config ?? DEFAULT_CONFIG_FILE);
    warnIfTokenExposed(config, STDERR_LOG);
    if (values["print-config"]) {
      process.stdout.write(`${JSON.stringify(printable(config), null, 2)}\n`);
      return 0;
    }
    return await run(config);
  } catch (error) {
    process.stderr.write(`telehub-agent: ${(error as Error).message}\n`);
    return error instanceof AgentConfigError ? 2 : 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      config: { type: "string", short: "c" },
      once: { type: "boolean" },
      "print-config": { type: "boolean" },
      version: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** `--once`: the default file is optional here; one named with --config is not. */
async function once(file: string | undefined): Promise<number> {
  const config =
    file === undefined && !existsSync(DEFAULT_CONFIG_FILE)
      ? parseAgentConfig({}, "(built-in defaults)", { collectOnly: true })
      : loadAgentConfig(file ?? DEFAULT_CONFIG_FILE, { collectOnly: true });
  const metrics = await new CollectRound(await buildCollectors(config, STDERR_LOG), STDERR_LOG).collect();
  process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
  return 0;
}

async function run(config: AgentConfig): Promise<number> {
  const agent = await TelehubAgent.start(config);
  return new Promise((resolve) => {
    let exitCode = 0;
    const stop = (why: string): void => {
      STDERR_LOG.info(`${why}: flushing and stopping`);
      process.removeAllListeners("SIGTERM");
      process.removeAllListeners("SIGINT");
      // A second signal while flushing ends the process at once; the buffer file is already safe.
      process.once("SIGTERM", () => process.exit(exitCode || 143));
      process.once("SIGINT", () => process.exit(exitCode || 130));
      void agent.stop().then(() => resolve(exitCode));
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    agent.once("fatal", () => {
      exitCode = 1;
      stop("the hub refused this device");
    });
  });
}

/** The configuration as `--print-config` shows it: the token is never printed. */
function printable(config: AgentConfig): Record<string, unknown> {
  const { token: _token, tokenSource, file: _file, ...rest } = config;
  return {
    ...rest,
    caFile: config.caFile ?? null,
    token: tokenSource === "token" ? "(set in the file, hidden)" : `(read from ${tokenSource})`,
  };
}

process.exitCode = await main(process.argv.slice(2));
