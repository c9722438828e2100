import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/**
 * Write `.br` and `.gz` beside each script and stylesheet of `assets/` after the build: the hub
 * serves them to browsers that accept them (`@fastify/static` `preCompressed`), with no
 * compression work per request. About a third of the size over the wire.
 */
export function precompress(outDir: string): Plugin {
  return {
    name: "telehub-precompress",
    apply: "build",
    writeBundle() {
      const assets = join(outDir, "assets");
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const content = readFileSync(join(assets, name));
        writeFileSync(join(assets, `${name}.gz`), gzipSync(content, { level: 9 }));
        writeFileSync(join(assets, `${name}.br`), brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }));
      }
    },
  };
}
