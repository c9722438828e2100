/**
 * A JSON Schema (draft 2020-12) checker that interprets the schema instead of compiling it: ajv
 * compiles schemas to code with `new Function`, which the dashboard's Content-Security-Policy
 * (`script-src 'self'`, no `'unsafe-eval'`) forbids. It knows the keywords argument schemas use
 * (listed in docs/dashboard.md, "Command console"); any other keyword is not checked here, and
 * the hub, which validates with ajv, refuses what it must (`400 TH_API_COMMAND_ARGS_INVALID`).
 * Messages are ajv's, so the page says what the hub would. `format` is an annotation, as on the hub.
 */

/** One reason a value does not match: where (`/setpoint`), which keyword, and ajv's message. */
export interface SchemaProblem {
  instancePath: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
  schemaPath: string;
}

type Schema = boolean | Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

/** JSON equality (objects by keys, whatever their order). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && equal(a[key], b[key]));
  }
  return false;
}

/** The schema a local `$ref` (`#/$defs/name`, `#/properties/x`) points at in the root schema. */
function resolveRef(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return typeof node === "boolean" || isObject(node) ? node : undefined;
}

const num = (value: unknown): value is number => typeof value === "number";

/** The pattern as a regular expression; undefined when this browser cannot read it (the hub decides). */
function patternOf(source: string): RegExp | undefined {
  try {
    return new RegExp(source, "u");
  } catch {
    return undefined;
  }
}

class Checker {
  readonly problems: SchemaProblem[] = [];

  constructor(private readonly root: Schema) {}

  private fail(instancePath: string, schemaPath: string, keyword: string, message: string, params: Record<string, unknown> = {}): void {
    this.problems.push({ instancePath, keyword, message, params, schemaPath: `${schemaPath}/${keyword}` });
  }

  /** Does `value` match `schema`? Each mismatch is recorded in `problems`. */
  check(schema: Schema, value: unknown, path: string, schemaPath: string): boolean {
    const before = this.problems.length;
    if (schema === false) this.fail(path, schemaPath, "false schema", "boolean schema is false");
    if (typeof schema === "boolean") return this.problems.length === before;
    if (typeof schema.$ref === "string") {
      const target = resolveRef(schema.$ref, this.root);
      if (target !== undefined) this.check(target, value, path, schema.$ref);
    }
    this.checkGeneric(schema, value, path, schemaPath);
    if (num(value)) this.checkNumber(schema, value, path, schemaPath);
    if (typeof value === "string") this.checkString(schema, value, path, schemaPath);
    if (Array.isArray(value)) this.checkArray(schema, value, path, schemaPath);
    if (isObject(value)) this.checkObject(schema, value, path, schemaPath);
    this.checkCombinations(schema, value, path, schemaPath);
    return this.problems.length === before;
  }

  /** Whether `value` matches, leaving no problem behind. */
  private matches(schema: Schema, value: unknown, path: string, schemaPath: string): boolean {
    const before = this.problems.length;
    const ok = this.check(schema, value, path, schemaPath);
    this.problems.length = before;
    return ok;
  }

