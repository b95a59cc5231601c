// The label a device session gets (web/src/js/device-label.js): the browser's family and the system,
// short and with nothing that identifies a person or a device (no versions, no models).

import assert from "node:assert/strict";
import { test } from "node:test";
import { deviceLabel } from "../../web/src/js/device-label.js";

const CASES = [
  [
    "Debian's headless Chromium",
    { userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0.0.0 Safari/537.36" },
    "Chromium on Linux",
  ],
  [
    "Chromium with client hints",
    {
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
      userAgentData: { brands: [{ brand: "Chromium", version: "142" }, { brand: "Not_A Brand", version: "24" }], platform: "Linux" },
    },
    "Chromium on Linux",
  ],
  [
    "Chrome on Windows",
    {
      userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
      userAgentData: { brands: [{ brand: "Google Chrome", version: "142" }, { brand: "Chromium", version: "142" }], platform: "Windows" },
    },
    "Chrome on Windows",
  ],
  [
    "Edge on Windows",
    { userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0" },
    "Edge on Windows",
  ],
  [
    "Firefox on macOS",
    { userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:140.0) Gecko/20100101 Firefox/140.0" },
    "Firefox on macOS",
  ],
  [
    "Safari on an iPhone",
    { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1" },
    "Safari on iOS",
  ],
  [
    "Chrome on Android (a phone model in the string)",
    { userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36" },
    "Chrome on Android",
  ],
  ["nothing known", { userAgent: "" }, "A browser"],
  ["no navigator", undefined, "A browser"],
];

for (const [what, nav, expected] of CASES) {
  test(`device label: ${what}`, () => {
    const label = deviceLabel(nav ?? {});
    assert.equal(label, expected);
    assert.ok(label.length >= 1 && label.length <= 64, "within the protocol's 1-64 characters");
    assert.doesNotMatch(label, /\d/, "no versions or model numbers");
  });
}
