// Wiring: wait for Office, learn the host (Word, Excel, or a plain browser) and whether the server
// signs users in, and show the view the ribbon button asked for (?view=sow|nda|templates|batch|details|budget|lines|publish|roster|documents|insights|help).

import { createApi } from "./api.js";
import { officeHost } from "./host.js";
import { mountCards } from "./ui.js";
import { mountBatch } from "./views/batch.js";
import { mountBudget, mountLines } from "./views/budget.js";
import { mountDetails } from "./views/details.js";
import { mountDocuments } from "./views/documents.js";
import { mountInsights } from "./views/insights.js";
import { mountNda } from "./views/nda.js";
import { mountPublish } from "./views/publish.js";
import { mountRoster } from "./views/roster.js";
import { mountSow } from "./views/sow.js";
import { mountTemplates } from "./views/templates.js";

const VIEWS = { sow: mountSow, nda: mountNda, templates: mountTemplates, batch: mountBatch, details: mountDetails,
  budget: mountBudget, lines: mountLines, publish: mountPublish, roster: mountRoster, documents: mountDocuments, insights: mountInsights, help: () => {} };
const FIRST_VIEW = { word: "sow", excel: "budget", browser: "sow" };
const HOST_NAMES = { word: "Word", excel: "Excel", browser: "Browser" };

function supports(set, version) {
  try {
    return Boolean(globalThis.Office?.context?.requirements?.isSetSupported(set, version));
  } catch {
    return false;
  }
}

async function start() {
  // support.js found a browser engine the pane cannot run in, and said so.
  if (document.documentElement.hasAttribute("data-cannot-run")) return;
  const host = await officeHost();
  // Only Word and Excel can sign anyone in: outside them there is no Office to ask for a token.
  const api = createApi(undefined, {
    office: host === "browser" ? null : globalThis.Office,
    canUseDialog: host !== "browser" && supports("DialogApi", "1.1"),
  });
  const env = {
    host,
    api,
    // The server's sign-in settings, null in local mode; unknown (null) while the server is unreachable.
    identity: (await api.config().catch(() => null))?.identity ?? null,
    Office: globalThis.Office,
    Word: globalThis.Word,
    Excel: globalThis.Excel,
    // Whether the host has a requirement set (WordApi 1.3/1.5, ExcelApi 1.4/1.9/1.13, DialogApi):
    // newer calls are made only where it answers yes, else the pane offers what works there.
    supports,
  };
  document.body.classList.add(`host-${host}`);
  const badge = document.getElementById("host-badge");
  badge.textContent = HOST_NAMES[host];
  badge.hidden = false;
  document.getElementById("browser-banner").hidden = host !== "browser" || Boolean(env.identity);
  document.getElementById("sign-in-banner").hidden = host !== "browser" || !env.identity;

  const tabs = document.getElementById("tabs");
  for (const tab of tabs.querySelectorAll("a")) tab.hidden = !tab.dataset.hosts.split(" ").includes(host);
  tabs.hidden = false;
  mountCards(document.getElementById("main"));

  const mounted = new Set();
  function show(name, { focus = false } = {}) {
    if (!(name in VIEWS)) name = FIRST_VIEW[host];
    for (const section of document.querySelectorAll("main > .view")) section.hidden = section.dataset.view !== name;
    const section = document.getElementById(`view-${name}`);
    if (!mounted.has(name)) {
      VIEWS[name](section, env);
      mounted.add(name);
    }
    for (const tab of tabs.querySelectorAll("a")) {
      if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
    const title = document.getElementById("view-title");
    title.textContent = section.dataset.title;
    document.title = `${section.dataset.title} · Freelance Toolkit`;
    if (focus) title.focus();
  }

  // Switching views keeps what was typed in the others (no reload).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-view], a[data-goto]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    show(link.dataset.view ?? link.dataset.goto, { focus: true });
  });

  // The documents library asks for a recorded contract to be edited: its form opens, filled with its data.
  document.addEventListener("edit-requested", (event) => {
    const record = event.detail;
    const view = record.template === "sow" ? "sow" : "nda";
    show(view, { focus: true });
    document.querySelector(`#view-${view} form`).dispatchEvent(new CustomEvent("edit-document", { detail: record }));
  });

  document.getElementById("loading").remove();
  show(new URLSearchParams(location.search).get("view") ?? FIRST_VIEW[host]);
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  const loading = document.getElementById("loading");
  if (loading) loading.textContent = `The toolkit could not start: ${error.message}`;
  throw error;
});
