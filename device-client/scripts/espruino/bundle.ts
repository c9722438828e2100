import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Node, parse } from "acorn";
import { minify } from "terser";
import ts from "typescript";

/*
 * The Espruino bundle: the TypeScript sources under src/espruino, from `main.ts` down its
 * imports, each compiled to ES2015, concatenated dependencies first (Espruino does not hoist
 * function declarations) with their import/export statements removed, in one function
 * scope. No module loader, nothing fetched at upload time.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** device-client/src/espruino (this file runs from device-client/dist/scripts/espruino). */
export const ESPRUINO_SOURCES = resolve(here, "../../../src/espruino");

/** Issue 6's budget for the minified bundle (what `npm run flash` uploads): 12 KB. */
export const ESPRUINO_BUNDLE_BUDGET = 12 * 1024;

export interface Bundle {
  /** Readable ES2015. */
  code: string;
  /** Minified (terser, ES2015, ASCII only): what is uploaded. */
  minified: string;
  /** Source files in bundle order, relative to src/espruino. */
  files: string[];
}

type AnyNode = Node & Record<string, unknown>;

function compile(file: string): string {
  const out = ts.transpileModule(readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: {
      target: ts.ScriptTarget.ES2015,
      module: ts.ModuleKind.ES2015,
      useDefineForClassFields: false,
      removeComments: true,
      verbatimModuleSyntax: false,
    },
  });
  return out.outputText;
}

/** Files in dependency order (each after everything it imports). */
function order(entry: string): string[] {
  const done: string[] = [];
  const visiting: string[] = [];
  const visit = (file: string): void => {
    if (done.includes(file)) return;
    if (visiting.includes(file)) throw new Error(`import cycle through ${file}`);
    visiting.push(file);
    const program = parse(compile(file), { ecmaVersion: "latest", sourceType: "module" }) as unknown as AnyNode;
    for (const statement of program.body as AnyNode[]) {
      if (statement.type !== "ImportDeclaration") continue;
      const from = String((statement.source as AnyNode).value);
      if (!from.startsWith("./")) throw new Error(`${file}: only relative imports inside src/espruino are bundled (${from})`);
      visit(join(dirname(file), from.replace(/\.js$/, ".ts")));
    }
    visiting.pop();
    done.push(file);
  };
  visit(entry);
  return done;
}

/** A module's code without its import and export statements (declarations kept). */
function strip(file: string, names: Map<string, string>): string {
  const code = compile(file);
  const program = parse(code, { ecmaVersion: "latest", sourceType: "module" }) as unknown as AnyNode;
  let out = "";
  let at = 0;
  for (const statement of program.body as AnyNode[]) {
    const declared: string[] = [];
    if (statement.type === "VariableDeclaration") {
      for (const d of statement.declarations as AnyNode[]) declared.push(String((d.id as AnyNode).name));
    } else if (statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") {
      declared.push(String((statement.id as AnyNode).name));
    }
    if (statement.type === "ImportDeclaration") {
      for (const s of statement.specifiers as AnyNode[]) {
        const imported = s.imported as AnyNode | undefined;
        if (s.type !== "ImportSpecifier" || !imported || imported.name !== (s.local as AnyNode).name)
          throw new Error(`${file}: only plain named imports can be bundled`);
      }
      out += code.slice(at, statement.start);
      at = statement.end;
    } else if (statement.type === "ExportNamedDeclaration") {
      out += code.slice(at, statement.start);
      const declaration = statement.declaration as AnyNode | null;
      if (declaration) {
        if (declaration.type === "VariableDeclaration")
          for (const d of declaration.declarations as AnyNode[]) declared.push(String((d.id as AnyNode).name));
        else declared.push(String((declaration.id as AnyNode).name));
        out += code.slice(declaration.start, declaration.end);
      }
      at = statement.end;
    } else if (statement.type.startsWith("Export")) {
      throw new Error(`${file}: ${statement.type} cannot be bundled`);
    }
    for (const name of declared) {
      const other = names.get(name);
      if (other) throw new Error(`${name} is declared at the top of both ${other} and ${file}: rename one`);
      names.set(name, file);
    }
  }
  return out + code.slice(at);
}

/**
 * Names that cross the bundle's edge and must keep their spelling when properties are
 * mangled: frame keys on the wire, Espruino's APIs (sockets, Storage, Wifi, E, process),
 * and JSON kept in flash. Terser also keeps every name of the built-in objects.
 */
const RESERVED = new Set([
  "connect",
  "write",
  "end",
  "on",
  "send",
  "close",
  "toString",
  "now",
  "random",
  "net",
  "tls",
  "toBinaryString",
  "memory",
  "free",
  "env",
  "getDetails",
  "getTemperature",
  "readJSON",
  "writeJSON",
  "rssi",
  "push",
  "length",
  "t",
  "v",
  "seq",
  "r",
  "rs",
  "ts",
  "m",
  "fw",
  "model",
  "caps",
  "time",
  "attrs",
  "cfg",
  "echo",
  "hb",
  "lim",
  "frame",
  "batch",
  "metrics",
  "name",
  "str",
  "inflight",
  "rate",
  "burst",
  "code",
  "msg",
  "retry",
  "id",
  "args",
  "ok",
  "res",
  "err",
  "d",
  "byteLength",
  "host",
  "port",
  "Authorization",
  "VERSION",
  "espruino",
  "ping",
  "url",
  "token",
  "ssid",
  "password",
  "interval",
  "seconds",
  "headers",
  "status",
  // The HTTP transport and deep sleep (main-sleep.ts): Espruino's http and Storage, the welcome's session.
  "read",
  "request",
  "method",
  "path",
  "statusCode",
  "deepSleep",
  "ivl",
  "sid",
]);

