// Generating a document from a form, the one way every document view does it: generate, then put
// it into Office (where the host can) or download it, and say how it went.

import { clearErrors, reportFailure } from "./forms.js";
import { mountOneDrive } from "./onedrive.js";
import { askInline, download, downloadLink, setStatus, whileBusy } from "./ui.js";

/**
 * Wire `form`'s buttons: one per host action in `actions` (a button [data-action=<name>]) and
 * Download ([data-action=download]). The first available action is the form's primary (submit)
 * action; where none is available (no host, or the host lacks the API) Download is.
 * The options:
 * - `noun`: what the messages call the document ("contract", "tracker")
 * - `request()`: what to generate, `{template, data, format?}`, read from the form at each press
 * - `make(request)`: generates it and resolves to the record (default: a new document; an edit makes
 *   its new version instead)
 * - `actions`: `{name: {available, into(record), confirm?(), secondary?}}`. `confirm()` may return a question
 *   (or null): the user is asked before anything is generated. `into(record)` puts the document
 *   into Office and returns what to say; an error with `fallback: "download"` downloads instead.
 * - `onGenerated(record)`: hears each document generated
 * - `onFailure(error)`: hears each refusal, once it is shown
 * - `after(record, bytes)`: runs once the document is in Office or downloaded, or failed to be,
 *   with the document's bytes
 */
export function mountGenerate(form, env, { noun, request, make = ({ template, data, format }) => env.api.generate(template, data, format),
  actions = {}, onGenerated = () => {}, onFailure = () => {}, after = null }) {
  const status = form.querySelector("[data-status]");
  const save = form.querySelector("[data-action=download]");
  // A secondary action (Download PDF) is offered but never made the form's primary one.
  const available = Object.keys(actions).filter((name) => actions[name].available && !actions[name].secondary);
  for (const name of Object.keys(actions)) form.querySelector(`[data-action=${name}]`).hidden = !actions[name].available;
  const primary = available[0] ?? "download";
  for (const button of form.querySelectorAll("[data-action]")) {
    if (button.dataset.action in actions || button === save) {
      button.type = button.dataset.action === primary ? "submit" : "button";
      button.classList.toggle("primary", button.dataset.action === primary);
    }
  }
  const offerOneDrive = mountOneDrive(form, env);

  async function generate() {
    clearErrors(form);
    offerOneDrive(null);
    setStatus(status, `Generating the ${noun}…`, "busy");
    try {
      const record = await make(request());
      onGenerated(record);
      offerOneDrive(record);
      return record;
    } catch (error) {
      reportFailure(form, status, error);
      onFailure(error);
      return null;
    }
  }

  async function saved(record) {
    await download(record, env, form.ownerDocument);
    return `“${record.filename}” is ready.`;
  }

  async function run(name, button) {
    const action = actions[name];
    const question = action?.confirm ? await action.confirm() : null;
    if (question && !(await askInline(status, question, button.textContent.replace("…", "")))) {
      setStatus(status, "Nothing was changed.", "info");
      return;
    }
    const record = await generate();
    if (!record) return;
    try {
      const said = action ? await action.into(record, form.ownerDocument) : await saved(record);
      setStatus(status, said, "ok", downloadLink(record, env, action ? "Download a copy" : "Download again", status));
    } catch (error) {
      if (action && error?.fallback === "download") {
        await fallBack(record, error);
      } else {
        setStatus(status, `The ${noun} was generated but could not be ${action ? "put into the document" : "downloaded"}: ${error.message}`,
          "error", action ? downloadLink(record, env, "Download it instead", status) : null);
      }
    }
    if (after) {
      const bytes = await env.api.file(record).catch(() => null);
      if (bytes) await after(record, bytes);
    }
  }

  async function fallBack(record, error) {
    try {
      await download(record, env, form.ownerDocument);
      setStatus(status, `${error.message} It is downloading now.`, "info", downloadLink(record, env, "Download again", status));
    } catch (failure) {
      setStatus(status, `${error.message} ${failure.message}`, "error");
    }
  }

  // Whatever fails on the way (Office refusing a read, the summary) is said, never left unseen.
  const attempt = (name, button) => whileBusy(button, () => run(name, button).catch((error) => {
    setStatus(status, `Something went wrong: ${error.message}`, "error");
  }));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(primary, form.querySelector(`[data-action=${primary}]`));
  });
  for (const button of form.querySelectorAll("[data-action]")) {
    if (!(button.dataset.action in actions) && button !== save) continue;
    button.addEventListener("click", (event) => {
      if (button.type === "submit") return;
      event.preventDefault();
      attempt(button.dataset.action, button);
    });
  }
}
