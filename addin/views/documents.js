// The documents library: search what was made (by the words people remember, the kind, the status),
// download a document again (or its PDF), move a contract along its lifecycle, regenerate it, and check
// which document a file is.

import { clearErrors, collect, reportFailure } from "../forms.js";
import { download, setStatus, textElement, whileBusy } from "../ui.js";
import { canSaveToOneDrive, saveAndSay } from "../onedrive.js";
import { asPdf } from "./contract.js";

const PER_PAGE = 20;
const STATUS_WORDS = { draft: "Draft", sent: "Sent", signed: "Signed", active: "Active", completed: "Completed",
  cancelled: "Cancelled", expired: "Expired" };
const MOVE_WORDS = { sent: "Mark as sent", signed: "Mark as signed", active: "Mark as active",
  completed: "Mark as completed", cancelled: "Cancel", expired: "Mark as expired" };
const FOUND_AS = { document: "", pdf: "the PDF of ", "signed copy": "the signed copy of " };

export function mountDocuments(section, env) {
  const form = section.querySelector("form");
  const status = form.querySelector("[data-status]");
  const results = section.querySelector("[data-results]");
  const list = results.querySelector("[data-list]");
  const more = results.querySelector("[data-more]");
  let asked = {};
  let page = 1;

  async function search(next = 1) {
    clearErrors(form);
    if (next === 1) asked = collect(form);
    setStatus(status, "Searching…", "busy");
    try {
      const found = await env.api.documents({ ...asked, page: next, per_page: PER_PAGE });
      page = next;
      if (next === 1) list.replaceChildren();
      list.append(...found.items.map((record) => item(record)));
      results.querySelector("[data-results-title]").textContent = `${found.total} document${found.total === 1 ? "" : "s"}`;
      more.hidden = page * PER_PAGE >= found.total;
      results.hidden = false;
      setStatus(status, found.total ? "" : "Nothing matches: try fewer words.", "info");
    } catch (error) {
      reportFailure(form, status, error, "The search could not be made");
    }
  }

  // One document: what it is, for whom, where it stands, and what can be done with it.
  function item(record) {
    const doc = form.ownerDocument;
    const entry = doc.createElement("li");
    entry.className = "document";
    entry.dataset.id = record.id;
    entry.append(textElement(doc, "p", "document-name", record.filename));
    entry.append(textElement(doc, "p", "document-meta", describe(record)));
    const actions = doc.createElement("div");
    actions.className = "document-actions";
    const said = textElement(doc, "p", "status", "");
    said.setAttribute("role", "status");
    const button = (label, work) => {
      const element = textElement(doc, "button", "button subtle", label);
      element.type = "button";
      element.addEventListener("click", () => whileBusy(element, async () => {
        try {
          setStatus(said, await work(), "ok");
        } catch (error) {
          setStatus(said, error.message, "error");
        }
      }));
      actions.append(element);
      return element;
    };
    button("Download", async () => {
      await download(record, env, doc);
      return `“${record.filename}” is downloading.`;
    });
    if (record.format === "docx") {
      button("PDF", async () => {
        const pdf = asPdf(record);
        await download(pdf, env, doc);
        return `“${pdf.filename}” is downloading.`;
      });
    }
    for (const next of record.next_statuses ?? []) {
      button(MOVE_WORDS[next] ?? next, async () => {
        const changed = await env.api.changeStatus(record, next);
        entry.replaceWith(item(changed));
        return "";
      });
    }
    button("Regenerate", async () => {
      const made = await env.api.regenerate(record);
      list.prepend(item(made));
      return `Made “${made.filename}” again from its data, with the same template version.`;
    });
    if (canEdit(record, env)) {
      button("Edit…", async () => {
        const full = await env.api.document(record.id);
        doc.dispatchEvent(new doc.defaultView.CustomEvent("edit-requested", { detail: full }));
        return "";
      });
    }
    if (canSaveToOneDrive(env)) {
      const save = textElement(doc, "button", "button subtle", "Save to OneDrive");
      save.type = "button";
      save.addEventListener("click", () => whileBusy(save, () => saveAndSay(record, env, said)));
      actions.append(save);
    }
    entry.append(actions, said);
    return entry;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form.querySelector("[data-action=search]"), () => search(1));
  });
  more.addEventListener("click", () => whileBusy(more, () => search(page + 1)));

  const picker = section.querySelector("[data-verify]");
  const verified = section.querySelector("[data-verify-status]");
  picker.addEventListener("change", async () => {
    const file = picker.files?.[0];
    if (!file) return;
    setStatus(verified, "Checking…", "busy");
    try {
      setStatus(verified, verdict(await env.api.verify(file), file.name), "ok");
    } catch (error) {
      setStatus(verified, error.message, "error");
    }
  });
  search(1);
}

// The contracts the SOW and NDA forms make, and can edit (Word and a browser show those forms, Excel not).
const EDITED_IN = new Set(["sow", "nda-mutual", "nda-one-way"]);

/** Return whether `record` can be edited in this pane: a SOW or an NDA, where the pane has their forms. */
export function canEdit(record, env) {
  return EDITED_IN.has(record.template) && env.host !== "excel";
}

/** Return the line under a document's name: client, freelancer, project, when it was made, its status. */
export function describe(record, locale = "en-US") {
  const made = new Date(record.created_at).toLocaleDateString(locale, { dateStyle: "medium", timeZone: "UTC" });
  const state = record.status ? `${STATUS_WORDS[record.status] ?? record.status} since ${record.status_on}` : null;
  return [record.client_name, record.freelancer_name, record.project_title, `made ${made}`, state].filter(Boolean).join(" · ");
}

/** Return what a check of `name` found, in a sentence. */
export function verdict(found, name) {
  if (!found.matches.length) return `“${name}” is not a document made here, or it was changed since.`;
  const [first, ...others] = found.matches;
  const also = others.length ? ` (and ${others.length} more with the same bytes)` : "";
  const made = first.found_as === "document" ? ", as it was made here" : "";
  return `“${name}” is ${FOUND_AS[first.found_as] ?? ""}“${first.document.filename}”${made}${also}.`;
}
