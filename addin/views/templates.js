// The "New document" view: every template the server offers. The shipped ones open their own views;
// any other (a company template) opens a form drawn from its JSON Schema, which generates the
// document as a contract is generated: open it in Word, replace the open document, or download it.

import { toBase64 } from "../api.js";
import { clearErrors, reportFailure } from "../forms.js";
import { mountGenerate } from "../generate.js";
import { schemaForm } from "../schema-form.js";
import { downloadBytes, setStatus, whileBusy } from "../ui.js";
import { openAsNewDocument } from "../word.js";
import { contractActions } from "./contract.js";

/** The event the document hears when company templates were published or retired. */
export const TEMPLATES_CHANGED = "freelance:templates-changed";

/** The shipped templates that have a view of their own, by template id. */
export const OWN_VIEWS = { sow: "sow", "nda-mutual": "nda", "nda-one-way": "nda", budget: "budget" };

/** Say to the pane's views that the company's templates changed. */
export function templatesChanged(doc) {
  doc.dispatchEvent(new doc.defaultView.Event(TEMPLATES_CHANGED));
}

/** Return how a template's version reads: "Version 2 · 2027-01-04 · megan@contoso.com". */
export function describeVersion({ number, created_at: createdAt, created_by: createdBy }) {
  const who = typeof createdBy === "string" ? createdBy : createdBy?.name ?? createdBy?.email;
  return [number ? `Version ${number}` : null, typeof createdAt === "string" ? createdAt.slice(0, 10) : null, who]
    .filter(Boolean).join(" · ");
}

export function mountTemplates(section, env) {
  const doc = section.ownerDocument;
  const chooser = section.querySelector("[data-template-list]");
  const listStatus = section.querySelector("[data-list-status]");
  const form = section.querySelector("form");
  const title = form.querySelector("[data-form-title]");
  const description = form.querySelector("[data-form-description]");
  const slot = form.querySelector("[data-slot=schema-form]");
  const status = form.querySelector("[data-status]");
  let chosen = null;
  let opening = 0;

  mountGenerate(form, env, {
    noun: "document",
    request() {
      if (!chosen) throw new Error("The form is not ready yet: wait for it to load, or choose the template again.");
      return { template: chosen.template.id, data: chosen.fields.collect() };
    },
    actions: contractActions(env),
  });
  mountPreview(form, env, () => chosen?.template);

  async function open(template) {
    const ticket = ++opening;
    chosen = null;
    chooser.hidden = true;
    form.hidden = false;
    title.textContent = template.title;
    description.textContent = "";
    slot.replaceChildren();
    clearErrors(form);
    setStatus(status, "Loading the form…", "busy");
    title.focus();
    try {
      const schema = await env.api.schemaOf(template);
      if (ticket !== opening) return;
      chosen = { template, fields: schemaForm(slot, schema) };
      description.textContent = typeof schema.description === "string" ? schema.description : "";
      setStatus(status, "");
    } catch (error) {
      if (ticket === opening) setStatus(status, `The form could not be loaded: ${error.message}`, "error");
    }
  }

  form.querySelector("[data-back]").addEventListener("click", () => {
    opening += 1;
    chosen = null;
    form.hidden = true;
    chooser.hidden = false;
    chooser.querySelector("a, button")?.focus();
  });

  async function load() {
    setStatus(listStatus, "Loading the templates…", "busy");
    try {
      const templates = await env.api.templates();
      const company = templates.filter((template) => template.source === "company");
      const shipped = templates.filter((template) => template.source !== "company");
      chooser.querySelector("[data-company]").replaceChildren(...company.map((template) => choice(doc, template, open)));
      chooser.querySelector("[data-company-empty]").hidden = company.length > 0;
      chooser.querySelector("[data-shipped]").replaceChildren(...shipped.map((template) => choice(doc, template, open)));
      setStatus(listStatus, "");
    } catch (error) {
      setStatus(listStatus, `The templates could not be listed: ${error.message}`, "error");
    }
  }

  doc.addEventListener(TEMPLATES_CHANGED, load);
  load();
}

// One template to choose: a link to its own view (shipped), or a button that opens its form.
function choice(doc, template, open) {
  const item = doc.createElement("li");
  const view = template.source === "company" ? null : OWN_VIEWS[template.id];
  const control = doc.createElement(view ? "a" : "button");
  control.className = "template-choice";
  if (view) {
    control.href = `?view=${view}`;
    control.dataset.goto = view;
  } else {
    control.type = "button";
    control.addEventListener("click", () => open(template));
  }
  const name = doc.createElement("span");
  name.className = "choice-title";
  name.textContent = template.title;
  const meta = doc.createElement("span");
  meta.className = "choice-meta";
  meta.textContent = template.source === "company" ? describeVersion(template) : `${String(template.format ?? "").toUpperCase()} · its own form`;
  control.append(name, meta);
  item.append(control);
  return item;
}

/**
 * Wire the Preview button: the template filled with the server's sample data, opened as a new
 * document in Word (WordApi 1.3) or downloaded in a browser; hidden where neither can be done (a
 * task pane's webview does not download bytes).
 */
function mountPreview(form, env, template) {
  const button = form.querySelector("[data-preview]");
  const status = form.querySelector("[data-status]");
  const inWord = env.host === "word" && env.supports("WordApi", "1.3");
  button.hidden = !inWord && env.host !== "browser";
  button.addEventListener("click", () => whileBusy(button, async () => {
    const chosen = template();
    if (!chosen) return;
    clearErrors(form);
    setStatus(status, "Filling the template with sample data…", "busy");
    try {
      const bytes = await env.api.preview(chosen.id);
      const filename = `${chosen.id} preview.docx`;
      if (inWord) {
        await env.Word.run((context) => openAsNewDocument(context, toBase64(bytes)));
        setStatus(status, "Opened a preview with sample data as a new document.", "ok");
      } else {
        downloadBytes(bytes, filename, form.ownerDocument);
        setStatus(status, `“${filename}” is ready: the template filled with sample data.`, "ok");
      }
    } catch (error) {
      reportFailure(form, status, error);
    }
  }));
}
