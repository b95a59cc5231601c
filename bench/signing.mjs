// Request tokens (the kind a client signs most) made by `key` in about one second, after a warm-up.
// Shared by bench/argon2.mjs (Node) and bench/chromium-argon2.mjs (imported by the page).

export function signingRate(key) {
  const audience = "http://127.0.0.1:8787";
  for (let i = 0; i < 500; i++) key.requestToken(audience, "GET", `${audience}/account`);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    for (let i = 0; i < 100; i++) key.requestToken(audience, "GET", `${audience}/account`);
    count += 100;
  }
  return Math.round(count / ((performance.now() - started) / 1000));
}
