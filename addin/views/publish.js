// The "Publish as template" view: legal or procurement publish their company's document (typed
// with tags such as {{ client.name }}) as a template for hiring managers. In Word the open document
// is sent as it is; in a browser a .docx is chosen. Every problem the server finds is listed with
// where it is, and in Word "Show" selects the tag in the document. Below, the company's templates:
// their versions, and retiring one.

import { ApiError } from "../api.js";
import { canReadDocument, readDocument } from "../document-file.js";
import { clearErrors, showErrors } from "../forms.js";
import { describePath } from "../paths.js";
import { askInline, setStatus, whileBusy } from "../ui.js";
import { selectText } from "../word.js";
import { describeVersion, templatesChanged } from "./templates.js";

/** What a template id may be: lowercase letters, digits and hyphens, 3 to 64 of them. */
export const TEMPLATE_ID = /^[a-z0-9-]{3,64}$/;

/** Return the id suggested for a template titled `title`: "Contoso SOW (2027)" -> "contoso-sow-2027". */
export function slugFrom(title) {
  return String(title).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "").slice(0, 64).replace(/-+$/, "");
}

/** Return the problems of what is about to be published ({field, message}, as the API words them). */
export function publishProblems({ id, title, file }, { needsFile }) {
  const problems = [];
  if (needsFile && !file) problems.push({ field: "file", message: "Choose the Word document (.docx) to publish." });
  else if (needsFile && !/\.docx$/i.test(file.name ?? "")) problems.push({ field: "file", message: "Choose a Word document (.docx)." });
  if (!title) problems.push({ field: "title", message: "Give the template a title, e.g. Contoso statement of work." });
  if (!TEMPLATE_ID.test(id)) problems.push({ field: "id", message: "Use 3 to 64 lowercase letters, digits and hyphens, e.g. contoso-sow." });
  return problems;
}

// The form's own fields: a problem of theirs is also shown beside its input.
const FORM_FIELDS = new Set(["id", "title", "schema"]);

