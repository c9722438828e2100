import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { PreferenceRepository } from "../../src/storage/preference-repository.js";
import { T } from "./contract-fixtures.js";
import { NUL_TEXT, richDocument } from "./json-documents.js";

/** The behaviour every `PreferenceRepository` must have. `open` gives the repository of a fresh, empty database. */
export function preferenceRepositoryContract(
  name: string,
  factory: { open(): Promise<PreferenceRepository>; dispose(): Promise<void> },
): void {
  describe(`PreferenceRepository contract: ${name}`, () => {
    let preferences: PreferenceRepository;

    before(async () => {
      preferences = await factory.open();
    });
    after(() => factory.dispose());

    test("an owner with nothing stored gets {}", async () => {
      assert.deepEqual(await preferences.get("user:usr_nobody"), {});
      assert.deepEqual(await preferences.get("key:k_nobody"), {});
    });

    test("put stores the document whole: nested values, unicode, escapes and numbers read back equal", async () => {
      await preferences.put("user:usr_ada", richDocument(), T);
      assert.deepEqual(await preferences.get("user:usr_ada"), richDocument());
    });

    test("put replaces the whole document (no merge); {} empties it", async () => {
      await preferences.put("user:usr_ada", { theme: "light", pinned: ["boiler-1"] }, T + 1);
      assert.deepEqual(await preferences.get("user:usr_ada"), { theme: "light", pinned: ["boiler-1"] });
      await preferences.put("user:usr_ada", {}, T + 2);
      assert.deepEqual(await preferences.get("user:usr_ada"), {});
    });

    test("each owner has its own document: a user and a key of the same id, two users, owners compared exactly", async () => {
      await preferences.put("user:same", richDocument("-user"), T);
      await preferences.put("key:same", richDocument("-key"), T);
      await preferences.put("user:Same", { theme: "capital" }, T);
      await preferences.put("user:other", { theme: "other" }, T);
      assert.deepEqual(await preferences.get("user:same"), richDocument("-user"));
      assert.deepEqual(await preferences.get("key:same"), richDocument("-key"));
      assert.deepEqual(await preferences.get("user:Same"), { theme: "capital" });
      await preferences.put("user:other", { theme: "changed" }, T + 5);
      assert.deepEqual(await preferences.get("user:same"), richDocument("-user"), "a put touches only its owner");
    });

    test("puts at once for an owner with nothing stored yet all succeed; one of them is what stays", async () => {
      const documents = Array.from({ length: 6 }, (_, i) => ({ writer: i, theme: `theme-${i}` }));
      await Promise.all(documents.map((document, i) => preferences.put("key:k_race", document, T + i)));
      const stored = await preferences.get("key:k_race");
      assert.ok(
        documents.some((document) => JSON.stringify(document) === JSON.stringify(stored)),
        JSON.stringify(stored),
      );
    });

    test("a string holding U+0000 (valid JSON, accepted by the API) reads back unchanged", async () => {
      await preferences.put("user:usr_nul", { note: NUL_TEXT, [NUL_TEXT]: 1 }, T);
      assert.deepEqual(await preferences.get("user:usr_nul"), { note: NUL_TEXT, [NUL_TEXT]: 1 });
    });
  });
}
