// Small DOM helpers shared by the pages: field errors, form errors, live status, busy forms, the
// key-derivation progress indicator, password strength and "show password". Text only ever goes in
// through textContent.

import { errorCode, explain } from "./messages.js";
import { estimateStrength } from "./strength.js";
import { offerTicket } from "./ticket.js";

/** The element with this id, or an exception naming it (a missing element is a bug in the page). */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page element #${id} is missing`);
  return element;
}

/** Marks a field invalid, shows `text` under it (the field's aria-describedby includes it). */
export function setFieldError(input, text) {
  const box = document.getElementById(`${input.id}-error`);
  input.setAttribute("aria-invalid", "true");
  if (box) {
    box.textContent = text;
    box.hidden = false;
  }
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const box of form.querySelectorAll(".field-error")) {
    box.textContent = "";
    box.hidden = true;
  }
}

/**
 * Shows the result of local checks: each problem next to its field, focus on the first bad field.
 * @param {Array<[HTMLInputElement, string]>} problems
 * @returns {boolean} whether there were none
 */
export function reportFieldProblems(problems) {
  for (const [input, text] of problems) setFieldError(input, text);
  if (problems.length) {
    problems[0][0].focus();
    return false;
  }
  return true;
}

/**
 * A form's feedback area: live status, error box and key-derivation progress, found by id prefix
 * (see partials/feedback.html).
 */
export class Feedback {
  /** @param {string} prefix */
  constructor(prefix) {
    this.status = byId(`${prefix}-status`);
    this.error = byId(`${prefix}-error`);
    this.progress = document.getElementById(`${prefix}-progress`);
    this.elapsed = document.getElementById(`${prefix}-elapsed`);
    this.progressBar = document.getElementById(`${prefix}-progress-bar`);
    this.timer = 0;
  }

  clear() {
    this.status.textContent = "";
    this.status.classList.remove("success");
    this.error.replaceChildren();
    this.error.hidden = true;
  }

  /** A polite announcement; `focus` moves focus to it (for the outcome of a step). */
  say(text, { success = false, focus = false } = {}) {
    this.status.textContent = text;
    this.status.classList.toggle("success", success);
    if (focus) this.status.focus();
  }

  /**
   * Shows an error in plain language with its code, and moves focus to it. When the address's
   * password attempts are spent and `address` is known, offers to email a sign-in ticket.
   */
  fail(error, context, address) {
    this.hideProgress();
    showError(this.error, error, context);
    if (errorCode(error) === "guess_budget_exhausted" && address) offerTicket(this.error, address);
    this.status.textContent = "";
    this.status.classList.remove("success");
  }

  /**
   * The `onProgress` callback of the Web Worker client: the key derivation (`start`, `done`) shows
   * the progress indicator; a sign-in's later steps are announced.
   */
  progressListener() {
    return (event) => {
      if (!event || typeof event !== "object") return;
      if (event.phase === "start") this.showProgress(event.kdfVersion);
      else if (event.phase === "done") this.hideProgress(event.ms);
      else if (event.phase === "sign-in") this.say("Checking your account…");
      else if (event.phase === "upgrade") this.say("Moving your account to protocol version 2…");
    };
  }

  /** @param {number} [kdfVersion] 1 while a sign-in makes an account's key of protocol version 1 */
  showProgress(kdfVersion) {
    if (!this.progress) return;
    const started = performance.now();
    this.progress.hidden = false;
    this.progressBar?.removeAttribute("value");
    this.say(
      kdfVersion === 1
        ? "Making your key the way of protocol version 1, which your account still uses. This takes a moment."
        : "Making your key from your password. This takes a moment; the page stays usable.",
    );
    const tick = () => {
      if (this.elapsed) this.elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    };
    tick();
    clearInterval(this.timer);
    this.timer = setInterval(tick, 100);
  }

  /** Hides the indicator; with `ms`, announces how long derivation took. */
  hideProgress(ms) {
    clearInterval(this.timer);
    this.timer = 0;
    if (!this.progress || this.progress.hidden) return;
    this.progress.hidden = true;
    if (typeof ms === "number") {
      this.progress.dataset.lastMs = String(Math.round(ms));
      this.say(`Key ready (took ${(ms / 1000).toFixed(1)} s).`);
    }
  }
}

