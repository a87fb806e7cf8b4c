// What the SOW and NDA views share: the freelancer (roster or typed), your company (remembered),
// and generating the contract to insert into Word or download, with errors shown at their fields.

import { toBase64 } from "../api.js";
import { clearErrors, collect, describeHints, fill, repeatable, reportFailure } from "../forms.js";
import { setPath } from "../paths.js";
import { mountOneDrive } from "../onedrive.js";
import { createPicker } from "../picker.js";
import { replaceBody } from "../word.js";
import { download, downloadLink, fillLocales, remember, remembered, setStatus, today, whileBusy } from "../ui.js";

/**
 * Wire a contract form. `template()` names the template to generate; `onFreelancer(f)` hears each
 * roster pick. Return `{lists}`: the repeatable row managers by list name.
 */
export function mountContract(form, env, { template, onFreelancer = () => {}, onInput = () => {} }) {
  const doc = form.ownerDocument;
  const status = form.querySelector("[data-status]");
  const slot = form.querySelector("[data-slot=freelancer]");
  slot.replaceChildren(doc.getElementById("tpl-freelancer").content.cloneNode(true));
  const freelancerId = slot.querySelector("[name=freelancer_id]");
  const manual = slot.querySelector("[data-manual]");
  const manualFields = slot.querySelector("[data-manual-fields]");

  createPicker(slot.querySelector("[data-slot=picker]"), {
    label: "Search the roster",
    search: env.api.searchFreelancers,
    onPick(freelancer) {
      freelancerId.value = freelancer?.id ?? "";
      manualFields.disabled = Boolean(freelancer);
      manual.hidden = Boolean(freelancer);
      if (freelancer) manual.open = false;
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

  const lists = {};
  for (const list of form.querySelectorAll("[data-list]")) {
    lists[list.dataset.list] = repeatable(list, { onChange: onInput });
    form.querySelector(`[data-add="${list.dataset.list}"]`)?.addEventListener("click", () => lists[list.dataset.list].add({}, { focus: true }));
  }
  describeHints(form);
  form.addEventListener("input", onInput);

  const insert = form.querySelector("[data-action=insert]");
  const save = form.querySelector("[data-action=download]");
  if (env.host !== "word") {
    // No document to insert into: downloading is what the form is for.
    insert.hidden = true;
    save.type = "submit";
    save.classList.add("primary");
  }
  const offerOneDrive = mountOneDrive(form, env);

  async function generate(verb) {
    Object.values(lists).forEach((list) => list.prune());
    clearErrors(form);
    offerOneDrive(null);
    setStatus(status, `${verb}…`, "busy");
    try {
      const record = await env.api.generate(template(), collect(form));
      rememberFrom(form);
      offerOneDrive(record);
      return record;
    } catch (error) {
      return reportFailure(form, status, error);
    }
  }

  async function insertIntoDocument() {
    const record = await generate("Generating the contract");
    if (!record) return;
    try {
      const base64 = toBase64(await env.api.file(record));
      await env.Word.run((context) => replaceBody(context, base64));
      setStatus(status, `Inserted “${record.filename}” into this document.`, "ok");
    } catch (error) {
      setStatus(status, `The contract was generated but could not be inserted: ${error.message}`, "error",
        downloadLink(record, env, "Download it instead", status));
    }
  }

  async function downloadFile() {
    const record = await generate("Generating the contract");
    if (!record) return;
    try {
      await download(record, env, doc);
    } catch (error) {
      setStatus(status, `The contract was generated but could not be downloaded: ${error.message}`, "error");
      return;
    }
    setStatus(status, `“${record.filename}” is ready.`, "ok", downloadLink(record, env, "Download again", status));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = env.host === "word" ? insert : save;
    whileBusy(button, env.host === "word" ? insertIntoDocument : downloadFile);
  });
  save.addEventListener("click", (event) => {
    if (save.type === "submit") return;
    event.preventDefault();
    whileBusy(save, downloadFile);
  });
  return { lists };
}

function mountClient(form) {
  const slot = form.querySelector("[data-slot=client]");
  slot.replaceChildren(form.ownerDocument.getElementById("tpl-client").content.cloneNode(true));
  const known = remembered().client;
  const section = form.querySelector("[data-client-section]");
  if (known?.name) {
    // A returning user's company is filled in: keep the section out of the way.
    section.open = false;
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

