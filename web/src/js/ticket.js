// Sign-in tickets: the way through when an address's password attempts are spent (the server's
// 429 `guess_budget_exhausted`). The page offers to email one (POST /salt/ticket); the emailed link,
// `/#ticket=<ticket>&address=<address>`, opens the start page, which keeps the ticket in
// sessionStorage (this tab only) and sends it with the next derivation for that address. Once a
// derivation with it succeeds, or the server refuses it (used up or expired), it is forgotten; a
// wrong password keeps it, since it allows a few attempts.

import { fragmentFields } from "./link.js";
import { errorCode, explain } from "./messages.js";
import { notary } from "./notary.js";

const KEY = "notary.ticket";
/** 16 random bytes, base64url. */
const TICKET = /^[A-Za-z0-9_-]{22}$/;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: the ticket then works only until the page is left
  }
}

/** The same address as far as a page can tell (the server canonicalises; this only guards a mix-up). */
function sameAddress(a, b) {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

let inMemory = null;

/**
 * Keeps the ticket of a ticket link (the fragment of `hash`), if it is one.
 * @returns {string | null} the link's address, or null when `hash` is no ticket link
 */
export function keepTicketFromLink(hash) {
  const fields = fragmentFields(hash);
  const ticket = fields?.get("ticket") ?? "";
  const address = (fields?.get("address") ?? "").trim();
  if (!TICKET.test(ticket) || !address.includes("@")) return null;
  inMemory = { ticket, address };
  try {
    storage()?.setItem(KEY, JSON.stringify(inMemory));
  } catch {
    /* kept in memory only */
  }
  return address;
}

/** The kept ticket for `address`, or undefined. */
function ticketFor(address) {
  let kept = inMemory;
  try {
    kept = JSON.parse(storage()?.getItem(KEY) ?? "null") ?? kept;
  } catch {
    /* unreadable: the one in memory, if any */
  }
  return kept && typeof kept.ticket === "string" && sameAddress(kept.address, address) ? kept.ticket : undefined;
}

function forgetTicket() {
  inMemory = null;
  storage()?.removeItem(KEY);
}

/**
 * Runs `derive(ticket)` with the kept ticket for `address` (undefined when there is none), and
 * forgets the ticket once it has served or the server refused it.
 * @template T
 * @param {string} address
 * @param {(ticket: string | undefined) => Promise<T>} derive
 * @returns {Promise<T>}
 */
export async function withTicket(address, derive) {
  const ticket = ticketFor(address);
  try {
    const result = await derive(ticket);
    if (ticket) forgetTicket();
    return result;
  } catch (failure) {
    if (ticket && errorCode(failure) === "guess_budget_exhausted") forgetTicket();
    throw failure;
  }
}

/**
 * Adds "Email me a sign-in ticket" to an error box that explains `guess_budget_exhausted`: the
 * button asks the server to email one to `address`, then says to check the inbox.
 * @param {HTMLElement} box
 * @param {string} address
 */
export function offerTicket(box, address) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.id = `${box.id}-ticket`;
  button.textContent = "Email me a sign-in ticket";
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.id = `${box.id}-ticket-status`;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Asking for a ticket…";
    try {
      await notary().requestTicket(address);
      button.remove();
      status.textContent = `Check your inbox. If ${address} has an account, we've emailed it a link that lets you try your password again a few times within the next hour. Open it in this browser.`;
      status.classList.add("success");
    } catch (failure) {
      button.disabled = false;
      const { code, text } = explain(failure);
      status.textContent = `${text} (Error code: ${code})`;
    }
    status.focus();
  });
  status.tabIndex = -1;
  box.append(button, status);
}
