// What the SOW and NDA views share: the freelancer (roster or typed), your company (remembered),
// and generating the contract to insert into Word or download, with errors shown at their fields.

import { ApiError, toBase64 } from "../api.js";
import { clearErrors, collect, describeHints, fill, repeatable, showErrors } from "../forms.js";
import { mountGenerate } from "../generate.js";
import { keepLimits, missingRequired } from "../limits.js";
import { contractChanges } from "../revision.js";
import { setPath } from "../paths.js";
import { createPicker } from "../picker.js";
import { openAsNewDocument, replaceDocument } from "../word.js";
import { download, fillLocales, remember, remembered, setCardOpen, today } from "../ui.js";

/**
 * Wire a contract form. `template()` names the template to generate; `onFreelancer(f)` hears each
 * roster pick; `needsNda`: warn when the picked freelancer has no signed NDA in force (a SOW).
 * Return `{lists}`: the repeatable row managers by list name.
 */
export function mountContract(form, env, { template, onFreelancer = () => {}, onInput = () => {}, onEdit = () => {}, needsNda = false }) {
  const doc = form.ownerDocument;
  const slot = form.querySelector("[data-slot=freelancer]");
  slot.replaceChildren(doc.getElementById("tpl-freelancer").content.cloneNode(true));
  const freelancerId = slot.querySelector("[name=freelancer_id]");
  const manual = slot.querySelector("[data-manual]");
  const manualFields = slot.querySelector("[data-manual-fields]");

  function choose(freelancer) {
    freelancerId.value = freelancer?.id ?? "";
    manualFields.disabled = Boolean(freelancer);
    manual.hidden = Boolean(freelancer);
    if (freelancer) manual.open = false;
    showNda(slot.querySelector("[data-nda-note]"), freelancer, { needsNda, locale: form.elements.locale?.value });
    slot.querySelector("[data-missing]").hidden = true;
  }
  const picker = createPicker(slot.querySelector("[data-slot=picker]"), {
    label: "Search the roster",
    search: env.api.searchFreelancers,
    onPick(freelancer) {
      choose(freelancer);
      onFreelancer(freelancer);
    },
  });

  mountClient(form);
  fillLocales(form, remembered().locale ?? "en-US");
  for (const input of form.querySelectorAll("input[type=date][name=effective_date]")) input.value ||= today();
  fill(form, remembered(), { only: (control) => "remember" in control.dataset && !control.value });
  for (const input of form.querySelectorAll("[data-upper]")) {
    input.addEventListener("input", () => { input.value = input.value.toUpperCase(); });
  }

  const limits = keepLimits(form, env.api, template);
  const lists = {};
  for (const list of form.querySelectorAll("[data-list]")) {
    lists[list.dataset.list] = repeatable(list, { onChange: () => { limits.refresh(); onInput(); } });
    form.querySelector(`[data-add="${list.dataset.list}"]`)?.addEventListener("click", () => lists[list.dataset.list].add({}, { focus: true }));
  }
  describeHints(form);
  form.addEventListener("input", onInput);

  const editing = mountEditing(form, {
    open(record) {
      const data = record.data ?? {};
      clearErrors(form);
      onEdit(record);
      for (const [name, list] of Object.entries(lists)) {
        list.clear();
        for (const item of data[name] ?? []) list.add(withoutNulls(item));
      }
      for (const control of manualFields.elements) control.value = "";
      if (data.freelancer_id) {
        // The roster freelancer as the contract recorded them: picked, their details kept unless changed;
        // whether an NDA with them is in force is the roster's to say.
        const recorded = { ...data.freelancer, id: data.freelancer_id };
        picker.pick(recorded);
        choose(recorded);
        const note = slot.querySelector("[data-nda-note]");
        note.hidden = true;
        env.api.freelancer(recorded.id).then((current) => {
          if (freelancerId.value === current.id) showNda(note, current, { needsNda, locale: form.elements.locale?.value });
        }, () => {});
      } else {
        picker.clear();
        choose(null);
        manual.open = true;
      }
      // A language the list does not offer (the API's, a batch's) is kept, not lost to the first offered.
      const locale = form.elements.locale;
      if (data.locale && locale && ![...locale.options].some((option) => option.value === data.locale)) {
        locale.append(new doc.defaultView.Option(data.locale, data.locale));
      }
      const typed = (name) => name !== "freelancer_id" && !(data.freelancer_id && name.startsWith("freelancer."));
      fill(form, data, { only: (control) => typed(control.name) });
      const { Event } = doc.defaultView;
      for (const control of form.querySelectorAll("select, input[type=radio]")) control.dispatchEvent(new Event("change", { bubbles: true }));
      limits.refresh();
      onInput();
    },
  });

  mountGenerate(form, env, {
    noun: "contract",
    make: ({ template: id, data }) => {
      const edited = editing.record();
      return edited?.template === id
        ? env.api.regenerate(edited, contractChanges(edited.data, data, (path) => shows(form, path)))
        : env.api.generate(id, data);
    },
    request() {
      // Rows left empty are dropped rather than sent as blank items.
      Object.values(lists).forEach((list) => list.prune());
      const missing = missingFields(form, slot);
      if (missing.length) throw new ApiError(400, "Some required fields are empty.", missing);
      return { template: template(), data: collect(form) };
    },
    actions: contractActions(env),
    onGenerated: (record) => {
      // Someone else's contract edited is not your company to remember.
      if (editing.record() === null) rememberFrom(form);
      editing.made(record);
    },
    onFailure: (error) => offerToComplete(slot, env, error, () => form.requestSubmit()),
  });
  return { lists, limits };
}

