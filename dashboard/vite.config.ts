/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` proxies the API to a running server (default: the demo on 127.0.0.1:8080).
const api = process.env.CONSOLEAI_API ?? "http://127.0.0.1:8080";

// The policy the consoleai server sends with the dashboard; `vite preview` sends it too, so a
// change that needs a looser policy shows up before it reaches the server.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

const proxy = {
  "/graphql/ws": { target: api, ws: true },
  "/graphql": { target: api },
  "/reports": { target: api },
  "/auth/config": { target: api },
};

export default defineConfig({
  plugins: [react()],
  build: {
    // The server's CSP forbids inline scripts and styles: keep every asset a file.
    assetsInlineLimit: 0,
    sourcemap: false,
    // The largest chunk is Recharts (about 420 kB, only the charted pages fetch it); the entry is
    // React, the router and the app shell (about 270 kB).
    chunkSizeWarningLimit: 450,
    rolldownOptions: {
      output: {
        // Each page is a chunk of its own (src/pages/lazyPages.tsx) and each chart too
        // (src/components/charts/LazyCharts.tsx); the chunks holding Recharts are named for it, so
        // the build's listing shows what a page pulls in. Names are hashed: the server serves
        // /assets/* as immutable.
        chunkFileNames: (chunk) =>
          chunk.moduleIds.some((id) => /[\\/]node_modules[\\/]recharts[\\/]/.test(id))
            ? "assets/recharts-[name]-[hash].js"
            : "assets/[name]-[hash].js",
      },
    },
  },
  server: { proxy },
  preview: { proxy, headers: { "Content-Security-Policy": CONTENT_SECURITY_POLICY } },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
