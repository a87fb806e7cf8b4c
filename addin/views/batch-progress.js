// Following a batch of documents being made on the server: its progress, asked again every second
// until it finishes, each document not made named with why; cancelling the documents not started,
// downloading the zip (or saving it to OneDrive); and the batches started before, to follow again.

import { mountOneDrive } from "../onedrive.js";
import { describePath } from "../paths.js";
import { browserWindow, downloadBytes, setStatus, textElement, whileBusy } from "../ui.js";

/** How often a running batch is asked how far it got, in milliseconds. */
export const POLL_EVERY = 1000;

/** Return "1 freelancer", "300 freelancers": `n` and its noun. */
export const counted = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;

// "Mutual NDA for 300 freelancers": the template by its title (`titles` by id), where known.
const titleOf = (batch, titles) => `${titles.get(batch.template) ?? batch.template} for ${counted(batch.total, "freelancer")}`;

// Whether a batch has finished: every document made, failed or cancelled.
const isFinished = (batch) => batch.status === "done" || batch.status === "cancelled";

/** Return how far a batch got: "120 of 300 done · 2 failed" (and how many were cancelled, if any). */
export function describeProgress({ total, done, failed, cancelled }) {
  return [`${done} of ${total} done`, failed ? `${failed} failed` : null, cancelled ? `${cancelled} cancelled` : null]
    .filter(Boolean).join(" · ");
}

/** Return why a document of a batch was not made: its error, then each problem at its field. */
export function failureReasons({ error, errors = [] }) {
  return [error, ...errors.map((problem) => (problem.field ? `${describePath(problem.field)}: ${problem.message}` : problem.message))]
    .filter(Boolean);
}

/**
 * Wire the card of the batch followed (`panel`): how far it got, asked every `pollEvery` ms until it
 * finishes, the documents not made and why; cancelling the rest, downloading the zip, saving it to
 * OneDrive; `titles` names the templates by id, `onAnother` hears "Start another batch". Return
 * `{follow(batch), stop(), resume(), hide()}`.
 */
export function mountProgress(panel, env, { pollEvery, titles, onAnother }) {
  const doc = panel.ownerDocument;
  const title = panel.querySelector("[data-batch-title]");
  const bar = panel.querySelector("progress");
  const status = panel.querySelector("[data-status]");
  const download = panel.querySelector("[data-download]");
  const cancel = panel.querySelector("[data-cancel]");
  const offerOneDrive = mountOneDrive(panel, env, {
    save: env.api.saveBatchToOneDrive,
    saved: (batch) => `Saved the zip of ${counted(batch.done, "document")} in your OneDrive.`,
  });
  let batch = null;
  let following = 0;
  let timer = null;

  function show(next) {
    batch = next;
    title.textContent = titleOf(next, titles);
    panel.querySelector("[data-batch-meta]").textContent = describeStart(next);
    bar.max = Math.max(next.total, 1);
    bar.value = next.done + next.failed + next.cancelled;
    panel.querySelector("[data-counts]").textContent = describeProgress(next);
    showFailures(panel.querySelector("[data-failures]"), next);
    const zipped = isFinished(next) && next.done > 0;
    cancel.hidden = isFinished(next) || next.pending === 0;
    download.hidden = !zipped;
    offerOneDrive(zipped ? next : null);
    say(...stateOf(next));
  }

  // The status line is read out when it changes: it changes with the batch's state, not each count.
  function say(text, tone) {
    if (status.textContent !== text || status.dataset.tone !== tone) setStatus(status, text, tone);
  }

  function stop() {
    following += 1;
    clearTimeout(timer);
  }

  function next(ticket) {
    if (ticket === following && !isFinished(batch)) timer = setTimeout(() => poll(ticket), pollEvery);
  }

  async function poll(ticket) {
    try {
      const answer = await env.api.batch(batch.id);
      if (ticket === following) show(answer);
    } catch (error) {
      if (ticket !== following) return;
      say(`The server did not say how far the batch got: ${error.message}${error.status === 404 ? "" : " Asking again…"}`, "error");
      if (error.status === 404) return;
    }
    next(ticket);
  }

  panel.querySelector("[data-another]").addEventListener("click", onAnother);
  cancel.addEventListener("click", () => whileBusy(cancel, async () => {
    try {
      track(await env.api.cancelBatch(batch.id));
    } catch (error) {
      setStatus(status, `The batch could not be cancelled: ${error.message}`, "error");
    }
  }));
  download.addEventListener("click", () => whileBusy(download, async () => {
    setStatus(status, "Getting the zip…", "busy");
    try {
      setStatus(status, await downloadZip(batch, env, doc), "ok");
    } catch (error) {
      setStatus(status, `The zip could not be downloaded: ${error.message}`, "error");
    }
  }));

  function track(followed) {
    stop();
    panel.hidden = false;
    show(followed);
    next(following);
  }

  return {
    /** Show `followed` (a Batch) and follow it until it finishes. */
    follow(followed) {
      track(followed);
      title.focus();
    },
    /** Stop asking how far the batch got (it runs on). */
    stop,
    /** Ask again how far the batch shown got, and go on following it, unless it has finished. */
    resume() {
      if (!batch || panel.hidden || isFinished(batch)) return;
      stop();
      poll(following);
    },
    /** Stop following the batch, and hide it. */
    hide() {
      stop();
      panel.hidden = true;
    },
  };
}

