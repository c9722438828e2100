import { Command, Option } from "commander";
import { readCredentials } from "../credentials-file.js";
import { defaultCredentialsPath } from "../credentials-path.js";
import { apiBase, duration, hubUrl, nonNegativeInteger, positiveDuration, positiveInteger, positiveNumber } from "../option-parsers.js";
import { plural } from "../output/format.js";
import { LiveView } from "../output/live-view.js";
import { summaryJson, summaryText } from "../output/summary.js";
import { BUILT_IN_PROFILES, resolveProfile } from "../profiles/index.js";
import type { TransportChoice } from "../run/simulated-device.js";
import { runSimulation } from "../run/simulation.js";
import { verifyStored } from "../run/verify.js";
import { UsageError } from "../usage-error.js";

interface RunFlags {
  hub?: string;
  creds: string;
  devices?: number;
  rate: number;
  batch: number;
  duration?: number;
  readings?: number;
  profile: string;
  seed: number;
  ramp?: number;
  disconnectEvery?: number;
  killEvery?: number;
  malformedEvery?: number;
  burstEvery?: number;
  burstSize: number;
  clockSkew: number;
  slowAcks: number;
  verify?: boolean;
  key?: string;
  json?: boolean;
  interval?: number;
  drainTimeout: number;
  transport: TransportChoice;
}

const EXAMPLES = `
Examples:
  # 10 thermostats, one reading a second each, for a minute
  telehub-sim run --devices 10 --rate 1 --duration 60s

  # 100 energy meters send 500 readings each in batches of 50, then check the hub stored them all
  TELEHUB_API_KEY=thk_… telehub-sim run --devices 100 --rate 20 --batch 50 --readings 500 --profile energy-meter --verify

  # a storm-free fleet of 5,000 with faults: a socket reset every 2 s, clocks up to 90 s off
  telehub-sim run --devices 5000 --ramp 200 --kill-every 2s --clock-skew 90s --duration 5m

  # a custom profile (see docs/simulator.md)
  telehub-sim run --profile ./greenhouse.yaml --duration 10m

Exit codes: 0 done (and verified), 1 acknowledged readings missing or devices stopped by the hub, 2 bad arguments.`;

/** `telehub-sim run`: drive a fleet of real device clients against a hub. */
export function runCommand(): Command {
  return new Command("run")
    .description("Simulate a fleet of devices sending telemetry through the real Telehub device client")
    .option("--hub <url>", "hub URL (default: the one in the credentials file)", hubUrl)
    .option("--creds <file>", "credentials file written by `provision`", defaultCredentialsPath())
    .option("--devices <n>", "devices to simulate (default: every device in the credentials file)", positiveInteger)
    .option("--rate <hz>", "readings per second per device", positiveNumber, 1)
    .option("--batch <k>", "readings per batch", positiveInteger, 10)
    .addOption(new Option("--duration <time>", "send for this long (default 60s)").argParser(positiveDuration).conflicts("readings"))
    .option("--readings <count>", "instead of --duration: each device sends this many readings, then the run ends", positiveInteger)
    .option("--profile <name|file>", `built-in profile (${Object.keys(BUILT_IN_PROFILES).join(", ")}) or a JSON/YAML file`, "thermostat")
    .addOption(
      new Option(
        "--transport <ws|http|auto>",
        "how devices reach the hub: WebSocket, HTTP with long polling, or WebSocket falling back to HTTP",
      )
        .choices(["ws", "http", "auto"])
        .default("ws"),
    )
    .option("--seed <n>", "random seed: the same seed gives the same signals and faults", nonNegativeInteger, 1)
    .option("--ramp <devices/s>", "connect this many devices per second instead of all at once", positiveNumber)
    .option("--disconnect-every <time>", "fault: every <time> a random connected device closes its TCP connection", positiveDuration)
    .option(
      "--kill-every <time>",
      "fault: every <time> a random connected device's connection is reset (in-flight data lost)",
      positiveDuration,
    )
    .option("--malformed-every <time>", "fault: every <time> a random connected device sends a frame that is not CBOR", positiveDuration)
    .option("--burst-every <time>", "fault: every <time> a random device sends its next --burst-size readings at once", positiveDuration)
    .option("--burst-size <n>", "readings per burst", positiveInteger, 100)
    .option("--clock-skew <time>", "fault: each device's clock is off by up to ± <time>", duration, 0)
    .option("--slow-acks <time>", "fault: devices handle acks and pings from the hub <time> late", duration, 0)
    .option("--verify", "afterwards, ask the hub what it stored: report lost and duplicated readings (needs --key)")
    .addOption(new Option("--key <key>", "API key for --verify").env("TELEHUB_API_KEY"))
    .option("--json", "print the summary as JSON (live output goes to stderr)")
    .option("--interval <time>", "live output period (default 1s on a terminal, 5s otherwise)", positiveDuration)
    .option("--drain-timeout <time>", "how long to wait for outstanding acks after sending stops", positiveDuration, 30_000)
    .showHelpAfterError(`(telehub-sim run --help lists every flag)`)
    .addHelpText("after", EXAMPLES)
    .action(async (flags: RunFlags) => {
      process.exitCode = await run(flags);
    });
}

