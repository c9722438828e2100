import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * The validator of command argument schemas (draft 2020-12). Strict about the schema itself, so a
 * misspelt keyword (`requird`) is refused when the profile is saved instead of checking nothing;
 * `format` is an annotation only (no format library is bundled); nothing is coerced or removed.
 */
function newAjv(): Ajv2020 {
  return new Ajv2020({
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    validateFormats: false,
    addUsedSchema: false,
    logger: false,
  });
}

/** Compile one command's `args` schema; throws ajv's error when it cannot. */
export function compileArgsSchema(schema: Record<string, unknown>): ValidateFunction {
  return newAjv().compile(schema);
}

/** Ajv's first error as one line: `/setpoint must be <= 28`, `must have required property 'seconds'`. */
export function firstArgsError(errors: readonly ErrorObject[] | null | undefined): string {
  const error = errors?.[0];
  if (!error) return "does not match the schema";
  return `${error.instancePath === "" ? "" : `${error.instancePath} `}${error.message ?? "is invalid"}`;
}

/**
 * Compiled argument validators of the current version of each profile: a profile's schemas are
 * compiled once per version, at their first use.
 */
export class CommandArgsValidators {
  private readonly byProfile = new Map<string, { version: number; commands: Map<string, ValidateFunction> }>();

  /** The validator of `command` in this profile version; undefined when the profile gives it no `args` schema. */
  validator(
    profile: { id: string; version: number; commands: readonly { name: string; args?: Record<string, unknown> }[] },
    command: string,
  ): ValidateFunction | undefined {
    let entry = this.byProfile.get(profile.id);
    if (entry?.version !== profile.version) {
      entry = { version: profile.version, commands: new Map() };
      this.byProfile.set(profile.id, entry);
    }
    const cached = entry.commands.get(command);
    if (cached) return cached;
    const schema = profile.commands.find((c) => c.name === command)?.args;
    if (schema === undefined) return undefined;
    const validate = compileArgsSchema(schema);
    entry.commands.set(command, validate);
    return validate;
  }

  /** Forget a deleted profile's validators. */
  forget(profileId: string): void {
    this.byProfile.delete(profileId);
  }
}
