// Browser, Web Worker and bundler entry of notary-client. `await ready()` once, then use the API.
// The .wasm files are found next to this module with `new URL(..., import.meta.url)`, which Vite and
// webpack 5 turn into assets of the build (tests/client/bundler.test.mjs); esbuild leaves it as is.

import { setWasmLoader } from "./core.js";

setWasmLoader((simd) =>
  simd
    ? new URL("./wasm/notary_client_bg.wasm", import.meta.url)
    : new URL("./wasm/notary_client_baseline_bg.wasm", import.meta.url),
);

export * from "./core.js";
