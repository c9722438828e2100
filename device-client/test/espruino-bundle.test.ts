import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildBundle, ESPRUINO_BUNDLE_BUDGET } from "../scripts/espruino/bundle.js";
import { checkBundle, formatViolations } from "../scripts/espruino/gate.js";

const rules = (code: string): string[] => checkBundle(code).map((v) => v.rule);

describe("the Espruino bundle and its build gate", () => {
  test("our bundle is self-contained, passes the gate, readable and minified, and fits the 12 KB budget", async () => {
    const bundle = await buildBundle();
    assert.equal(bundle.files.at(-1), "main.ts");
    assert.ok(!bundle.files.some((f) => f.startsWith("testing/")), "the Node adapter is not in the bundle");
    assert.equal(formatViolations(checkBundle(bundle.code)), "");
    assert.equal(formatViolations(checkBundle(bundle.minified)), "");
    assert.doesNotMatch(bundle.minified, /\bimport\b|\bexport\b/);
    assert.ok(bundle.minified.length <= ESPRUINO_BUNDLE_BUDGET, `minified bundle is ${bundle.minified.length} bytes`);
  });

  test("rejects a bundle with a spread, and everything else the facts sheet lists", () => {
    assert.deepEqual(rules("var a = [1]; f(...a);"), ["spread"]);
    const cases: [string, string][] = [
      ["var {a} = o;", "destructuring"],
      ["var [x] = a;", "destructuring"],
      ["function f(a = 1) { return a; }", "default parameter or default in destructuring"],
      ["function f(...a) { return a; }", "rest parameter or element"],
      ["var o = {...p};", "spread"],
      ["async function f() { await g(); }", "async function"],
      ["function* g() { yield 1; }", "generator"],
      ["var x = a?.b;", "optional chaining ?."],
      ["var x = 2 ** 3;", "exponentiation operator **"],
      ["var o = {[k]: 1};", "computed key"],
      ["var s = tag`x`;", "tagged template"],
      ["outer: for (;;) break outer;", "label"],
      ["var m = new Map();", "global Map"],
      ["var s = new Set();", "global Set"],
      ["var s = Symbol('x');", "global Symbol"],
      ["var e = new TextEncoder();", "global TextEncoder"],
      ["var a = Array.from(x);", "Array.from"],
      ["var b = Number.isInteger(x);", "Number.isInteger"],
      ["var t = Math.trunc(x);", "Math.trunc"],
      ["Object.freeze(o);", "Object.freeze"],
      ["var c = s.codePointAt(0);", "s.codePointAt"],
      ["class E2 extends Error { constructor() { super('x'); } }", "class extending Error with a constructor"],
      ["f(); function f() {}", "use of function f before its declaration (no hoisting)"],
      ["var m = require('ws');", "require() of a module that is not built into the firmware"],
      ["class A { x = 1; }", "class field (not on the facts sheet's list of what works)"],
      ["var s = '\u00e9';", "non-ASCII character (ESP32 strings are bytes: escape it)"],
    ];
    for (const [code, rule] of cases) assert.ok(rules(code).includes(rule), `${code} → ${JSON.stringify(rules(code))}`);
  });

  test("accepts what Espruino runs: classes, arrows, let/const, templates, ??, for…of, typed arrays, order-respecting calls", () => {
    const code = `
      class A { constructor(x) { this.x = x; } get y() { return this.x ?? 0; } static z() { return 1; } }
      class B extends A { m() { return super.y; } }
      const f = (a) => a + 1;
      function g() { return f(1); }
      g();
      let s = \`\${g()}\`;
      for (const b of new Uint8Array(2)) s += b;
      const o = { f, m() { return 1; }, map: 1 };
      o.map = require("Storage");
      try { g(); } catch { }
    `;
    assert.equal(formatViolations(checkBundle(code)), "");
  });
});
