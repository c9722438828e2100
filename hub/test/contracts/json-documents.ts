/**
 * A JSON object of every kind of value a caller may store (documents are opaque to the stores):
 * nesting, empty containers, unicode beyond the BMP, escapes, numbers at the edges of a double.
 * Each store must answer it back deep-equal (key order is not part of a JSON object's meaning).
 */
export function richDocument(variant = ""): Record<string, unknown> {
  return {
    theme: `dark${variant}`,
    "clé é": "Grüße, 世界, emoji 👩‍🔧🚀, RTL שלום",
    quotes: 'a "quoted" \\ back\\slash\n\ttabbed\r\u2028',
    control: "\u0001\u001f",
    // Decomposed (e + combining acute) and precomposed forms differ: no normalization on the way.
    accents: ["cafe\u0301", "caf\u00e9"],
    empty: { object: {}, array: [], string: "" },
    numbers: [0, -1, 0.1, 1e-7, 2 ** 53 - 1, -(2 ** 53) + 1, 1.7976931348623157e308, 5e-324, 123456.789],
    flags: [true, false, null],
    nested: { a: { b: { c: { d: [[1, [2, [3, { e: "deep" }]]]] } } } },
    columns: Array.from({ length: 50 }, (_, i) => ({ id: `col-${i}`, width: 80 + i, visible: i % 2 === 0 })),
  };
}

/** A string holding U+0000, valid in JSON (as `\u0000`) and so accepted from callers; PostgreSQL's JSONB refuses it, TEXT keeps it. */
export const NUL_TEXT = "before\u0000after";
