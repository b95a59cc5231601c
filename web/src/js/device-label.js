// The label of a device session, shown in the list of sessions ("Chromium on Linux"): enough for a
// person to recognise their devices, too little to identify anyone (no versions, no models). Its own
// module, with no imports, so that Node can test it (tests/e2e/web-device-label.test.mjs).

/**
 * A short, non-identifying name for this device, shown in the list of sessions: "Chromium on Linux".
 * Only the browser's family and the operating system, never versions or models.
 */
export function deviceLabel(nav = globalThis.navigator) {
  const ua = String(nav?.userAgent ?? "");
  const brands = (nav?.userAgentData?.brands ?? []).map((b) => String(b?.brand ?? ""));
  const has = (name) => brands.includes(name);
  let browser = "A browser";
  if (has("Microsoft Edge") || /\bEdg(e|A|iOS)?\//.test(ua)) browser = "Edge";
  else if (has("Opera") || /\bOPR\//.test(ua)) browser = "Opera";
  else if (/\b(Firefox|FxiOS)\//.test(ua)) browser = "Firefox";
  else if (has("Google Chrome")) browser = "Chrome";
  else if (has("Chromium")) browser = "Chromium";
  else if (/\bHeadlessChrome\//.test(ua)) browser = "Chromium";
  else if (/\b(Chrome|CriOS)\//.test(ua)) browser = "Chrome";
  else if (/\bSafari\//.test(ua) && /\bVersion\//.test(ua)) browser = "Safari";

  const platform = String(nav?.userAgentData?.platform ?? "");
  let system = "";
  if (/Android/i.test(platform) || /\bAndroid\b/.test(ua)) system = "Android";
  else if (/\b(iPhone|iPad|iPod)\b/.test(ua)) system = "iOS";
  else if (/Windows/i.test(platform) || /\bWindows\b/.test(ua)) system = "Windows";
  else if (/mac/i.test(platform) || /\bMac OS X\b/.test(ua)) system = "macOS";
  else if (/Chrome ?OS/i.test(platform) || /\bCrOS\b/.test(ua)) system = "ChromeOS";
  else if (/Linux/i.test(platform) || /\bLinux\b|\bX11\b/.test(ua)) system = "Linux";
  return system ? `${browser} on ${system}` : browser;
}
