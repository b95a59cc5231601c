// Browser, Web Worker and bundler entry of notary-client. `await ready()` once, then use the API.
// The .wasm files are found next to this module with `new URL(..., import.meta.url)`, which bundlers
// (Vite, webpack 5, esbuild with a file loader) understand.

import { setWasmLoader } from "./core.js";

setWasmLoader((simd) =>
  simd
    ? new URL("./wasm/notary_client_bg.wasm", import.meta.url)
    : new URL("./wasm/notary_client_baseline_bg.wasm", import.meta.url),
);

export * from "./core.js";
