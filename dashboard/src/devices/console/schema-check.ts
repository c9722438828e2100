import { type OutputUnit, type Schema, Validator } from "@cfworker/json-schema";

/**
 * Command arguments checked against their JSON Schema (draft 2020-12) in the page, by
 * @cfworker/json-schema: it interprets the schema instead of compiling it, as ajv does with
 * `new Function`, which the dashboard's Content-Security-Policy (`script-src 'self'`, no
 * `'unsafe-eval'`) forbids. The hub checks again with ajv and has the last word
 * (`400 TH_API_COMMAND_ARGS_INVALID`). `format` is an annotation, as on the hub.
 */

/** One reason a value does not match: where (`/setpoint`), which keyword, and what is wrong. */
export interface SchemaProblem {
  instancePath: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
  schemaPath: string;
}

type AnySchema = boolean | Record<string, unknown>;

/** Keywords whose unit only says "a part below failed": the part's own unit says what. */
const WRAPPERS = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "prefixItems",
  "contains",
  "$ref",
  "$dynamicRef",
  "allOf",
  "dependentSchemas",
  "unevaluatedProperties",
  "unevaluatedItems",
  "propertyNames",
  "if",
  "then",
  "else",
]);

const validators = new WeakMap<object, Map<object, Validator>>();

/** A validator of `schema`, whose `$ref`s resolve in `root` (rjsf passes sub-schemas with their root). */
function validatorOf(schema: AnySchema, root: AnySchema): Validator {
  const build = () => new Validator(withDefinitionsOf(schema, root) as Schema, "2020-12", false);
  if (typeof schema === "boolean" || typeof root === "boolean") return build();
  const byRoot = validators.get(schema) ?? new Map<object, Validator>();
  validators.set(schema, byRoot);
  const validator = byRoot.get(root) ?? build();
  byRoot.set(root, validator);
  return validator;
}

/** A sub-schema with its root's `$defs`/`definitions`, so `#/$defs/…` references still resolve. */
function withDefinitionsOf(schema: AnySchema, root: AnySchema): AnySchema {
  if (schema === root || typeof schema === "boolean" || typeof root === "boolean") return schema;
  const defs = root.$defs ?? root.definitions;
  if (defs === undefined) return schema;
  return { ...schema, $defs: { ...(root.$defs as object), ...(schema.$defs as object) }, definitions: root.definitions };
}

/** `#/a/b` (a JSON pointer in a URI fragment) as `/a/b`. */
const pointerOf = (location: string) => location.replace(/^#/, "");

function toProblem(unit: OutputUnit): SchemaProblem {
  if (unit.keyword === "false") {
    // A part the schema forbids (`additionalProperties: false`): said of its parent, where the form shows it.
    const path = pointerOf(unit.instanceLocation);
    const cut = path.lastIndexOf("/");
    const name = path
      .slice(cut + 1)
      .replace(/~1/g, "/")
      .replace(/~0/g, "~");
    return {
      instancePath: path.slice(0, cut),
      keyword: "additionalProperties",
      message: `"${name}" is not allowed`,
      params: { additionalProperty: name },
      schemaPath: unit.keywordLocation,
    };
  }
  const missing = unit.keyword === "required" ? /"([^"]*)"/.exec(unit.error)?.[1] : undefined;
  return {
    instancePath: pointerOf(unit.instanceLocation),
    keyword: unit.keyword,
    // In ajv's words, which the form turns into the field's title.
    message: missing === undefined ? unit.error : `must have required property '${missing}'`,
    params: missing === undefined ? {} : { missingProperty: missing },
    schemaPath: unit.keywordLocation,
  };
}

/** Every problem of `value` against `schema` (empty: it matches). */
export function checkAgainstSchema(schema: AnySchema, value: unknown, root: AnySchema = schema): SchemaProblem[] {
  const { valid, errors } = validatorOf(schema, root).validate(value);
  if (valid) return [];
  const leaves = errors.filter((unit) => !WRAPPERS.has(unit.keyword));
  return (leaves.length > 0 ? leaves : errors).map(toProblem);
}