/** Property names of the language's built-in objects: never shortened. */
const BUILT_IN_NAMES = new Set<string>();
for (const owner of [
  Object,
  Object.prototype,
  Function.prototype,
  Array,
  Array.prototype,
  String,
  String.prototype,
  Number,
  Number.prototype,
  Math,
  JSON,
  Date,
  Date.prototype,
  Promise,
  Promise.prototype,
  Error.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Uint8Array,
  Uint8Array.prototype,
  Object.getPrototypeOf(Uint8Array.prototype),
  Float64Array.prototype,
  RegExp.prototype,
])
  for (const name of Object.getOwnPropertyNames(owner)) BUILT_IN_NAMES.add(name);

/**
 * Property names the bundle's own code defines or reads (the bundle is a closed world): every
 * one is shortened, except the built-ins' and the names that cross the edge (`RESERVED`).
 */
export function ownPropertyNames(code: string): string[] {
  const names = new Set<string>();
  const visit = (node: AnyNode): void => {
    if ((node.type === "MethodDefinition" || node.type === "Property") && !node.computed && (node.key as AnyNode).type === "Identifier")
      names.add(String((node.key as AnyNode).name));
    if (node.type === "MemberExpression" && !node.computed) names.add(String((node.property as AnyNode).name));
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) for (const item of value) item && typeof item.type === "string" && visit(item);
      else if (value && typeof value === "object" && typeof (value as AnyNode).type === "string") visit(value as AnyNode);
    }
  };
  visit(parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as AnyNode);
  return [...names].filter((n) => !RESERVED.has(n) && !BUILT_IN_NAMES.has(n) && n !== "constructor").sort();
}

/**
 * `this` costs five bytes at every use and no minifier shortens it: in a function that uses
 * it `THIS_ALIAS_MIN` times or more, alias it once (`const $this = this`), which the minifier
 * then names with one letter. Arrow functions share the alias (lexical `this`); other nested
 * functions get their own.
 */
const THIS_ALIAS_MIN = 4;

export function aliasThis(code: string): string {
  const edits: { at: number; end: number; text: string }[] = [];
  const collect = (node: AnyNode, uses: AnyNode[]): void => {
    if (node.type === "ThisExpression") uses.push(node);
    for (const key of Object.keys(node)) {
      const value = node[key];
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (!item || typeof item !== "object" || typeof (item as AnyNode).type !== "string") continue;
        const child = item as AnyNode;
        if (child.type === "FunctionExpression" || child.type === "FunctionDeclaration") {
          const inner: AnyNode[] = [];
          collect(child.body as AnyNode, inner);
          if (inner.length >= THIS_ALIAS_MIN) {
            edits.push({ at: (child.body as AnyNode).start + 1, end: (child.body as AnyNode).start + 1, text: "const $this=this;" });
            for (const use of inner) edits.push({ at: use.start, end: use.end, text: "$this" });
          }
        } else if (child.type === "ClassDeclaration" || child.type === "ClassExpression") {
          if (child.superClass) throw new Error("aliasThis: classes with extends are not handled");
          collect(child, uses);
        } else collect(child, uses);
      }
    }
  };
  collect(parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as AnyNode, []);
  edits.sort((a, b) => b.at - a.at);
  let out = code;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}

/** The entry of the deep-sleep bundle (`npm run flash -- --sleep`): the HTTP transport, no WebSocket. */
export const SLEEP_ENTRY = join(ESPRUINO_SOURCES, "main-sleep.ts");

/** Build the bundle from `main.ts` (or another entry under src/espruino, e.g. {@link SLEEP_ENTRY}). */
export async function buildBundle(entry = join(ESPRUINO_SOURCES, "main.ts")): Promise<Bundle> {
  const files = order(entry);
  const names = new Map<string, string>();
  let body = "";
  for (const file of files) body += `// ${relative(ESPRUINO_SOURCES, file)}\n${strip(file, names).trim()}\n`;
  const code = `// Telehub device client for Espruino: generated by device-client/scripts/espruino/bundle.ts, do not edit.\n(function () {\n${body}})();\n`;
  const result = await minify(aliasThis(code), {
    ecma: 2015,
    module: false,
    compress: { ecma: 2015, passes: 3, arrows: false, hoist_funs: false },
    mangle: { properties: { builtins: true, keep_quoted: true, regex: new RegExp(`^(${ownPropertyNames(code).join("|")})$`) } },
    format: { ascii_only: true, ecma: 2015 },
  });
  if (!result.code) throw new Error("terser produced no code");
  return { code, minified: result.code, files: files.map((f) => relative(ESPRUINO_SOURCES, f)) };
}