/**
 * Fills an error box: the plain-language text (for a rate limit, how long to wait), the server's
 * words when we have no better ones, the code.
 */
export function showError(box, error, context) {
  const explained = explain(error, context);
  const text = document.createElement("p");
  text.textContent = explained.text;
  const parts = [text];
  if (explained.serverMessage) {
    const detail = document.createElement("p");
    detail.textContent = `Details: ${explained.serverMessage}`;
    parts.push(detail);
  }
  const code = document.createElement("p");
  code.className = "code";
  code.textContent = `Error code: ${explained.code}`;
  parts.push(code);
  box.replaceChildren(...parts);
  box.dataset.code = explained.code;
  // How long the server asked to wait (seconds), for scripts and tests; the text already says it.
  if (explained.retryAfter) box.dataset.retryAfter = String(explained.retryAfter);
  else delete box.dataset.retryAfter;
  box.hidden = false;
  box.focus();
  return explained;
}

/**
 * Runs `task` with the form marked busy: its controls disabled (so nothing is submitted twice) and
 * `aria-busy` set. Disabling the focused button would drop focus to the page, so focus moves to
 * `focusTarget` (the form's live status) first.
 */
export async function whileBusy(form, task, { focusTarget } = {}) {
  const controls = [...form.querySelectorAll("button, input, select, textarea")].filter((c) => !c.disabled);
  if (focusTarget && form.contains(document.activeElement)) focusTarget.focus();
  form.setAttribute("aria-busy", "true");
  for (const control of controls) control.disabled = true;
  try {
    return await task();
  } finally {
    for (const control of controls) control.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

/**
 * The submit of a form that makes a key: clears earlier errors and feedback, stops at the field
 * problems `check()` reports, then runs `task` with the form busy; a failure is shown in `feedback`
 * as one of `action` (see `Feedback.fail`), with a sign-in ticket offered for `address()` when the
 * address's password attempts are spent.
 * @param {HTMLFormElement} form
 * @param {Feedback} feedback
 * @param {{ check: () => Array<unknown>, action: string, task: () => Promise<void>, address?: () => string }} handler
 */
export function onKeyFormSubmit(form, feedback, { check, action, task, address }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    feedback.clear();
    if (!reportFieldProblems(check())) return;
    await whileBusy(
      form,
      async () => {
        try {
          await task();
        } catch (failure) {
          feedback.fail(failure, action, address?.());
        }
      },
      { focusTarget: feedback.status },
    );
  });
}

/** Wires every "show passwords" checkbox (`data-show-passwords="<form id>"`). */
export function wireShowPasswords(root = document) {
  for (const box of root.querySelectorAll("input[data-show-passwords]")) {
    const form = document.getElementById(box.dataset.showPasswords);
    if (!form) continue;
    const fields = [...form.querySelectorAll('input[type="password"]')];
    box.addEventListener("change", () => {
      for (const field of fields) field.type = box.checked ? "text" : "password";
    });
  }
}

/** Wires every strength hint (`data-strength-for="<input id>"`); `addressOf` gives the address to avoid. */
export function wireStrengthHints(addressOf = () => "", root = document) {
  for (const hint of root.querySelectorAll("[data-strength-for]")) {
    const input = document.getElementById(hint.dataset.strengthFor);
    const meter = hint.querySelector("meter");
    const text = hint.querySelector(".strength-text");
    if (!input || !meter || !text) continue;
    const update = () => {
      const { score, label, advice } = estimateStrength(input.value, { address: addressOf() });
      meter.value = input.value ? Math.max(score, 0.25) : 0;
      text.textContent = label ? `${label}. ${advice}` : advice;
    };
    input.addEventListener("input", update);
    update();
  }
}

/** Formats Unix seconds for people, in their locale; "not yet" for null. */
export function formatTime(unixSeconds) {
  if (typeof unixSeconds !== "number" || !Number.isFinite(unixSeconds)) return "not yet";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(unixSeconds * 1000),
  );
}
