import { Command, Option } from "commander";
import { writeCredentials } from "../credentials-file.js";
import { defaultCredentialsPath } from "../credentials-path.js";
import { provisionDevices } from "../hub-api.js";
import { apiBase, hubUrl, positiveInteger } from "../option-parsers.js";
import { plural } from "../output/format.js";
import { UsageError } from "../usage-error.js";

interface ProvisionFlags {
  count: number;
  prefix: string;
  hub: string;
  key?: string;
  out: string;
  force?: boolean;
}

const EXAMPLES = `
Examples:
  # 100 devices sim-1 … sim-100 on a local hub, credentials in ~/.config/telehub/sim-credentials.json
  telehub-sim provision --count 100 --key thk_…

  # on another hub, another prefix and file
  TELEHUB_API_KEY=thk_… telehub-sim provision --count 5000 --prefix load- --hub https://hub.example.com --out load.json

The file holds device tokens (mode 0600): keep it private.`;

/** `telehub-sim provision`: create devices through the hub's API and save their credentials. */
export function provisionCommand(): Command {
  return new Command("provision")
    .description("Create simulated devices through the hub's HTTP API and write their credentials file")
    .requiredOption("--count <n>", "devices to create", positiveInteger)
    .option("--prefix <prefix>", "device id prefix: <prefix>1, <prefix>2 …", "sim-")
    .option("--hub <url>", "hub URL", hubUrl, "http://127.0.0.1:8080")
    .addOption(new Option("--key <key>", "API key with the operator or admin role").env("TELEHUB_API_KEY"))
    .option("--out <file>", "credentials file to write (mode 0600)", defaultCredentialsPath())
    .option("--force", "overwrite an existing credentials file")
    .showHelpAfterError(`(telehub-sim provision --help lists every flag)`)
    .addHelpText("after", EXAMPLES)
    .action(async (flags: ProvisionFlags) => {
      if (!flags.key) throw new UsageError("--key: an API key is required (or TELEHUB_API_KEY)");
      if (!/^[A-Za-z0-9._:-]*$/.test(flags.prefix)) throw new UsageError("--prefix takes letters, digits and . _ : - only");
      // Check before creating anything, so a refused file does not leave orphan devices.
      writeCredentials(flags.out, { hub: flags.hub, createdAt: new Date().toISOString(), devices: [] }, flags.force === true);
      const devices = await provisionDevices(apiBase(flags.hub), flags.key, flags.prefix, flags.count);
      writeCredentials(flags.out, { hub: flags.hub, createdAt: new Date().toISOString(), devices }, true);
      process.stdout.write(
        `created ${plural(devices.length, "device")} (${flags.prefix}1 … ${flags.prefix}${devices.length}); credentials in ${flags.out}\n`,
      );
    });
}
