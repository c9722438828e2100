#!/usr/bin/env node
/** `telehub-sim`: the device simulator. One file per command under `commands/`. */
import { Command, CommanderError } from "commander";
import { provisionCommand } from "./commands/provision.js";
import { runCommand } from "./commands/run.js";
import { UsageError } from "./usage-error.js";

const EXAMPLES = `
Examples:
  telehub-sim provision --count 10 --key thk_…          # create sim-1 … sim-10 on http://127.0.0.1:8080
  telehub-sim run --devices 10 --rate 2 --duration 30s  # stream thermostat readings for 30 s
  telehub-sim run --readings 100 --verify --key thk_…   # send 100 readings each, check the hub has them
  telehub-sim run --help                                # every flag, faults included

Docs: docs/simulator.md`;

const program = new Command("telehub-sim")
  .description("Telehub device simulator: provision devices and run fleets through the real device client")
  .version("0.1.0")
  .showHelpAfterError("(add --help for usage)")
  .exitOverride()
  .addHelpText("after", EXAMPLES)
  .addCommand(provisionCommand().exitOverride())
  .addCommand(runCommand().exitOverride());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with code 0; every other parse failure is a usage error (2).
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UsageError) {
    process.stderr.write(`telehub-sim: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`telehub-sim: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
