// "Save to OneDrive" in the views (jsdom, built from the real taskpane.html): offered after a
// document is generated, only when the server signs users in and the pane runs in Word or Excel;
// it posts to the document's address with the token and shows where the file went.

import { test } from "node:test";
import assert from "node:assert/strict";

import { GRAPH_OPTIONS } from "../auth.js";
import { mountBudget } from "../views/budget.js";
import { mountNda } from "../views/nda.js";
import { mountSow } from "../views/sow.js";
import { CLAIMS, IDENTITY } from "./fakes.mjs";
import { mounted, ONEDRIVE, RECORD, until, WEB_URL } from "./panes.mjs";

async function generateAndSave({ form, box }) {
  form.requestSubmit();
  await until(() => box() && !box().hidden, "the Save to OneDrive button");
  const status = box().querySelector("[data-onedrive-status]");
  box().querySelector("button").click();
  await until(() => status.dataset.tone && status.dataset.tone !== "busy", "the save to finish");
  return status;
}

test("after a SOW is inserted in Word, Save to OneDrive posts to the document's address and shows the link", async () => {
  const page = mounted(mountSow, "view-sow");
  assert.ok(page.box().hidden, "nothing to save before a document is generated");
  const status = await generateAndSave(page);

  assert.match(page.form.querySelector("[data-status]").textContent, /^Opened “SOW-2027-014 Zoe Angstrom.docx” as a new document\./);
  assert.equal(page.word.created.length, 1);
  const saves = page.server.to(ONEDRIVE);
  assert.deepEqual(saves.map((request) => request.method), ["POST"]);
  assert.match(saves[0].authorization, /^Bearer token-\d+$/);
  assert.equal(status.dataset.tone, "ok");
  assert.match(status.textContent, /Saved “SOW-2027-014 Zoe Angstrom.docx” in your OneDrive\. Open in OneDrive$/);
  const link = status.querySelector("a");
  assert.equal(link.textContent, "Open in OneDrive");
  assert.equal(link.href, WEB_URL);
  assert.equal(link.target, "_blank");
  assert.equal(link.rel, "noopener");
  link.click();
  assert.deepEqual(page.office.opened, [WEB_URL], "inside Office the link opens in the default browser");
});

test("the NDA and the budget tracker views offer Save to OneDrive too", async () => {
  const nda = mounted(mountNda, "view-nda");
  assert.equal((await generateAndSave(nda)).querySelector("a").href, WEB_URL);
  const budget = mounted(mountBudget, "view-budget", { host: "excel" });
  assert.equal((await generateAndSave(budget)).querySelector("a").href, WEB_URL);
  assert.equal(budget.server.to(ONEDRIVE).length, 1);
});

test("Save to OneDrive is not offered in local mode, nor in a browser (no one to sign in)", async () => {
  for (const [host, identity] of [["word", null], ["browser", IDENTITY], ["excel", null]]) {
    const page = mounted(host === "excel" ? mountBudget : mountSow, host === "excel" ? "view-budget" : "view-sow", { host, identity });
    assert.equal(page.box(), null, `${host}, identity ${identity ? "on" : "off"}`);
  }
});

test("a claims challenge while saving asks Office for the claims and saves on the retry", async () => {
  const page = mounted(mountSow, "view-sow", { onedrive: [
    [401, { error: "Microsoft needs you to sign in again before saving to OneDrive.", errors: [], claims: CLAIMS }],
    [200, { web_url: WEB_URL }]] });
  const status = await generateAndSave(page);
  assert.equal(status.querySelector("a").href, WEB_URL);
  assert.deepEqual(page.sso.calls.at(-1), { ...GRAPH_OPTIONS, authChallenge: CLAIMS });
  assert.equal(page.server.to(ONEDRIVE).length, 2);
});

// What the pane says when saving fails, by the server's answer.
const FAILURES = [
  [503, "OneDrive answered 503: The service is temporarily unavailable.", "OneDrive is not answering right now, try again in a minute."],
  [502, "Entra ID refused the token exchange: AADSTS90033.", "OneDrive is not answering right now, try again in a minute."],
  [413, "SOW.docx is over 4 MB, more than a single upload to OneDrive takes.", "SOW.docx is over 4 MB, more than a single upload to OneDrive takes."],
  [404, "There is nothing at this address.", "There is nothing at this address."],
];

