import { type Node, parse } from "acorn";

/*
 * An ESTIMATE of the Espruino variables the client needs: no Espruino interpreter runs here,
 * so this counts what the bundle's code and data would occupy under Espruino's storage rules
 * (src/jsutils.h, src/jsvar.c, src/jslex.c, src/jsparse.c of the interpreter), and calibrates
 * the rules against the figures measured on the real interpreter (../shared/ESPRUINO.md).
 * On a board, measure instead: `process.memory().usage` before and after the code runs.
 */

type AnyNode = Node & Record<string, unknown>;

/**
 * Storage rules for 14-byte variables (builds with at most 16,383 of them, as the ESP32):
 * 14-bit references, so a string's first variable holds 9 characters and each extension 10;
 * a flat string (used above 19 characters when the length is known up front: function code
 * copied from the source, array buffers) is one header variable plus 14 bytes per variable.
 */
export const RULES = { varBytes: 14, stringFirst: 9, stringExt: 10, flatBreakEven: 19 };

/** A string built piece by piece (concatenation, `repeat`): first block plus extensions. */
export function stringVars(chars: number): number {
  return chars <= RULES.stringFirst ? 1 : 1 + Math.ceil((chars - RULES.stringFirst) / RULES.stringExt);
}

/** A string whose length is known when it is made: flat above the break-even length. */
export function flatStringVars(chars: number): number {
  return chars > RULES.flatBreakEven ? 1 + Math.ceil(chars / RULES.varBytes) : stringVars(chars);
}

/** A typed array: the view, its ArrayBuffer, and the bytes (a flat string). */
export function typedArrayVars(bytes: number): number {
  return 2 + flatStringVars(bytes);
}

/** Where function code lives after loading. */
export type CodeStorage = "flash" | "ram";

/** One function as Espruino stores it: body length and parameter count. */
export type FunctionShape = [bodyChars: number, params: number];

/**
 * A function: its variable, the hidden names of its code and scope, one name per parameter,
 * and the code: in RAM a copy of the body text (a flat string); run from flash (code saved
 * with `SAVE_ON_SEND=1`, memory-mapped on the ESP32) one native string pointing into flash.
 */
export function functionVars(shape: FunctionShape, storage: CodeStorage): number {
  return 3 + shape[1] + (storage === "flash" ? 1 : flatStringVars(shape[0]));
}

/**
 * Every function of a script, below `minDepth` enclosing functions (1: skip an outer
 * wrapper), down to `maxDepth` (Infinity: all, as if every callback were alive at once).
 */
export function functionShapes(code: string, minDepth: number, maxDepth = Number.POSITIVE_INFINITY): FunctionShape[] {
  const shapes: FunctionShape[] = [];
  const visit = (node: AnyNode, depth: number): void => {
    let inner = depth;
    if (/Function/.test(node.type)) {
      if (depth >= minDepth && depth <= maxDepth) {
        const body = node.body as AnyNode;
        shapes.push([body.end - body.start, (node.params as unknown[]).length]);
      }
      inner = depth + 1;
    }
    for (const child of children(node)) visit(child, inner);
  };
  visit(parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as AnyNode, 0);
  return shapes;
}

/**
 * Names in the scopes that outlive their call: a function that makes closures keeps its scope
 * (one object, a name per declared name and parameter, a value for each) as long as one of
 * them lives. Counted for every function that contains another, the outer wrapper included;
 * the scopes of functions without closures end with the call. (Espruino scopes `let` and
 * `const` to the function, so block declarations count in the function's scope.)
 */
export function closureScopeVars(code: string): number {
  let vars = 0;
  const scopeOf = (fn: AnyNode): void => {
    let names = (fn.params as unknown[]).length;
    let closures = 0;
    const visit = (node: AnyNode): void => {
      if (node.type === "VariableDeclarator" || node.type === "ClassDeclaration") names++;
      if (/Function/.test(node.type)) {
        closures++;
        if (node.type === "FunctionDeclaration") names++;
        scopeOf(node);
        return;
      }
      for (const child of children(node)) visit(child);
    };
    visit(fn.body as AnyNode);
    if (closures > 0) vars += 1 + 2 * names;
  };
  const program = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as AnyNode;
  const walk = (node: AnyNode): void => {
    if (/Function/.test(node.type)) scopeOf(node);
    else for (const child of children(node)) walk(child);
  };
  walk(program);
  return vars;
}

function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) if (item && typeof (item as AnyNode).type === "string") out.push(item as AnyNode);
  }
  return out;
}

/**
 * The figures measured on the genuine interpreter (ESP32-sized build, ../shared/ESPRUINO.md),
 * each with what the rules above predict for it and what the prediction assumes.
 */
export interface Calibration {
  name: string;
  kind: "string" | "typed array" | "objects" | "code";
  measured: number;
  modelled: number;
}

/**
 * The shape of Espruino's stock `ws` module (EspruinoDocs modules/ws.js, the version with
 * `headers`), loaded as the IDE does (`Modules.addCached("ws", function(){…})`): the functions
 * made at load (the module's top level: constructor, helpers, prototype methods, exports) with
 * their body lengths, as written and minified (terser; the IDE's minifier may differ a little).
 * Its text is not copied into this repository; these numbers were taken from it.
 */