export function mountPublish(section, env) {
  const doc = section.ownerDocument;
  const form = section.querySelector("form");
  const status = form.querySelector("[data-status]");
  const button = form.querySelector("[data-action=publish]");
  const [id, title, upload, schema] = ["id", "title", "file", "schema"].map((name) => form.elements.namedItem(name));
  // In Word the open document is published; elsewhere (or where Word cannot hand it over) a file.
  const fromWord = env.host === "word" && canReadDocument(env.Office);
  upload.closest(".field").hidden = fromWord;
  upload.disabled = fromWord;
  for (const lede of form.querySelectorAll("[data-lede]")) lede.hidden = lede.dataset.lede !== (fromWord ? "word" : "file");

  let idTyped = false;
  id.addEventListener("input", () => { idTyped = id.value !== ""; });
  title.addEventListener("input", () => { if (!idTyped) id.value = slugFrom(title.value); });

  const problems = problemList(section.querySelector("[data-problems]"), env, { canShow: fromWord });
  const warnings = problemList(section.querySelector("[data-warnings]"), env, { canShow: fromWord });
  const managed = mountManaged(section.querySelector("[data-company-templates]"), env, {
    onNewVersion(template) {
      title.value = template.title;
      id.value = template.id;
      idTyped = true;
      setStatus(status, `Publish to make version ${template.number + 1} of “${template.title}”.`, "info");
      (fromWord ? button : upload).focus();
    },
  });

  async function publish() {
    clearErrors(form);
    problems.clear();
    warnings.clear();
    const fields = { id: id.value.trim(), title: title.value.trim(), schema: schema.files?.[0] ?? null };
    const chosen = fromWord ? null : upload.files?.[0] ?? null;
    const mistakes = publishProblems({ ...fields, file: chosen }, { needsFile: !fromWord });
    if (mistakes.length) {
      showErrors(form, mistakes);
      setStatus(status, "Fix the problems marked in red, then publish.", "error");
      return;
    }
    let file = chosen;
    if (fromWord) {
      setStatus(status, "Reading the document from Word…", "busy");
      try {
        file = await readDocument(env.Office);
      } catch (error) {
        setStatus(status, `Nothing was published. ${error.message}`, "error");
        return;
      }
    }
    const sent = { ...fields, file, filename: chosen?.name ?? `${fields.id}.docx` };
    setStatus(status, "Checking and publishing the template…", "busy");
    try {
      done(await env.api.publishTemplate(sent), false);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await taken(sent, error);
      else refused(error);
    }
  }

  // The id is taken: by one of the company's templates (offer its next version) or a shipped one.
  async function taken(sent, error) {
    const existing = (await env.api.templates().catch(() => [])).find((template) => template.id === sent.id);
    if (existing?.source !== "company") {
      const message = existing ? `“${sent.id}” is a template shipped with the toolkit: choose another id.` : error.message;
      showErrors(form, [{ field: "id", message }]);
      setStatus(status, "Nothing was published: the id is taken.", "error");
      return;
    }
    const question = `Your company already has “${existing.title}” with the id “${sent.id}” (version ${existing.number}). ` +
      `Publish this document as version ${existing.number + 1}? Documents made before keep the version they were made from.`;
    if (!(await askInline(status, question, "Publish a new version"))) {
      setStatus(status, "Nothing was published.", "info");
      return;
    }
    setStatus(status, "Checking and publishing the new version…", "busy");
    try {
      done(await env.api.publishVersion(sent.id, sent), true);
    } catch (failure) {
      refused(failure);
    }
  }

  function done(template, newVersion) {
    const said = newVersion
      ? `Published version ${template.number} of “${template.title}”: new documents are made from it.`
      : `Published “${template.title}” as a company template (id ${template.id}). Hiring managers find it under Templates.`;
    const notes = template.warnings ?? [];
    setStatus(status, notes.length ? `${said} See the notes below.` : said, "ok");
    warnings.show(`${notes.length === 1 ? "A note" : `${notes.length} notes`} on the template`, notes);
    templatesChanged(doc);
    managed.load();
  }

  function refused(error) {
    if (error instanceof ApiError && error.errors.length) {
      const own = error.errors.filter((each) => FORM_FIELDS.has(String(each.field ?? "").split(/[.[]/)[0]));
      if (own.length) showErrors(form, own);
      const count = error.errors.length;
      problems.show(`Not published: ${count === 1 ? "one problem" : `${count} problems`} to fix`, error.errors);
      setStatus(status, `Nothing was published: fix the ${count === 1 ? "problem" : `${count} problems`} listed, then publish again.`, "error");
      problems.focus();
    } else {
      setStatus(status, `Nothing was published: ${error.message}`, "error");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(button, () => publish().catch((error) => setStatus(status, `Something went wrong: ${error.message}`, "error")));
  });
  managed.load();
}

/**
 * A card listing problems (or notes) `{field, message, location?, tag?}`: each with where it is and
 * its tag; with `canShow`, a Show button selects the tag in the open document.
 * Return `{show(headline, problems), clear(), focus()}`.
 */
function problemList(card, env, { canShow }) {
  const doc = card.ownerDocument;
  const heading = card.querySelector("h2");
  const list = card.querySelector("ol, ul");

  function item(problem) {
    const entry = doc.createElement("li");
    const message = doc.createElement("p");
    message.className = "problem-message";
    const field = String(problem.field ?? "");
    message.textContent = !field || field === "file" ? problem.message : `${describePath(field)}: ${problem.message}`;
    entry.append(message);
    if (problem.location) {
      const where = doc.createElement("p");
      where.className = "problem-where";
      where.textContent = problem.location;
      entry.append(where);
    }
    if (problem.tag) {
      const line = doc.createElement("p");
      line.className = "problem-tag";
      const tag = doc.createElement("code");
      tag.textContent = problem.tag;
      line.append(tag);
      if (canShow) line.append(" ", showButton(problem.tag, entry));
      entry.append(line);
    }
    return entry;
  }

  function showButton(tag, entry) {
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "button subtle small";
    button.textContent = "Show";
    button.setAttribute("aria-label", `Show ${tag} in the document`);
    const note = doc.createElement("p");
    note.className = "status";
    note.setAttribute("role", "status");
    entry.append(note);
    button.addEventListener("click", () => whileBusy(button, async () => {
      try {
        const found = await env.Word.run((context) => selectText(context, tag));
        setStatus(note, found ? "" : "Not found in the body of the document: it may be in a header, footer or text box, or have changed since.",
          found ? "info" : "error");
      } catch (error) {
        setStatus(note, `Word could not look for it: ${error.message}`, "error");
      }
    }));
    return button;
  }

  return {
    show(headline, problems) {
      heading.textContent = headline;
      list.replaceChildren(...problems.map(item));
      card.hidden = problems.length === 0;
    },
    clear() {
      list.replaceChildren();
      card.hidden = true;
    },
    focus: () => card.focus(),
  };
}

/** The company's templates: each with its versions, a new version to publish, and Retire. Return `{load()}`. */
function mountManaged(card, env, { onNewVersion }) {
  const doc = card.ownerDocument;
  const status = card.querySelector("[data-manage-status]");
  const list = card.querySelector("[data-managed]");

  async function load() {
    try {
      const mine = (await env.api.templates()).filter((template) => template.source === "company");
      list.replaceChildren(...mine.map(entry));
      setStatus(status, mine.length ? "" : "None yet: the templates your company publishes are listed here.");
    } catch (error) {
      setStatus(status, `The company's templates could not be listed: ${error.message}`, "error");
    }
  }

  const text = (tag, className, value) => {
    const node = doc.createElement(tag);
    node.className = className;
    node.textContent = value;
    return node;
  };
  const button = (label, describedBy) => {
    const node = text("button", "button small", label);
    node.type = "button";
    node.setAttribute("aria-describedby", describedBy);
    return node;
  };

  function entry(template) {
    const item = doc.createElement("li");
    item.className = "managed";
    const name = text("p", "managed-title", template.title);
    name.id = `managed-${Math.random().toString(36).slice(2)}`;
    const meta = text("p", "managed-meta", [template.id, describeVersion(template)].filter(Boolean).join(" · "));
    const versions = text("ol", "versions", "");
    versions.hidden = true;
    const buttons = doc.createElement("div");
    buttons.className = "buttons";
    const toggle = button("Versions", name.id);
    toggle.setAttribute("aria-expanded", "false");
    const again = button("New version", name.id);
    const retire = button("Retire…", name.id);
    buttons.append(toggle, again, retire);
    const said = text("p", "status", "");
    said.setAttribute("role", "status");
    item.append(name, meta, buttons, said, versions);

    toggle.addEventListener("click", () => whileBusy(toggle, async () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      if (open) {
        try {
          const found = await env.api.templateVersions(template.id);
          versions.replaceChildren(...found.map((version) =>
            text("li", "", `${describeVersion(version)} · SHA-256 ${String(version.version ?? "").slice(0, 12)}`)));
          setStatus(said, "");
        } catch (error) {
          setStatus(said, `The versions could not be listed: ${error.message}`, "error");
          return;
        }
      }
      versions.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
    }));
    again.addEventListener("click", () => onNewVersion(template));
    retire.addEventListener("click", () => whileBusy(retire, async () => {
      const question = `Retire “${template.title}”? Hiring managers will no longer see it; the documents made from it are kept.`;
      if (!(await askInline(said, question, "Retire"))) {
        setStatus(said, "Nothing was changed.");
        return;
      }
      try {
        await env.api.retireTemplate(template.id);
        item.remove();
        setStatus(status, `Retired “${template.title}”.`, "ok");
        templatesChanged(doc);
        if (!list.children.length) setStatus(status, `Retired “${template.title}”. No company templates are left.`, "ok");
      } catch (error) {
        setStatus(said, `It was not retired: ${error.message}`, "error");
      }
    }));
    return item;
  }

  return { load };
}