test("a failed save says why in the pane, and a new document replaces the offer", async () => {
  for (const [code, error, says] of FAILURES) {
    const page = mounted(mountSow, "view-sow", { onedrive: [[code, { error, errors: [] }]] });
    const status = await generateAndSave(page);
    assert.equal(status.dataset.tone, "error", `${code}`);
    assert.equal(status.textContent, says, `${code}`);
    assert.equal(status.querySelector("a"), null);
  }
  const page = mounted(mountSow, "view-sow");
  await generateAndSave(page);
  page.form.requestSubmit();
  assert.ok(page.box().hidden, "while the next document is generated, the last one is not offered");
  await until(() => !page.box().hidden, "the offer of the new document");
  assert.equal(page.box().querySelector("[data-onedrive-status]").textContent, "");
});

test("signed in, where Office cannot open a browser window, a download fetches the file with the token", async () => {
  const page = mounted(mountSow, "view-sow", { sets: { WordApi: "1.5" } });
  const { window } = page;
  globalThis.URL.createObjectURL ??= () => "blob:x";
  const clicked = [];
  window.HTMLAnchorElement.prototype.click = function () { clicked.push([this.href, this.download]); };
  page.form.querySelector("[data-action=download]").click();
  await until(() => page.form.querySelector("[data-status]").dataset.tone === "ok", "the download");
  const [file] = page.server.to(RECORD.download_url);
  assert.match(file.authorization, /^Bearer token-\d+$/);
  assert.deepEqual(page.office.opened, [], "the bare address would be refused without a token");
  assert.equal(clicked.length, 1);
  assert.match(clicked[0][0], /^blob:/);
  assert.equal(clicked[0][1], RECORD.filename);
});

test("signed in, each download from memory frees the one before it, and leaving the page frees the last", async () => {
  const page = mounted(mountSow, "view-sow", { sets: { WordApi: "1.5" } });
  const { window } = page;
  const clicked = [];
  window.HTMLAnchorElement.prototype.click = function () { clicked.push(this.href); };
  const revoke = URL.revokeObjectURL;
  const revoked = [];
  URL.revokeObjectURL = (url) => { revoked.push(url); revoke(url); };
  try {
    const status = page.form.querySelector("[data-status]");
    for (const count of [1, 2]) {
      page.form.querySelector("[data-action=download]").click();
      await until(() => clicked.length === count && status.dataset.tone === "ok", `download ${count}`);
    }
    assert.ok(revoked.includes(clicked[0]) && !revoked.includes(clicked[1]), "the second download freed the first");
    window.dispatchEvent(new window.Event("pagehide"));
    assert.ok(revoked.includes(clicked[1]), "leaving the page freed the second");
  } finally {
    URL.revokeObjectURL = revoke;
  }
});

test("a whole signed-in session stores no token: not in storage, cookies or the page", async () => {
  const page = mounted(mountSow, "view-sow");
  const { window } = page;
  const saved = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
  Object.defineProperty(globalThis, "localStorage", { value: window.localStorage, configurable: true, writable: true });
  try {
    page.form.elements["client.name"].value = "Contoso Ltd"; // remembered on this computer, as it should be
    await generateAndSave(page);
  } finally {
    if (saved) Object.defineProperty(globalThis, "localStorage", saved);
    else delete globalThis.localStorage;
  }
  assert.ok(page.sso.calls.length >= 2);
  assert.match(window.localStorage.getItem("freelance-toolkit.remembered"), /Contoso Ltd/, "the company is remembered");
  const stored = [...Array(window.localStorage.length).keys()].map((i) => window.localStorage.getItem(window.localStorage.key(i))).join();
  assert.ok(!stored.includes("token-"), stored);
  assert.equal(window.sessionStorage.length, 0);
  assert.equal(window.document.cookie, "");
  assert.ok(!window.document.documentElement.outerHTML.includes("token-"));
});
