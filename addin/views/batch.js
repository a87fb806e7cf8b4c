// The "Send to several freelancers" view: one template's document for each of many roster freelancers,
// chosen one by one or every one a roster filter matches, from the data they share, typed once in the
// form drawn from the template's schema. The server makes the documents; the view then follows the
// batch (batch-progress.js) to its zip.

import { clearErrors, collect, reportFailure, showErrors } from "../forms.js";
import { createPicker, describeFreelancer } from "../picker.js";
import { schemaForm } from "../schema-form.js";
import { setStatus, textElement, whileBusy } from "../ui.js";
import { counted, mountProgress, mountRecent, POLL_EVERY } from "./batch-progress.js";

// The fields the server fills for each freelancer from the roster: the shared data leaves them out.
const PER_FREELANCER = ["freelancer", "freelancer_id"];

// Whether a template's `schema` has a freelancer the roster fills (freelancer_id).
const hasRosterFreelancer = (schema) => Boolean(schema?.properties?.freelancer_id);

/** Return `schema` without the fields filled for each freelancer (PER_FREELANCER): the shared data's. */
export function sharedSchema(schema) {
  const shared = (name) => !PER_FREELANCER.includes(name);
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([name]) => shared(name))),
    required: (schema.required ?? []).filter(shared),
  };
}

/** Wire the view in `section`; a running batch is asked how far it got every `pollEvery` ms. */
export function mountBatch(section, env, { pollEvery = POLL_EVERY } = {}) {
  const form = section.querySelector("form");
  const panel = section.querySelector("[data-batch]");
  const recentCard = section.querySelector("[data-recent]");
  const status = form.querySelector("[data-status]");
  const titles = new Map();
  const selection = mountSelection(form, env);
  const documents = mountDocuments(form, env, titles);
  const progress = mountProgress(panel, env, { pollEvery, titles, onAnother: showForm });
  const recent = mountRecent(recentCard, env, { titles, onOpen: follow });

  function follow(batch) {
    form.hidden = true;
    recentCard.hidden = true;
    progress.follow(batch);
  }

  function showForm() {
    progress.hide();
    form.hidden = false;
    recentCard.hidden = false;
    recent.load();
    form.querySelector("h2 button").focus();
  }

  async function start() {
    clearErrors(form);
    const problems = [...selection.problems(), ...documents.problems()];
    if (problems.length) {
      showErrors(form, problems, "Not started yet");
      setStatus(status, "Fix the problems marked in red, then start again.", "error");
      return;
    }
    setStatus(status, "Starting the batch…", "busy");
    try {
      const batch = await env.api.startBatch({ ...documents.request(), ...selection.chosen() });
      setStatus(status, "");
      follow(batch);
    } catch (error) {
      reportFailure(form, status, error, "Not started yet");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    whileBusy(form.querySelector("[data-action=start]"), start);
  });
  // A batch is followed only while its view shows; it runs on the server all the same.
  new section.ownerDocument.defaultView.MutationObserver(() => (section.hidden ? progress.stop() : progress.resume()))
    .observe(section, { attributes: true, attributeFilter: ["hidden"] });
  documents.loaded.then(recent.load);
}

// Who gets a document: freelancers picked from the roster one by one, or every one a filter matches.
function mountSelection(form, env) {
  const doc = form.ownerDocument;
  const pickedGroup = form.querySelector("[data-who=picked]");
  const filter = form.querySelector("[data-who=roster]");
  const list = form.querySelector("[data-picks]");
  const picks = [];
  const byFilter = () => form.querySelector("input[name=batch_who]:checked").value === "roster";
  const rosterFilter = () => collect(filter).roster ?? {};

  const picker = createPicker(form.querySelector("[data-slot=picker]"), {
    label: "Add a freelancer from the roster",
    multiple: true,
    search: env.api.searchFreelancers,
    onPick(freelancer) {
      if (!picks.some((each) => each.id === freelancer.id)) picks.push(freelancer);
      render();
    },
  });

  function render() {
    list.replaceChildren(...picks.map((freelancer, index) => pickItem(doc, freelancer, index, () => {
      picks.splice(index, 1);
      render();
      const next = list.children[index] ?? list.lastElementChild;
      (next?.querySelector("button") ?? picker.input).focus();
    })));
    form.querySelector("[data-picks-empty]").hidden = picks.length > 0;
  }

  const countMatches = matchCounter(filter.querySelector("[data-matches]"), env, rosterFilter);
  function showChoice() {
    pickedGroup.hidden = byFilter();
    filter.hidden = !byFilter();
    filter.disabled = !byFilter();
    if (byFilter()) countMatches();
  }
  form.querySelector("[data-who-choice]").addEventListener("change", showChoice);
  filter.addEventListener("input", (event) => {
    if ("upper" in event.target.dataset) event.target.value = event.target.value.toUpperCase();
    countMatches({ delay: 300 });
  });
  render();

  return {
    /** The batch's freelancers as the API takes them: {freelancer_ids} or {roster}. */
    chosen: () => (byFilter() ? { roster: rosterFilter() } : { freelancer_ids: picks.map((freelancer) => freelancer.id) }),
    problems: () => (byFilter() || picks.length ? [] : [{ field: "freelancer_ids", message: "Choose at least one freelancer from the roster." }]),
  };
}

