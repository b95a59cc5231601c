// Node entry of notary-client (Node 20 and later): reads the .wasm next to this module and loads it
// while the package is imported, so the API is usable at once (`ready()` resolves immediately).

import { readFile } from "node:fs/promises";
import { ready, setWasmLoader } from "./core.js";

setWasmLoader((simd) =>
  readFile(
    simd
      ? new URL("./wasm/notary_client_bg.wasm", import.meta.url)
      : new URL("./wasm/notary_client_baseline_bg.wasm", import.meta.url),
  ),
);
await ready();

export * from "./core.js";
