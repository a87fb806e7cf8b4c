// The roster view: search the freelancers, add or change one (the form drawn from the roster record's
// JSON Schema, so the fields and limits are the API's own), remove one, import a vendor list after a
// dry-run preview of what will change, and export what a search finds.

import { ApiError } from "../api.js";
import { clearErrors, collect, fill, reportFailure, showErrors } from "../forms.js";
import { formatMoney } from "../money.js";
import { schemaForm } from "../schema-form.js";
import { askInline, downloadBytes, setStatus, textElement, whileBusy } from "../ui.js";

const PER_PAGE = 20;

export function mountRoster(section, env) {
  const form = section.querySelector("#roster-form");
  const status = form.querySelector("[data-status]");
  const results = section.querySelector("[data-results]");
  const list = results.querySelector("[data-list]");
  const more = results.querySelector("[data-more]");
  const editor = mountEditor(section, env, { onSaved: () => search(1) });
  let asked = {};
  let page = 1;

  async function search(next = 1) {
    clearErrors(form);
    if (next === 1) asked = collect(form);
    setStatus(status, "Searching…", "busy");
    try {
      const found = await env.api.roster(asked, { page: next, perPage: PER_PAGE });
      page = next;
      if (next === 1) list.replaceChildren();
      list.append(...found.items.map((record) => entryOf(record)));
      results.querySelector("[data-results-title]").textContent = `${found.total} freelancer${found.total === 1 ? "" : "s"}`;
      more.hidden = page * PER_PAGE >= found.total;
      results.hidden = false;
      setStatus(status, found.total ? "" : "Nobody matches: try fewer words, or add them.", "info");
    } catch (error) {
      reportFailure(form, status, error, "The search could not be made");
    }
  }

  async function undo(record) {
    try {
      await env.api.restoreFreelancer(record.id);
      setStatus(status, `${record.name} is back on the roster.`, "ok");
      search(1);
    } catch (error) {
      setStatus(status, error.message, "error");
    }
  }

  function entryOf(record) {
    const doc = form.ownerDocument;
    const entry = doc.createElement("li");
    entry.className = "document";
    entry.append(textElement(doc, "p", "document-name", record.name));
    entry.append(textElement(doc, "p", "document-meta", describeFreelancer(record)));
    const said = textElement(doc, "p", "status", "");
    said.setAttribute("role", "status");
    const actions = doc.createElement("div");
    actions.className = "document-actions";
    const edit = textElement(doc, "button", "button subtle", "Edit");
    edit.type = "button";
    edit.addEventListener("click", () => editor.open(record));
    const remove = textElement(doc, "button", "button subtle", "Remove");
    remove.type = "button";
    remove.addEventListener("click", async () => {
      if (!(await askInline(said, `Remove ${record.name} from the roster? Documents made for them keep their details.`, "Remove"))) return;
      try {
        await env.api.removeFreelancer(record.id);
        entry.remove();
        setStatus(status, `Removed ${record.name} (it can be undone for 30 days).`, "ok", { href: "#", label: "Undo", onClick: () => undo(record) });
      } catch (error) {
        setStatus(said, error.message, "error");
      }
    });
    actions.append(edit, remove);
    entry.append(actions, said);
    return entry;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form.querySelector("[data-action=search]"), () => search(1));
  });
  more.addEventListener("click", () => whileBusy(more, () => search(page + 1)));
  form.querySelector("[data-action=add]").addEventListener("click", () => editor.open(null));
  form.querySelector("[data-action=export]").addEventListener("click", (event) => whileBusy(event.currentTarget, async () => {
    try {
      const { bytes, filename } = await env.api.exportRoster(collect(form), "xlsx");
      downloadBytes(bytes, filename, form.ownerDocument);
      setStatus(status, `“${filename}” is ready: the freelancers this search finds.`, "ok");
    } catch (error) {
      reportFailure(form, status, error, "The roster could not be exported");
    }
  }));
  mountImport(section, env, { onImported: () => search(1) });
  search(1);
}

/** Return the line under a freelancer's name: business, email, country, rate, and the NDA that binds them. */
export function describeFreelancer(record, locale = "en-US") {
  const rate = record.rate != null && record.currency
    ? `${formatMoney(record.rate, record.currency, locale)}/${record.rate_unit ?? "unit"}` : null;
  const nda = record.nda?.in_force ? `NDA until ${record.nda.until ?? "terminated"}` : "no NDA in force";
  const missing = ["address", "country"].filter((name) => !record[name]);
  const incomplete = missing.length ? `no ${missing.join(" or ")}` : null;
  return [record.business_name, record.email, record.country, rate, nda, record.status === "inactive" ? "inactive" : null, incomplete]
    .filter(Boolean).join(" · ");
}

