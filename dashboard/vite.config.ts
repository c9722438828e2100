import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "./vite/precompress-plugin";

/** The hub the dev server forwards the API and the live channel to. */
const hub = process.env.TELEHUB_URL ?? "http://127.0.0.1:8080";

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
        manualChunks: (id) => (id.includes("node_modules") ? "vendor" : undefined),
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
