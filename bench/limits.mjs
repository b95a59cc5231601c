// Limits for the worker benchmarks: high enough that the load is measured rather than refused, while
// the limits still run on every request (docs/deploy.md describes the settings):
// - BENCH_VARS: the email budgets and the guess budget (OPRF evaluations per address), vars;
// - BENCH_RATE_LIMITS: the limit of each Rate Limiting binding, as tests/support/worker.mjs's
//   `startWorker({ rateLimits })` takes it. `wrangler dev` (bench/worker.mjs's first setup) reads
//   those bindings' limits from wrangler.toml, so that setup runs on a copy with raised limits.

import { randomBlinded } from "../tests/support/oprf.mjs";

const HIGH = "1000000";

export const BENCH_VARS = {
  MAX_EMAILS_PER_ADDRESS_PER_HOUR: HIGH,
  MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR: HIGH,
  GUESSES_PER_ADDRESS_PER_HOUR: HIGH,
  GUESSES_PER_ADDRESS_PER_DAY: HIGH,
};

export const BENCH_RATE_LIMITS = { CLIENT_BURST: 1e9, CLIENT_MINUTE: 1e9, CLIENT_FAILURES: 1e9, SALT_EVALUATIONS: 1e9 };

/**
 * Blinded OPRF elements for POST /salt bodies, made once (blinding costs the load generator about a
 * millisecond each): `blindedFor(n)` cycles through them.
 */
let pool;
export function blindedFor(n) {
  pool ??= Array.from({ length: 64 }, randomBlinded);
  return pool[n % pool.length];
}
