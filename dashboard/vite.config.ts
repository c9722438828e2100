import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "./vite/precompress-plugin";

/** The hub the dev server forwards the API and the live channel to. */
const hub = process.env.TELEHUB_URL ?? "http://127.0.0.1:8080";

type ModuleInfoOf = (id: string) => { isEntry: boolean; importers: readonly string[] } | null;

/** Is the module reached from the entry through static imports only? */
function loadedAtStart(id: string, getModuleInfo: ModuleInfoOf, seen = new Set<string>()): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  const info = getModuleInfo(id);
  return !!info && (info.isEntry || info.importers.some((importer) => loadedAtStart(importer, getModuleInfo, seen)));
}

export default defineConfig({
  plugins: [react(), precompress("dist/app")],
  // Relative asset URLs: the hub serves the build at `/`, a reverse proxy may mount it deeper.
  base: "./",
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2_000,
    rollupOptions: {
      output: {
        // Libraries the app loads at start go to "vendor"; those reached only through a dynamic
        // import() (the command form's rjsf) stay in that lazy chunk.
        manualChunks: (id, { getModuleInfo }) => (id.includes("node_modules") && loadedAtStart(id, getModuleInfo) ? "vendor" : undefined),
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: hub, changeOrigin: true },
      "/healthz": { target: hub, changeOrigin: true },
      "/v1/live": { target: hub.replace(/^http/, "ws"), ws: true, changeOrigin: true },
    },
  },
});
