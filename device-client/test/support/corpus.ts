import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The conformance corpus (conformance/corpus.json; format in conformance/README.md), as the device-client tests read it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CorpusStep {
  send?: string;
  value?: Json;
  canonical?: boolean;
  text?: boolean;
  expect?: { hex?: string; value?: Json; [key: string]: unknown };
  do?: string;
}

export interface CorpusCase {
  id: string;
  rule: string;
  covers: string[];
  steps: CorpusStep[];
  [key: string]: unknown;
}

export interface CorpusFrame {
  id: string;
  hex: string;
  value: Json;
  canonical?: boolean;
}

export interface Corpus {
  clock: number;
  docExamples: { section: string; hex: string; value: Json }[];
  hubFrames: CorpusFrame[];
  cases: CorpusCase[];
}

/** conformance/corpus.json, from the package's folder (the tests run from dist/test). */
export const CORPUS_PATH = fileURLToPath(new URL("../../../conformance/corpus.json", import.meta.url));

export const corpus = JSON.parse(readFileSync(CORPUS_PATH, "utf8")) as Corpus;

/** Hex without the spaces the docs group bytes with. */
export const squash = (hex: string): string => hex.replace(/\s+/g, "");

/** Every frame of the corpus that a device sends, with the case it is in. */
export function deviceFrames(): { where: string; hex: string; value?: Json; canonical: boolean }[] {
  return corpus.cases.flatMap((one) =>
    one.steps.flatMap((step, i) =>
      step.send !== undefined && !step.text && !step.send.includes("<")
        ? [
            {
              where: `${one.id} step ${i + 1}`,
              hex: step.send,
              ...(step.value !== undefined && { value: step.value }),
              canonical: step.canonical === true,
            },
          ]
        : [],
    ),
  );
}

/** Every hub → device frame with known bytes: the codec examples, and the cases' exact answers. */
export function hubFrames(): { where: string; hex: string; value: Json; canonical: boolean }[] {
  const answers = corpus.cases.flatMap((one) =>
    one.steps.flatMap((step, i) => {
      const expect = step.expect;
      return expect?.hex !== undefined && expect.value !== undefined && !expect.hex.includes("<")
        ? [{ where: `${one.id} step ${i + 1}`, hex: squash(expect.hex), value: expect.value, canonical: false }]
        : [];
    }),
  );
  return [...corpus.hubFrames.map((f) => ({ where: f.id, hex: f.hex, value: f.value, canonical: f.canonical === true })), ...answers];
}
