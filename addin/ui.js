// Small pieces every view uses: status messages, busy buttons, collapsible cards, downloads,
// remembered values.

/**
 * Show `text` in a status element, tone "info", "ok", "busy" or "error". A `link` follows it:
 * {href, label, download?, target?, onClick?}; `onClick` replaces following the link.
 */
export function setStatus(element, text, tone = "info", link = null) {
  element.textContent = text;
  element.dataset.tone = tone;
  if (link) {
    const anchor = element.ownerDocument.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.label;
    if (link.download) anchor.download = link.download;
    if (link.target) {
      anchor.target = link.target;
      anchor.rel = "noopener";
    }
    if (link.onClick) {
      anchor.addEventListener("click", (event) => {
        event.preventDefault();
        link.onClick();
      });
    }
    element.append(" ", anchor);
  }
}

const busy = new WeakSet();

/** Run `work` with `button`'s form (its buttons disabled) marked busy; a second run meanwhile is ignored. */
export async function whileBusy(button, work) {
  const form = button.form ?? button;
  if (busy.has(form)) return undefined;
  busy.add(form);
  const buttons = button.form ? [...form.querySelectorAll("button")] : [button];
  buttons.forEach((each) => { each.disabled = true; });
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    busy.delete(form);
    button.removeAttribute("aria-busy");
    buttons.forEach((each) => { each.disabled = false; });
  }
}

/**
 * Wire the collapsible cards under `root`: each is a heading holding a button that shows and hides
 * the card's body (WAI-ARIA disclosure pattern: aria-expanded on the button, aria-controls naming
 * the body, which is `hidden` while collapsed).
 */
export function mountCards(root) {
  for (const card of root.querySelectorAll(".collapsible")) {
    const button = toggleOf(card);
    button.addEventListener("click", () => setCardOpen(card, button.getAttribute("aria-expanded") !== "true"));
  }
}

/** Expand the collapsible `card` when `open`, else collapse it, as its button does. */
export function setCardOpen(card, open) {
  const button = toggleOf(card);
  button.setAttribute("aria-expanded", String(open));
  card.ownerDocument.getElementById(button.getAttribute("aria-controls")).hidden = !open;
}

/** Expand every collapsible card and <details> around `element`, so that it shows. */
export function reveal(element) {
  let around = element.closest(".collapsible, details");
  while (around) {
    if (around.matches("details")) around.open = true;
    else setCardOpen(around, true);
    around = around.parentElement.closest(".collapsible, details");
  }
}

function toggleOf(card) {
  return card.querySelector(":scope > h2 > button[aria-controls]");
}

// The blob behind the last download from memory: revoked when the next one is made or the page goes.
let lastObjectUrl = null;

function releaseObjectUrl() {
  if (lastObjectUrl) URL.revokeObjectURL(lastObjectUrl);
  lastObjectUrl = null;
}

/** Return an object URL for `bytes`. The previous one is revoked: its download began long ago. */
function objectUrlOf(bytes, doc) {
  releaseObjectUrl();
  lastObjectUrl = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  doc.defaultView?.addEventListener("pagehide", releaseObjectUrl, { once: true });
  return lastObjectUrl;
}

/**
 * Save a generated document. In a browser: a download link clicked for the user. Inside Office,
 * where a task pane cannot download, the file opens in the default browser instead. When the
 * server signs users in, the file's address alone is refused (no token travels with it): the pane
 * fetches the bytes with its token and saves them from memory.
 */
export async function download(record, env, doc = globalThis.document) {
  if (env.identity) {
    clickDownload(doc, objectUrlOf(await env.api.file(record), doc), record.filename);
    return;
  }
  const url = new URL(record.download_url, doc.baseURI).href;
  if (env.host !== "browser" && env.Office?.context?.ui?.openBrowserWindow) {
    env.Office.context.ui.openBrowserWindow(url);
    return;
  }
  clickDownload(doc, url, record.filename);
}

function clickDownload(doc, url, filename) {
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
}

/**
 * Return the status link that downloads `record` (again), labelled `label` (see setStatus). When
 * the server signs users in, the link fetches the file with a token; a failure shows in `status`.
 */
export function downloadLink(record, env, label, status) {
  const link = { href: record.download_url, label, download: record.filename };
  if (!env.identity) return link;
  return { ...link, onClick: () => download(record, env, status.ownerDocument).catch((error) => setStatus(status, error.message, "error")) };
}

const STORE_KEY = "freelance-toolkit.remembered";

/** Return the values remembered on this computer (an object; empty when none or no storage). */
export function remembered() {
  try {
    return JSON.parse(localStorage.getItem(STORE_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

/** Remember `values` (merged into what is kept), or forget everything when `values` is null. */
export function remember(values) {
  try {
    if (values === null) localStorage.removeItem(STORE_KEY);
    else localStorage.setItem(STORE_KEY, JSON.stringify({ ...remembered(), ...values }));
  } catch {
    // Storage can be unavailable (private mode, a locked-down host): remembering is a convenience.
  }
}

/** The locales documents can be written in: dates in words and money per locale. */
export const LOCALES = [["en-US", "English (United States)"], ["en-GB", "English (United Kingdom)"],
  ["en-CA", "English (Canada)"], ["en-AU", "English (Australia)"], ["en-IE", "English (Ireland)"],
  ["de-DE", "Deutsch (Deutschland)"], ["fr-FR", "Français (France)"], ["es-ES", "Español (España)"],
  ["nl-NL", "Nederlands (Nederland)"], ["it-IT", "Italiano (Italia)"], ["pt-BR", "Português (Brasil)"]];

/** Fill each empty <select data-slot-locale> under `root` with LOCALES, choosing `preferred`. */
export function fillLocales(root, preferred = "en-US") {
  for (const select of root.querySelectorAll("select[data-slot-locale]")) {
    select.replaceChildren(...LOCALES.map(([tag, name]) => {
      const option = select.ownerDocument.createElement("option");
      option.value = tag;
      option.textContent = name;
      option.selected = tag === preferred;
      return option;
    }));
  }
}

/** Return today's date as ISO 8601 (local time), the value of an <input type=date>. */
export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}
