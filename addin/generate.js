// Generating a document from a form, the one way every document view does it: generate, then
// insert it into the open file (where the host can) or download it, and say how it went.

import { toBase64 } from "./api.js";
import { clearErrors, reportFailure } from "./forms.js";
import { mountOneDrive } from "./onedrive.js";
import { download, downloadLink, setStatus, whileBusy } from "./ui.js";

/**
 * Wire `form`'s Insert ([data-action=insert]) and Download ([data-action=download]) buttons.
 * Where `insert.available` is false there is nothing to insert into: Insert is hidden and Download
 * becomes the form's primary action. Return nothing. The options:
 * - `noun`: what the messages call the document ("contract", "tracker")
 * - `request()`: what to generate, `{template, data, format?}`, read from the form at each press
 * - `insert`: `{available, into(base64), message(record)}`: the host's insert and what it says after
 * - `onGenerated(record)`: hears each document generated
 * - `after(record, bytes)`: runs once the document is inserted or downloaded, or failed to be;
 *   given, the document's bytes are fetched for it on a download too
 */
export function mountGenerate(form, env, { noun, request, insert, onGenerated = () => {}, after = null }) {
  const status = form.querySelector("[data-status]");
  const insertButton = form.querySelector("[data-action=insert]");
  const save = form.querySelector("[data-action=download]");
  if (!insert.available) {
    insertButton.hidden = true;
    save.type = "submit";
    save.classList.add("primary");
  }
  const offerOneDrive = mountOneDrive(form, env);

  async function generate() {
    clearErrors(form);
    offerOneDrive(null);
    setStatus(status, `Generating the ${noun}…`, "busy");
    try {
      const { template, data, format } = request();
      const record = await env.api.generate(template, data, format);
      onGenerated(record);
      offerOneDrive(record);
      return record;
    } catch (error) {
      return reportFailure(form, status, error);
    }
  }

  async function run(action) {
    const record = await generate();
    if (!record) return;
    let bytes = null;
    try {
      if (action === "insert" || after) bytes = await env.api.file(record);
      if (action === "insert") {
        await insert.into(toBase64(bytes));
        setStatus(status, insert.message(record), "ok");
      } else {
        await download(record, env, form.ownerDocument);
        setStatus(status, `“${record.filename}” is ready.`, "ok", downloadLink(record, env, "Download again", status));
      }
    } catch (error) {
      const failed = action === "insert" ? "inserted" : "downloaded";
      setStatus(status, `The ${noun} was generated but could not be ${failed}: ${error.message}`, "error",
        action === "insert" ? downloadLink(record, env, "Download it instead", status) : null);
    }
    if (bytes && after) await after(record, bytes);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const action = insert.available ? "insert" : "download";
    whileBusy(action === "insert" ? insertButton : save, () => run(action));
  });
  save.addEventListener("click", (event) => {
    if (save.type === "submit") return;
    event.preventDefault();
    whileBusy(save, () => run("download"));
  });
}
