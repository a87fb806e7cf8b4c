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

/** Return a new `tag` element of class `className` holding `text` (as text, never parsed as markup). */
export function textElement(doc, tag, className, text) {
  const element = doc.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
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
 * Save a generated document. Inside Office's desktop and mobile apps, in either mode, the server signs a short-lived link
 * to the file and Office opens it in the default browser (`Office.context.ui.openBrowserWindow`),
 * which downloads it: a task pane is no browser tab, and on Mac and iPad its WKWebView ignores
 * `a[download]` and blob URLs (office-js#2700, #3385, #3848); a signed link needs no token, which
 * the browser would not have. In a plain browser: a download link clicked for the user, made from
 * the bytes when the server signs users in (the file's address alone needs a token).
 */
export async function download(record, env, doc = globalThis.document) {
  const open = browserWindow(env);
  if (open) {
    open((await env.api.link(record)).url);
    return;
  }
  if (env.identity) {
    downloadBytes(await env.api.file(record), record.filename, doc);
    return;
  }
  clickDownload(doc, new URL(record.download_url, doc.baseURI).href, record.filename);
}

/**
 * Return how the pane opens a download link in the default browser (see download): a function of the
 * URL inside Office's desktop and mobile apps, null elsewhere (a browser tab downloads for itself).
 */
export function browserWindow(env) {
  const ui = env.Office?.context?.ui;
  // Office on the web is a browser tab, whose popup blocker would stop a window opened this late.
  const web = env.Office?.context?.platform === "OfficeOnline";
  return env.host !== "browser" && !web && typeof ui?.openBrowserWindow === "function" ? (url) => ui.openBrowserWindow(url) : null;
}

/** Download `bytes` (an ArrayBuffer) as `filename` from a plain browser tab. */
export function downloadBytes(bytes, filename, doc = globalThis.document) {
  clickDownload(doc, objectUrlOf(bytes, doc), filename);
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
 * Return the status link that downloads `record` (again), labelled `label` (see setStatus). Each
 * click downloads as `download` does (a fresh signed link inside Office); a failure shows in `status`.
 */
export function downloadLink(record, env, label, status) {
  const link = { href: record.download_url, label, download: record.filename };
  if (!env.identity && env.host === "browser") return link;
  return { ...link, onClick: () => download(record, env, status.ownerDocument).catch((error) => setStatus(status, error.message, "error")) };
}

/**
 * Ask `question` next to `status` (the pane has no window.confirm: Office add-ins block it) with a
 * button to go ahead, labelled `yes`, and one to keep things as they are. Resolve to the choice.
 */
export function askInline(status, question, yes) {
  const doc = status.ownerDocument;
  status.textContent = "";
  const box = doc.createElement("div");
  box.className = "confirm";
  box.setAttribute("role", "group");
  const text = doc.createElement("p");
  text.id = `confirm-${Math.random().toString(36).slice(2)}`;
  text.textContent = question;
  box.setAttribute("aria-labelledby", text.id);
  const go = doc.createElement("button");
  go.type = "button";
  go.className = "button primary";
  go.dataset.confirm = "yes";
  go.textContent = yes;
  const keep = doc.createElement("button");
  keep.type = "button";
  keep.className = "button";
  keep.dataset.confirm = "no";
  keep.textContent = "Cancel";
  box.append(text, go, keep);
  status.after(box);
  go.focus();
  return new Promise((resolve) => {
    const answer = (choice) => () => {
      box.remove();
      resolve(choice);
    };
    go.addEventListener("click", answer(true));
    keep.addEventListener("click", answer(false));
  });
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