async function run(flags: RunFlags): Promise<number> {
  const socketFaults = [
    flags.disconnectEvery && "--disconnect-every",
    flags.killEvery && "--kill-every",
    flags.malformedEvery && "--malformed-every",
    flags.slowAcks && "--slow-acks",
  ].filter(Boolean);
  if (flags.transport === "http" && socketFaults.length > 0) {
    throw new UsageError(
      `${socketFaults.join(", ")}: these faults act on the WebSocket's connection; with --transport http there is none (use ws or auto)`,
    );
  }
  const file = readCredentials(flags.creds);
  const hub = flags.hub ?? file.hub;
  if (!hub) throw new UsageError("--hub: no hub URL given and none in the credentials file");
  if (flags.verify && !flags.key) throw new UsageError("--verify needs an API key: --key thk_… or TELEHUB_API_KEY");
  if (flags.devices !== undefined && flags.devices > file.devices.length) {
    throw new UsageError(`--devices ${flags.devices}: ${flags.creds} holds only ${file.devices.length} devices (provision more)`);
  }
  const profile = resolveProfile(flags.profile);
  const credentials = file.devices.slice(0, flags.devices ?? file.devices.length);
  const durationMs = flags.readings === undefined ? (flags.duration ?? 60_000) : undefined;
  const isTTY = process.stderr.isTTY === true;
  const view = new LiveView(
    {
      write: (text) => process.stderr.write(text),
      isTTY,
      get columns() {
        return process.stderr.columns;
      },
    },
    flags.readings === undefined ? undefined : flags.readings * credentials.length,
  );
  const plan = {
    transport: flags.transport,
    rate: flags.rate,
    batch: flags.batch,
    durationMs,
    readingsPerDevice: flags.readings,
    seed: flags.seed,
    rampPerSecond: flags.ramp,
    faults: {
      disconnectEveryMs: flags.disconnectEvery,
      killEveryMs: flags.killEvery,
      malformedEveryMs: flags.malformedEvery,
      burstEveryMs: flags.burstEvery,
      burstSize: flags.burstSize,
      clockSkewMs: flags.clockSkew,
      slowAckMs: flags.slowAcks,
    },
  };
  const outcome = await runSimulation({
    ...plan,
    hubUrl: hub,
    credentials,
    profile,
    numbered: flags.verify === true,
    drainTimeoutMs: flags.drainTimeout,
    onTick: (snapshot) => view.update(snapshot),
    tickMs: flags.interval ?? (isTTY ? 1_000 : 5_000),
  });
  view.end();
  const verification = flags.verify
    ? await verifyStored({
        hubUrl: apiBase(hub),
        apiKey: flags.key as string,
        sentByDevice: outcome.sentByDevice,
        acknowledgedByDevice: outcome.acknowledgedByDevice,
        droppedByDevice: outcome.droppedByDevice,
        from: outcome.startedAtWallMs - flags.clockSkew - 60_000,
        to: Date.now() + flags.clockSkew + 60_000,
      })
    : undefined;
  const over = flags.transport === "ws" ? "" : `, transport ${flags.transport}`;
  const title = `telehub-sim run: ${credentials.length} × ${profile.name}, ${plural(flags.rate, "reading")}/s each, batches of ${flags.batch}${over}`;
  process.stdout.write(
    flags.json
      ? summaryJson({ hub, devices: credentials.length, profile: profile.name, ...plan }, outcome, verification)
      : summaryText(title, outcome, verification, flags.ramp !== undefined),
  );
  const lost = (verification?.lostAcknowledged ?? 0) > 0;
  return lost || outcome.errors.size > 0 ? 1 : 0;
}