/**
 * Let `form` make a new version of a recorded document: an "edit-document" event (its detail the record,
 * with its data) fills the form through `open(record)` and says so above it, until the user starts afresh.
 * Return `{record(), made(record)}`: the record being edited (null: none), and hearing each one made from
 * it, which the next edit builds on.
 */
function mountEditing(form, { open }) {
  const banner = form.ownerDocument.getElementById("tpl-editing").content.firstElementChild.cloneNode(true);
  form.querySelector("[data-error-summary]").after(banner);
  const text = banner.querySelector("[data-editing-text]");
  let record = null;
  const say = (words) => {
    text.textContent = words;
    banner.hidden = record === null;
  };
  form.addEventListener("edit-document", (event) => {
    record = event.detail;
    open(record);
    say(`Editing “${record.filename}”: what you make now is its new version, linked to it.`);
    banner.scrollIntoView?.({ block: "nearest" });
  });
  banner.querySelector("[data-stop-editing]").addEventListener("click", () => {
    record = null;
    say("");
  });
  return {
    record: () => record,
    made(made) {
      if (record === null) return;
      if (made.predecessor_id !== record.id) {
        // Made as a document of its own (the NDA's kind changed): the edit is over.
        record = null;
        say("");
        return;
      }
      const from = record.filename;
      record = made;
      say(`Made “${made.filename}” as the new version of “${from}”. Go on editing to make another.`);
    },
  };
}

// Whether `form` has a control for the data at `path`, or for data inside it.
function shows(form, path) {
  return [...form.querySelectorAll("[name]")].some(({ name }) => name === path || name.startsWith(`${path}.`) || name.startsWith(`${path}[`));
}

function withoutNulls(item) {
  return Object.fromEntries(Object.entries(item ?? {}).filter(([, value]) => value !== null));
}

/**
 * Return the required fields of a contract form left empty, before anything is sent. With neither a
 * roster freelancer picked nor any detail of one typed, that is one problem, said as what to do, rather
 * than each empty detail of a freelancer the user may mean to pick.
 */
export function missingFields(form, slot) {
  const chosen = Boolean(slot.querySelector("[name=freelancer_id]").value) ||
    [...slot.querySelectorAll("[data-manual-fields] [name]")].some((control) => control.value.trim());
  const missing = missingRequired(form).filter(({ field }) => chosen || !field.startsWith("freelancer."));
  return chosen ? missing : [{ field: "freelancer", message: "choose one from the roster, or enter their details" }, ...missing];
}

/**
 * When the API refused a contract because the picked roster freelancer lacks a detail it needs (an address,
 * a country), show those fields in place; saving them to the roster tries again (`retry`).
 */
export function offerToComplete(slot, env, error, retry) {
  const box = slot.querySelector("[data-missing]");
  const refusal = (error?.errors ?? []).find((problem) => problem.field === "freelancer_id" && / has no /.test(problem.message));
  const missing = refusal ? ["address", "country"].filter((name) => refusal.message.includes(` ${name}`)) : [];
  box.hidden = !missing.length;
  if (!missing.length) return;
  for (const field of box.querySelectorAll("[data-missing-field]")) {
    const shown = missing.includes(field.dataset.missingField);
    field.hidden = !shown;
    field.querySelector("input, textarea").disabled = !shown;
  }
  const id = slot.querySelector("[name=freelancer_id]").value;
  const save = box.querySelector("[data-save-missing]");
  save.onclick = async () => {
    const changes = Object.fromEntries(missing.map((name) => [name, box.querySelector(`[name="missing.${name}"]`).value.trim()]));
    try {
      await env.api.changeFreelancer(id, changes);
      box.hidden = true;
      retry();
    } catch (failure) {
      showErrors(box.closest("form"), (failure.errors ?? []).map((problem) => ({ ...problem, field: `missing.${problem.field}` })),
        "The roster record could not be completed");
    }
  };
  box.querySelector(`[name="missing.${missing[0]}"]`).focus();
}