const WS_SOURCE: FunctionShape[] = [
  [221, 0],
  [538, 2],
  [104, 0],
  [273, 1],
  [2170, 1],
  [558, 0],
  [747, 2],
  [24, 0],
  [86, 2],
  [1227, 2],
];
const WS_MINIFIED: FunctionShape[] = [
  [476, 2],
  [83, 0],
  [185, 1],
  [1049, 1],
  [406, 0],
  [377, 2],
  [19, 0],
  [52, 2],
  [674, 2],
];
/** Besides functions, the module keeps: two module variables (name + value), the prototype object with 6 method names, `exports` with `createServer`, the module cache entry (name + value). */
const WS_OBJECT_VARS = 4 + 1 + 6 + 2 + 2;

const wsVars = (shapes: FunctionShape[]): number => shapes.reduce((sum, shape) => sum + functionVars(shape, "ram"), 0) + WS_OBJECT_VARS;

/** The measured figures against the rules (each figure's own global name counts one variable). */
export const CALIBRATION: Calibration[] = [
  { name: "a 1,000-character string", kind: "string", measured: 132, modelled: 1 + stringVars(1000) },
  { name: "Uint8Array(1000)", kind: "typed array", measured: 111, modelled: 1 + typedArrayVars(1000) },
  // Array + name, then per object: its index name, the object, two property names, one float value (the other an integer, packed into its name).
  { name: "100 {t, v} objects in an array", kind: "objects", measured: 537, modelled: 2 + 100 * 5 },
  { name: "stock ws module, minified", kind: "code", measured: 343, modelled: wsVars(WS_MINIFIED) },
  { name: "stock ws module, as written", kind: "code", measured: 581, modelled: wsVars(WS_SOURCE) },
];

/** The empty interpreter (measured), not part of the client's own use. */
export const BASELINE_VARS = 159;

/** Per kind, the largest measured/modelled ratio: the calibrated estimate never undercounts a measured figure. */
export function calibrationFactors(): Record<Calibration["kind"], number> {
  const factors = { string: 0, "typed array": 0, objects: 0, code: 0 };
  for (const c of CALIBRATION) factors[c.kind] = Math.max(factors[c.kind], c.measured / c.modelled);
  return factors;
}

/** What the estimate needs to know about the client at run time. */
export interface ClientShape {
  /** The minified bundle. */
  code: string;
  /** Bytes of each typed array of the reading ring (allocated once). */
  ringArrays: number[];
  /** Bytes of the largest batch frame (the ring's batch of readings, encoded). */
  batchFrameBytes: number;
  /** Objects alive at run time besides scopes (options, platform, configuration, state, metric names, timers…): properties, and the lengths of the strings they hold. */
  objects: [properties: number, strings: number[]][];
  /** True for the HTTP client: a batch is sent as it is encoded, with no masked WebSocket copy. */
  unmasked?: boolean;
  /** Other strings alive at the peak, built piece by piece (the deep-sleep client's request body, answer and flash file). */
  transient?: [what: string, chars: number][];
}

/** One line of the estimate. */
export interface EstimateLine {
  what: string;
  kind: Calibration["kind"];
  vars: number;
}

/** The client's variables by part, before calibration. Code is counted once per function, every callback included. */
export function estimateLines(client: ClientShape, storage: CodeStorage): EstimateLine[] {
  const functions = functionShapes(client.code, 1);
  const lines: EstimateLine[] = [
    {
      what: `code: ${functions.length} functions (${storage === "flash" ? "run from flash" : "copied to RAM"})`,
      kind: "code",
      vars: functions.reduce((sum, shape) => sum + functionVars(shape, storage), 0),
    },
    { what: "scopes kept by closures: every name and its value", kind: "objects", vars: closureScopeVars(client.code) },
    {
      what: `reading ring: typed arrays of ${client.ringArrays.join(" + ")} bytes`,
      kind: "typed array",
      vars: client.ringArrays.reduce((sum, bytes) => sum + typedArrayVars(bytes), 0),
    },
    {
      what: "objects alive at run time (options, platform, configuration, state, command ids, timers)",
      kind: "objects",
      vars: client.objects.reduce(
        (sum, [properties, strings]) => sum + 1 + 2 * properties + strings.reduce((n, chars) => n + stringVars(chars), 0),
        0,
      ),
    },
  ];
  if (client.unmasked)
    lines.push({
      what: `a batch of ${client.batchFrameBytes} bytes being encoded (transient)`,
      kind: "string",
      vars: stringVars(client.batchFrameBytes),
    });
  else {
    // While a batch is sent: the frame built by concatenation, the masked frame's bytes, and its binary string.
    lines.push(
      {
        what: `sending a batch of ${client.batchFrameBytes} bytes (transient)`,
        kind: "string",
        vars: stringVars(client.batchFrameBytes) + flatStringVars(client.batchFrameBytes + 14),
      },
      { what: "  its masked copy (transient)", kind: "typed array", vars: typedArrayVars(client.batchFrameBytes + 14) },
    );
  }
  for (const [what, chars] of client.transient ?? [])
    lines.push({ what: `${what}: ${chars} bytes (transient)`, kind: "string", vars: stringVars(chars) });
  return lines;
}

/** The estimate: each line times its kind's calibration factor, rounded up, and the total. */
export function estimateVariables(client: ClientShape, storage: CodeStorage): { lines: EstimateLine[]; total: number } {
  const factors = calibrationFactors();
  const lines = estimateLines(client, storage).map((l) => ({ ...l, vars: Math.ceil(l.vars * factors[l.kind]) }));
  return { lines, total: lines.reduce((sum, l) => sum + l.vars, 0) };
}