// A picked freelancer, named as the place of the API's errors about them ("freelancer_ids[2]").
function pickItem(doc, freelancer, index, remove) {
  const item = textElement(doc, "li", "pick", "");
  item.dataset.field = `freelancer_ids[${index}]`;
  const button = textElement(doc, "button", "button subtle small", "Remove");
  button.type = "button";
  button.setAttribute("aria-label", `Remove ${freelancer.name}`);
  button.addEventListener("click", remove);
  item.append(textElement(doc, "p", "group-title", freelancer.name),
    textElement(doc, "p", "choice-meta", [describeFreelancer(freelancer), freelancer.email].filter(Boolean).join(" · ")), button);
  return item;
}

// Say in `line` how many freelancers the roster filter matches; a count overtaken by typing is dropped.
function matchCounter(line, env, filter) {
  let timer = null;
  let counting = null;
  async function countNow() {
    counting?.abort();
    const controller = new AbortController();
    counting = controller;
    try {
      const total = await env.api.countFreelancers(filter(), { signal: controller.signal });
      if (counting === controller) setStatus(line, total ? `${counted(total, "freelancer")} will get a document.` : "No freelancer matches.", total ? "info" : "error");
    } catch (error) {
      if (error?.name !== "AbortError") setStatus(line, `The freelancers who match could not be counted: ${error.message}`, "error");
    }
  }
  return ({ delay = 0 } = {}) => {
    clearTimeout(timer);
    timer = setTimeout(countNow, delay);
  };
}

// What each freelancer gets: a template with a roster freelancer, as Word or PDF, and the shared data.
function mountDocuments(form, env, titles) {
  const doc = form.ownerDocument;
  const select = form.elements.namedItem("template");
  const formats = form.querySelector("[data-formats]");
  const slot = form.querySelector("[data-slot=schema-form]");
  const status = form.querySelector("[data-document-status]");
  const choices = new Map();
  let shared = null;

  async function load() {
    setStatus(status, "Loading the templates…", "busy");
    try {
      const templates = await env.api.templates();
      // A template whose schema cannot be read cannot be drawn: it is not offered.
      const schemas = await Promise.all(templates.map((template) => env.api.schemaOf(template).catch(() => null)));
      templates.forEach((template, i) => {
        titles.set(template.id, template.title);
        if (hasRosterFreelancer(schemas[i])) choices.set(template.id, { template, schema: schemas[i] });
      });
      select.append(...[...choices.values()].map(({ template }) => new doc.defaultView.Option(template.title, template.id)));
      setStatus(status, "");
    } catch (error) {
      setStatus(status, `The templates could not be listed: ${error.message}`, "error");
    }
  }

  select.addEventListener("change", () => {
    const chosen = choices.get(select.value);
    const word = chosen?.template.format === "docx";
    formats.hidden = !word;
    formats.disabled = !word;
    form.querySelector("[data-shared-note]").hidden = !chosen;
    if (chosen) shared = schemaForm(slot, sharedSchema(chosen.schema), { prefix: "data" });
    else slot.replaceChildren();
  });

  return {
    loaded: load(),
    /** The template, data and format of the batch, as the API takes them. */
    request() {
      const pdf = !formats.disabled && form.querySelector("input[name=format]:checked").value === "pdf";
      return { template: select.value, data: shared.collect(), ...(pdf ? { format: "pdf" } : {}) };
    },
    problems: () => (choices.has(select.value) ? [] : [{ field: "template", message: "Choose the template of the documents." }]),
  };
}

