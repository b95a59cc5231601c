// The CPU time of the workerd processes that Miniflare (or wrangler dev) starts, read from /proc, for
// the "workerd CPU ms/req" column of the worker benchmarks (bench/worker.mjs, bench/peer.mjs).

import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The workerd processes below `pid`. */
export function workerdUnder(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      queue.push(child);
      try {
        if (readFileSync(`/proc/${child}/cmdline`, "utf8").includes("workerd")) found.push(child);
      } catch {
        // ended
      }
    }
  }
  if (!found.length) throw new Error(`no workerd process under ${pid}`);
  return found;
}

/** utime + stime of processes, in milliseconds. */
export function cpuMs(pids) {
  return pids.reduce((sum, pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  }, 0);
}