// What the status line says of a batch in each state: [text, tone].
function stateOf(batch) {
  if (batch.status === "pending") return ["Waiting for the server to start the batch…", "busy"];
  if (batch.status === "running") {
    return batch.cancelled ? ["Cancelling: the documents being made will be finished, the others will not be made.", "busy"]
      : ["Making the documents on the server: you can leave this view and come back to the batch under Recent batches.", "busy"];
  }
  if (batch.done === 0) return ["No document was made.", "error"];
  if (batch.status === "cancelled") return [`Cancelled: ${counted(batch.done, "document")} made, ${batch.cancelled} not.`, "info"];
  return [`Done: ${counted(batch.done, "document")} made${batch.failed ? `, ${batch.failed} could not be` : ""}.`, "ok"];
}

// "Started 4 Jan 2027, 09:30 · PDF"
function describeStart(batch) {
  const started = new Date(batch.created_at);
  const when = Number.isNaN(started.getTime()) ? "" : `Started ${started.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
  return [when, batch.format === "pdf" ? "PDF" : null].filter(Boolean).join(" · ");
}

// Each document not made, named by its freelancer with why; past the first ones listed, how many more.
function showFailures(box, batch) {
  const doc = box.ownerDocument;
  box.querySelector("[data-failure-list]").replaceChildren(...batch.failures.map((failure) => {
    const item = doc.createElement("li");
    item.append(textElement(doc, "p", "problem-message", failure.freelancer_name),
      ...failureReasons(failure).map((reason) => textElement(doc, "p", "problem-where", reason)));
    return item;
  }));
  const more = batch.failed - batch.failures.length;
  const note = box.querySelector("[data-failures-more]");
  note.hidden = more <= 0;
  note.textContent = more > 0 ? `…and ${more} more.` : "";
  box.hidden = batch.failed === 0;
}

// Save a finished batch's zip: inside Office's apps a signed link opened in the default browser (the
// pane's webview cannot download), elsewhere its bytes. Return what to say.
async function downloadZip(batch, env, doc) {
  const open = browserWindow(env);
  if (open) {
    open((await env.api.batchLink(batch)).url);
    return `The zip of ${counted(batch.done, "document")} is downloading in your browser.`;
  }
  const { bytes, filename } = await env.api.batchZip(batch);
  downloadBytes(bytes, filename, doc);
  return `“${filename}” is ready: ${counted(batch.done, "document")}.`;
}

/**
 * Wire the card of the batches started before, from this pane or another (maybe closed since);
 * `onOpen(batch)` hears the one to follow. Return `{load()}`, which lists them.
 */
export function mountRecent(card, env, { titles, onOpen }) {
  const doc = card.ownerDocument;
  const status = card.querySelector("[data-recent-status]");
  const list = card.querySelector("[data-recent-list]");

  function item(batch) {
    const name = textElement(doc, "p", "managed-title", titleOf(batch, titles));
    const meta = textElement(doc, "p", "managed-meta",
      [describeStart(batch), describeProgress(batch), isFinished(batch) ? null : "running"].filter(Boolean).join(" · "));
    const open = textElement(doc, "button", "button small", "Open");
    open.type = "button";
    open.setAttribute("aria-label", `Open ${name.textContent}, ${meta.textContent}`);
    open.addEventListener("click", () => onOpen(batch));
    const buttons = doc.createElement("div");
    buttons.className = "buttons";
    buttons.append(open);
    const entry = textElement(doc, "li", "managed", "");
    entry.append(name, meta, buttons);
    return entry;
  }

  return {
    async load() {
      setStatus(status, "Loading the recent batches…", "busy");
      try {
        const { items } = await env.api.batches();
        list.replaceChildren(...items.map(item));
        card.querySelector("[data-recent-empty]").hidden = items.length > 0;
        setStatus(status, "");
      } catch (error) {
        setStatus(status, `The recent batches could not be listed: ${error.message}`, "error");
      }
    },
  };
}
