// "Save to OneDrive": after a document is generated (or a batch of them), a copy goes to the user's
// OneDrive (the server uploads it on their behalf). Offered only when the server signs users in and the pane runs in
// Word or Excel, the only place the pane can sign anyone in.

import { ApiError } from "./api.js";
import { setStatus, whileBusy } from "./ui.js";

/** Return whether `env` can save to OneDrive: sign-in is on and the pane runs inside Office. */
export function canSaveToOneDrive(env) {
  return Boolean(env.identity) && env.host !== "browser";
}

/**
 * Add the Save to OneDrive button to the actions ([data-actions]) of `container`, a form or a card.
 * Return `offer(record)`: call it with each generated document's record to offer saving that
 * document, or with null to withdraw the offer. Where saving is not possible (see
 * canSaveToOneDrive), nothing is added and `offer` does nothing. What is offered may be something
 * else than a document (a batch's zip): `save(record)` saves it and resolves to `{web_url}`, and
 * `saved(record)` says what was saved.
 */
export function mountOneDrive(container, env, {
  save = env.api.saveToOneDrive,
  saved = (record) => `Saved “${record.filename}” in your OneDrive.`,
} = {}) {
  if (!canSaveToOneDrive(env)) return () => {};
  const doc = container.ownerDocument;
  container.querySelector("[data-actions]").append(doc.getElementById("tpl-onedrive").content.cloneNode(true));
  const box = container.querySelector("[data-onedrive]");
  const button = box.querySelector("[data-action=onedrive]");
  const status = box.querySelector("[data-onedrive-status]");
  let record = null;

  button.addEventListener("click", () => whileBusy(button, () => saveAndSay(record, env, status, { save, saved })));

  return (generated) => {
    record = generated ?? null;
    box.hidden = record === null;
    setStatus(status, "");
  };
}

/**
 * Save `record` to OneDrive with `save` and say in `status` how it went: what was saved (`saved`), with a
 * link to open it there, or why it was not.
 */
export async function saveAndSay(record, env, status, { save = env.api.saveToOneDrive, saved = (what) => `Saved “${what.filename}” in your OneDrive.` } = {}) {
  setStatus(status, "Saving to OneDrive…", "busy");
  try {
    const { web_url: url } = await save(record);
    if (!/^https:\/\//i.test(url ?? "")) throw new ApiError(502, "OneDrive saved the file but did not say where it is.");
    setStatus(status, saved(record), "ok", {
      href: url, label: "Open in OneDrive", target: "_blank", onClick: openingOutside(url, env),
    });
  } catch (error) {
    setStatus(status, oneDriveMessage(error), "error");
  }
}

/** Return what to say when saving to OneDrive failed with `error`. */
export function oneDriveMessage(error) {
  if (error instanceof ApiError && (error.status === 502 || error.status === 503)) {
    return "OneDrive is not answering right now, try again in a minute.";
  }
  return error.message;
}

// Inside Office a link opens in the default browser through Office (a task pane is no browser tab).
function openingOutside(url, env) {
  const ui = env.Office?.context?.ui;
  return typeof ui?.openBrowserWindow === "function" ? () => ui.openBrowserWindow(url) : undefined;
}