  private checkGeneric(schema: Record<string, unknown>, value: unknown, path: string, at: string): void {
    const { type } = schema;
    const types = typeof type === "string" ? [type] : Array.isArray(type) ? type.filter((t) => typeof t === "string") : [];
    if (types.length > 0 && !types.some((t) => typeMatches(t, value))) this.fail(path, at, "type", `must be ${types.join(",")}`, { type });
    if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => equal(allowed, value)))
      this.fail(path, at, "enum", "must be equal to one of the allowed values", { allowedValues: schema.enum });
    if ("const" in schema && !equal(schema.const, value))
      this.fail(path, at, "const", "must be equal to constant", { allowedValue: schema.const });
  }

  private checkNumber(schema: Record<string, unknown>, value: number, path: string, at: string): void {
    const bounds = [
      ["maximum", "<=", (limit: number) => value <= limit],
      ["minimum", ">=", (limit: number) => value >= limit],
      ["exclusiveMaximum", "<", (limit: number) => value < limit],
      ["exclusiveMinimum", ">", (limit: number) => value > limit],
    ] as const;
    for (const [keyword, comparison, holds] of bounds) {
      const limit = schema[keyword];
      if (num(limit) && !holds(limit)) this.fail(path, at, keyword, `must be ${comparison} ${limit}`, { comparison, limit });
    }
    const { multipleOf } = schema;
    if (num(multipleOf) && multipleOf > 0) {
      const quotient = value / multipleOf;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-8)
        this.fail(path, at, "multipleOf", `must be multiple of ${multipleOf}`, { multipleOf });
    }
  }

  private checkString(schema: Record<string, unknown>, value: string, path: string, at: string): void {
    const length = [...value].length;
    if (num(schema.maxLength) && length > schema.maxLength)
      this.fail(path, at, "maxLength", `must NOT have more than ${schema.maxLength} characters`, { limit: schema.maxLength });
    if (num(schema.minLength) && length < schema.minLength)
      this.fail(path, at, "minLength", `must NOT have fewer than ${schema.minLength} characters`, { limit: schema.minLength });
    if (typeof schema.pattern === "string") {
      const pattern = patternOf(schema.pattern);
      if (pattern && !pattern.test(value))
        this.fail(path, at, "pattern", `must match pattern "${schema.pattern}"`, { pattern: schema.pattern });
    }
  }

  private checkArray(schema: Record<string, unknown>, value: unknown[], path: string, at: string): void {
    if (num(schema.maxItems) && value.length > schema.maxItems)
      this.fail(path, at, "maxItems", `must NOT have more than ${schema.maxItems} items`, { limit: schema.maxItems });
    if (num(schema.minItems) && value.length < schema.minItems)
      this.fail(path, at, "minItems", `must NOT have fewer than ${schema.minItems} items`, { limit: schema.minItems });
    if (schema.uniqueItems === true) {
      // From the end, as ajv looks, so the message names the same two items.
      const seen: number[] = [];
      for (let i = value.length - 1; i >= 0; i--) {
        const j = seen.find((later) => equal(value[later], value[i]));
        if (j !== undefined) {
          this.fail(path, at, "uniqueItems", `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, { i, j });
          break;
        }
        seen.push(i);
      }
    }
    const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as Schema[]) : [];
    prefix.forEach((item, i) => {
      if (i < value.length) this.check(item, value[i], `${path}/${i}`, `${at}/prefixItems/${i}`);
    });
    const items = schema.items;
    if (typeof items === "boolean" || isObject(items))
      for (let i = prefix.length; i < value.length; i++) this.check(items, value[i], `${path}/${i}`, `${at}/items`);
  }

  private checkObject(schema: Record<string, unknown>, value: Record<string, unknown>, path: string, at: string): void {
    const keys = Object.keys(value);
    if (Array.isArray(schema.required))
      for (const name of schema.required)
        if (typeof name === "string" && !(name in value))
          this.fail(path, at, "required", `must have required property '${name}'`, { missingProperty: name });
    if (num(schema.maxProperties) && keys.length > schema.maxProperties)
      this.fail(path, at, "maxProperties", `must NOT have more than ${schema.maxProperties} properties`, { limit: schema.maxProperties });
    if (num(schema.minProperties) && keys.length < schema.minProperties)
      this.fail(path, at, "minProperties", `must NOT have fewer than ${schema.minProperties} properties`, { limit: schema.minProperties });
    const properties = isObject(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
    const patterns = Object.entries(isObject(schema.patternProperties) ? (schema.patternProperties as Record<string, Schema>) : {});
    for (const key of keys) {
      const child = `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      let described = false;
      if (key in properties) {
        described = true;
        this.check(properties[key] as Schema, value[key], child, `${at}/properties/${key}`);
      }
      for (const [pattern, sub] of patterns)
        if (patternOf(pattern)?.test(key)) {
          described = true;
          this.check(sub, value[key], child, `${at}/patternProperties/${pattern}`);
        }
      const extra = schema.additionalProperties;
      if (described || extra === undefined || extra === true) continue;
      if (extra === false) this.fail(path, at, "additionalProperties", "must NOT have additional properties", { additionalProperty: key });
      else if (isObject(extra)) this.check(extra, value[key], child, `${at}/additionalProperties`);
    }
  }

  private checkCombinations(schema: Record<string, unknown>, value: unknown, path: string, at: string): void {
    const list = (keyword: string): Schema[] => (Array.isArray(schema[keyword]) ? (schema[keyword] as Schema[]) : []);
    list("allOf").forEach((sub, i) => {
      this.check(sub, value, path, `${at}/allOf/${i}`);
    });
    const anyOf = list("anyOf");
    if (anyOf.length > 0 && !anyOf.some((sub, i) => this.matches(sub, value, path, `${at}/anyOf/${i}`)))
      this.fail(path, at, "anyOf", "must match a schema in anyOf");
    const oneOf = list("oneOf");
    const passing = oneOf.filter((sub, i) => this.matches(sub, value, path, `${at}/oneOf/${i}`)).length;
    if (oneOf.length > 0 && passing !== 1)
      this.fail(path, at, "oneOf", "must match exactly one schema in oneOf", { passingSchemas: passing });
    const not = schema.not;
    if ((typeof not === "boolean" || isObject(not)) && this.matches(not, value, path, `${at}/not`))
      this.fail(path, at, "not", "must NOT be valid");
    const condition = schema.if;
    if (typeof condition === "boolean" || isObject(condition)) {
      const branch = this.matches(condition, value, path, `${at}/if`) ? "then" : "else";
      const sub = schema[branch];
      if ((typeof sub === "boolean" || isObject(sub)) && !this.check(sub, value, path, `${at}/${branch}`))
        this.fail(path, at, "if", `must match "${branch}" schema`, { failingKeyword: branch });
    }
  }
}

/** Every problem of `value` against `schema` (empty: it matches, as far as these keywords go). */
export function checkAgainstSchema(schema: Schema, value: unknown, root: Schema = schema): SchemaProblem[] {
  const checker = new Checker(root);
  checker.check(schema, value, "", "#");
  return checker.problems;
}
