// Limits for the worker benchmarks: high enough that the load is measured rather than refused, while
// the limiter still runs on every request. Both forms are given, so the benchmarks run against the
// worker before and after issue 11's limiter change (docs/deploy.md describes the settings):
// - BENCH_VARS: vars. Before the change the per-client and per-address counts were vars
//   (MAX_CALLS_PER_*, MAX_SALTS_*, MAX_CONFIRMS_*), read by the RateLimiter Durable Object; the email
//   budgets stay vars after it. A var the worker does not read is ignored.
// - BENCH_RATE_LIMITS: the limit of each Rate Limiting binding after the change, as
//   tests/support/worker.mjs's `startWorker({ rateLimits })` takes it (ignored before). `wrangler dev`
//   (bench/worker.mjs's first setup) reads those bindings' limits from wrangler.toml instead, and no
//   command-line option changes them.

const HIGH = "1000000";

export const BENCH_VARS = {
  MAX_CALLS_PER_SECOND: HIGH,
  MAX_CALLS_PER_MINUTE: "60000000",
  MAX_SALTS_PER_ADDRESS_PER_MINUTE: HIGH,
  MAX_CONFIRMS_PER_ADDRESS_PER_HOUR: HIGH,
  MAX_EMAILS_PER_ADDRESS_PER_HOUR: HIGH,
  MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR: HIGH,
};

export const BENCH_RATE_LIMITS = { CLIENT_BURST: 1e9, CLIENT_MINUTE: 1e9, CLIENT_FAILURES: 1e9 };
