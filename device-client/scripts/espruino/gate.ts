import { type Node, parse } from "acorn";

/*
 * The build gate: parses a bundle and reports everything the Espruino facts sheet
 * (docs/esp32.md, "What the gate rejects") lists as unsupported, so that code which passes
 * in Node cannot reach a device and fail there.
 */

export interface Violation {
  rule: string;
  /** 1-based line and column in the bundle. */
  line: number;
  column: number;
}

/** Node types Espruino does not run. */
const SYNTAX: Record<string, string> = {
  ObjectPattern: "destructuring",
  ArrayPattern: "destructuring",
  AssignmentPattern: "default parameter or default in destructuring",
  RestElement: "rest parameter or element",
  SpreadElement: "spread",
  AwaitExpression: "await",
  YieldExpression: "generator",
  ChainExpression: "optional chaining ?.",
  TaggedTemplateExpression: "tagged template",
  LabeledStatement: "label",
  PropertyDefinition: "class field (not on the facts sheet's list of what works)",
  StaticBlock: "class static block",
  PrivateIdentifier: "#private member",
  ImportDeclaration: "import (the bundle must be self-contained)",
  ImportExpression: "import() (the bundle must be self-contained)",
  ExportNamedDeclaration: "export (the bundle must be self-contained)",
  ExportDefaultDeclaration: "export (the bundle must be self-contained)",
  ExportAllDeclaration: "export (the bundle must be self-contained)",
};

/** Globals Espruino does not have. */
const GLOBALS = [
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "Symbol",
  "Proxy",
  "Reflect",
  "TextEncoder",
  "TextDecoder",
  "RangeError",
  "BigInt",
];

/** Members Espruino does not have: `Object.member`, or any `.member` when the object is `*`. */
const MEMBERS = [
  "Array.from",
  "Number.isInteger",
  "Number.MAX_SAFE_INTEGER",
  "Math.trunc",
  "Math.log2",
  "Math.imul",
  "Object.freeze",
  "Array.prototype",
  "*.codePointAt",
  "*.getBigInt64",
  "*.setBigInt64",
  "*.getBigUint64",
  "*.setBigUint64",
];

/** Modules built into the ESP32 firmware: anything else would be fetched from the internet at upload time. */
const BUILT_IN_MODULES = ["net", "tls", "http", "Storage", "Wifi", "ESP32", "crypto"];

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) for (const item of value) isNode(item) && out.push(item);
    else if (isNode(value)) out.push(value);
  }
  return out;
}

const isFunction = (n: AnyNode) =>
  n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

/** Identifiers named `name` used as values in `node`, not looking into nested functions. */
function usesName(node: AnyNode, name: string): boolean {
  if (node.type === "Identifier" && node.name === name) return true;
  if (isFunction(node)) return false;
  if (node.type === "MemberExpression" && !node.computed) return usesName(node.object as AnyNode, name);
  if ((node.type === "Property" || node.type === "MethodDefinition" || node.type === "PropertyDefinition") && !node.computed)
    return node.value ? usesName(node.value as AnyNode, name) : false;
  return children(node).some((child) => usesName(child, name));
}

/** Check a bundle; an empty list means it passes. A bundle that does not parse is one violation. */
export function checkBundle(code: string): Violation[] {
  let program: AnyNode;
  try {
    program = parse(code, { ecmaVersion: "latest", sourceType: "module", locations: true }) as unknown as AnyNode;
  } catch (error) {
    const e = error as { message: string; loc?: { line: number; column: number } };
    return [{ rule: `does not parse: ${e.message}`, line: e.loc?.line ?? 0, column: e.loc?.column ?? 0 }];
  }
  const found: Violation[] = [];
  const report = (node: AnyNode, rule: string) => {
    const loc = node.loc as { start: { line: number; column: number } } | undefined;
    found.push({ rule, line: loc?.start.line ?? 0, column: (loc?.start.column ?? 0) + 1 });
  };
  for (let i = 0; i < code.length; i++) {
    if (code.charCodeAt(i) > 126) {
      found.push({ rule: "non-ASCII character (ESP32 strings are bytes: escape it)", line: 0, column: i });
      break;
    }
  }
  const visit = (node: AnyNode, parent: AnyNode | undefined): void => {
    const rule = SYNTAX[node.type];
    if (rule) report(node, rule);
    if (isFunction(node) && (node.async || node.generator)) report(node, node.async ? "async function" : "generator");
    if ((node.type === "BinaryExpression" || node.type === "AssignmentExpression") && String(node.operator).startsWith("**"))
      report(node, "exponentiation operator **");
    if ((node.type === "Property" || node.type === "MethodDefinition") && node.computed) report(node, "computed key");
    if (node.type === "Identifier" && GLOBALS.includes(String(node.name))) {
      const isKey =
        (parent?.type === "MemberExpression" && parent.property === node && !parent.computed) ||
        ((parent?.type === "Property" || parent?.type === "MethodDefinition") && parent.key === node && !parent.computed);
      if (!isKey) report(node, `global ${node.name}`);
    }
    if (node.type === "MemberExpression" && !node.computed) {
      const property = (node.property as AnyNode).name as string;
      const object = node.object as unknown as AnyNode;
      const owner = object.type === "Identifier" ? String(object.name) : "";
      if (MEMBERS.includes(`${owner}.${property}`) || MEMBERS.includes(`*.${property}`)) report(node, `${owner || "…"}.${property}`);
    }
    if (node.type === "CallExpression" && (node.callee as AnyNode).type === "Identifier" && (node.callee as AnyNode).name === "require") {
      const arg = (node.arguments as AnyNode[])[0];
      if (arg?.type !== "Literal" || !BUILT_IN_MODULES.includes(String(arg.value)))
        report(node, "require() of a module that is not built into the firmware");
    }
    if ((node.type === "ClassDeclaration" || node.type === "ClassExpression") && node.superClass) {
      const superClass = node.superClass as unknown as AnyNode;
      const body = (node.body as AnyNode).body as AnyNode[];
      if (superClass.type === "Identifier" && /Error$/.test(String(superClass.name)) && body.some((m) => m.kind === "constructor"))
        report(node, "class extending Error with a constructor");
    }
    // Function declarations are not hoisted: a use before the declaration, in the same scope, fails.
    const statements =
      node.type === "Program" || node.type === "BlockStatement" || node.type === "StaticBlock" ? (node.body as AnyNode[]) : [];
    statements.forEach((declaration, index) => {
      if (declaration.type !== "FunctionDeclaration") return;
      const name = String((declaration.id as AnyNode).name);
      for (const earlier of statements.slice(0, index)) {
        if (usesName(earlier, name)) report(earlier, `use of function ${name} before its declaration (no hoisting)`);
      }
    });
    for (const child of children(node)) visit(child, node);
  };
  visit(program, undefined);
  return found;
}

/** Violations as lines of text. */
export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `${v.line}:${v.column} ${v.rule}`).join("\n");
}