// The add/edit form, drawn once from the roster record's schema; a change sends only what changed (an
// emptied field as null, which clears it).
function mountEditor(section, env, { onSaved }) {
  const card = section.querySelector("[data-editor]");
  const form = card.querySelector("[data-editor-form]");
  const said = form.querySelector("[data-editor-status]");
  let drawn = null;
  let editing = null;

  async function fields() {
    drawn ??= env.api.rosterSchema().then((schema) => schemaForm(form.querySelector("[data-fields]"), schema));
    drawn.catch(() => { drawn = null; });  // drawn again at the next try
    return drawn;
  }

  async function open(record) {
    editing = record;
    card.hidden = false;
    card.querySelector("[data-editor-title]").textContent = record ? `Change ${record.name}` : "Add a freelancer";
    setStatus(said, "", "info");
    clearErrors(form);
    try {
      await fields();
    } catch (error) {
      setStatus(said, `The form could not be drawn: ${error.message}`, "error");
      return;
    }
    form.reset();
    if (record) fill(form, record);
    card.querySelector("[data-editor-title]").focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form.querySelector("[data-action=save]"), async () => {
      const typed = (await fields()).collect();
      try {
        const saved = editing ? await env.api.changeFreelancer(editing.id, changesOf(editing, typed)) : await env.api.addFreelancer(typed);
        card.hidden = true;
        onSaved(saved);
      } catch (error) {
        if (error instanceof ApiError && error.errors.length) {
          const count = showErrors(form, error.errors, "Not saved yet");
          setStatus(said, `Fix the ${count === 1 ? "problem" : `${count} problems`} marked in red, then save.`, "error");
        } else {
          setStatus(said, error.message, "error");
        }
      }
    });
  });
  form.querySelector("[data-action=close]").addEventListener("click", () => { card.hidden = true; });
  return { open };
}

/** Return what a PATCH sends to turn `record` into `typed`: each changed field, an emptied one as null. */
export function changesOf(record, typed) {
  const changes = {};
  const names = new Set([...Object.keys(typed), ...Object.keys(record).filter((name) => record[name] != null)]);
  for (const name of names) {
    if (["id", "created_at", "updated_at", "nda"].includes(name)) continue;
    const before = record[name] ?? null;
    const after = typed[name] ?? null;
    const empty = (value) => value === null || (Array.isArray(value) && !value.length);
    if (JSON.stringify(before) !== JSON.stringify(after) && !(empty(before) && empty(after))) changes[name] = after;
  }
  return changes;
}

// Importing a vendor list: a dry run first says what would change (or lists each problem row), then the
// import does it.
function mountImport(section, env, { onImported }) {
  const form = section.querySelector("[data-import-form]");
  const said = form.querySelector("[data-import-status]");
  const problems = form.querySelector("[data-import-problems]");
  const go = form.querySelector("[data-action=import]");
  const file = () => form.elements.file.files?.[0];
  const options = () => ({ rateUnit: form.elements.rate_unit.value });

  async function send(dryRun) {
    problems.replaceChildren();
    if (!file()) {
      setStatus(said, "Choose a roster file first.", "error");
      return;
    }
    setStatus(said, dryRun ? "Reading the file…" : "Importing…", "busy");
    try {
      const outcome = await env.api.importRoster(file(), { dryRun, ...options() });
      setStatus(said, outcomeLine(outcome), "ok");
      go.disabled = !dryRun;
      if (!dryRun) onImported(outcome);
    } catch (error) {
      go.disabled = true;
      setStatus(said, error.message, "error");
      problems.replaceChildren(...(error.errors ?? []).slice(0, 50).map((problem) =>
        textElement(form.ownerDocument, "li", "", problem.row ? `Row ${problem.row}, ${problem.column}: ${problem.message}` : problem.message)));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form.querySelector("[data-action=preview]"), () => send(true));
  });
  go.addEventListener("click", () => whileBusy(go, () => send(false)));
  form.addEventListener("change", () => { go.disabled = true; });
}

/** Return what an import did (or, for a dry run, would do), in a sentence. */
export function outcomeLine(outcome) {
  const counts = `${outcome.created} new, ${outcome.updated} changed, ${outcome.unchanged} unchanged`;
  const ignored = outcome.ignored_columns?.length ? ` Columns left out: ${outcome.ignored_columns.join(", ")}.` : "";
  return outcome.dry_run ? `This file would make ${counts}: import it to do so.${ignored}` : `Imported: ${counts}.${ignored}`;
}