/**
 * Say in `note` whether a signed NDA with the picked `freelancer` is in force (from its roster
 * record's `nda`), and until when; with `needsNda`, warn when none is, before the SOW is made.
 */
export function showNda(note, freelancer, { needsNda = false, locale = "en-US" } = {}) {
  const nda = freelancer?.nda;
  note.replaceChildren();
  note.hidden = !freelancer || (!nda?.in_force && !nda?.starts_on && !needsNda);
  if (note.hidden) return;
  const day = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString(locale, { dateStyle: "long", timeZone: "UTC" });
  if (nda?.in_force) {
    note.textContent = `A signed NDA with ${freelancer.name} is in force ${nda.until ? `until ${day(nda.until)}` : "until terminated"}.`;
    note.dataset.tone = "ok";
    return;
  }
  if (nda?.starts_on) {
    note.textContent = `A signed NDA with ${freelancer.name} takes effect on ${day(nda.starts_on)}: share nothing confidential before then.`;
    note.dataset.tone = "warn";
    return;
  }
  const link = note.ownerDocument.createElement("a");
  link.href = "?view=nda";
  link.dataset.goto = "nda";
  link.textContent = "Send an NDA";
  note.append(`No signed NDA with ${freelancer.name} is in force. `, link, " before this statement of work, or go on without one.");
  note.dataset.tone = "warn";
}

/** Return `record` as its PDF: the same document, downloaded (or linked) converted by the server. */
export function asPdf(record) {
  const url = new URL(record.download_url, "https://pane.invalid/");
  url.searchParams.set("format", "pdf");
  return { ...record, as: "pdf", filename: record.filename.replace(/\.docx$/i, "") + ".pdf", download_url: url.pathname + url.search };
}

/**
 * What can be done with a generated contract: download it as PDF (anywhere), and in Word open it as a
 * new document (WordApi 1.3) or, once the user confirmed, replace the open document's content with it
 * (WordApi 1.5).
 */
export function contractActions(env) {
  const word = env.host === "word";
  const base64Of = async (record) => toBase64(await env.api.file(record));
  return {
    pdf: {
      available: true,
      secondary: true,
      async into(record, doc) {
        const pdf = asPdf(record);
        await download(pdf, env, doc);
        return `“${pdf.filename}” is ready: a PDF/A to send for signature.`;
      },
    },
    insert: {
      available: word && env.supports("WordApi", "1.3"),
      async into(record) {
        const base64 = await base64Of(record);
        await env.Word.run((context) => openAsNewDocument(context, base64));
        return `Opened “${record.filename}” as a new document. Save it where your team keeps contracts.`;
      },
    },
    replace: {
      available: word && env.supports("WordApi", "1.5"),
      confirm: () => "This replaces everything in the open document, its headers and footers included, with the contract. Replace it?",
      async into(record) {
        const base64 = await base64Of(record);
        await env.Word.run((context) => replaceDocument(context, base64));
        return `Replaced this document's content with “${record.filename}”.`;
      },
    },
  };
}

function mountClient(form) {
  const slot = form.querySelector("[data-slot=client]");
  slot.replaceChildren(form.ownerDocument.getElementById("tpl-client").content.cloneNode(true));
  const known = remembered().client;
  const section = form.querySelector("[data-client-section]");
  if (known?.name) {
    // A returning user's company is filled in: keep the section out of the way.
    setCardOpen(section, false);
    section.querySelector("[data-client-note]").textContent = known.name;
  }
  const toggle = slot.querySelector("[data-remember-toggle]");
  toggle.checked = remembered().forget !== true;
  toggle.addEventListener("change", () => {
    if (!toggle.checked) remember(null);
    remember({ forget: !toggle.checked });
  });
}

function rememberFrom(form) {
  if (!form.querySelector("[data-remember-toggle]")?.checked) return;
  const values = {};
  for (const control of form.querySelectorAll("[data-remember]")) {
    if (control.value.trim()) setPath(values, control.name, control.value.trim());
  }
  const locale = form.querySelector("select[name=locale]")?.value;
  remember({ ...values, client: { ...(remembered().client ?? {}), ...(values.client ?? {}) }, ...(locale ? { locale } : {}) });
}

