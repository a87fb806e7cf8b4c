// "Send to several freelancers" in a DOM (jsdom, built from the real taskpane.html), the server faked
// at the fetch boundary: the shared data's form leaves the freelancer out, the request names the
// freelancers picked or the roster filter, the progress follows the server until the batch finishes,
// each document not made is named with why, and the zip is downloaded (or linked, or saved to OneDrive).

import { afterEach, test } from "node:test";
import assert from "node:assert/strict";

import { mountBatch, sharedSchema } from "../views/batch.js";
import { describeProgress, failureReasons } from "../views/batch-progress.js";
import { IDENTITY } from "./fakes.mjs";
import { mounted, until, WEB_URL } from "./panes.mjs";

const ZOE = { id: "5b0c5a52-6a8e-4d3c-9d7e-0d6c2b1f9a11", name: "Zoe Angstrom", business_name: "Angstrom Design LLC",
  email: "zoe@angstrom.example", rate: "85.00", rate_unit: "hour", currency: "USD" };
const WEI = { id: "0e0b7f0a-1c4b-4a53-9f0c-3f5d7c1a2b3c", name: "Zhang Wei", business_name: null,
  email: "wei@zhang.example", rate: "720", rate_unit: "day", currency: "EUR" };

// The mutual NDA's schema as the API serves it, cut down: a client, a purpose, and the freelancer
// (details or a roster id) that a batch fills for each freelancer.
const NDA_SCHEMA = {
  $defs: {
    Client: { type: "object", title: "Client", properties: { name: { type: "string", title: "Name" },
      email: { type: "string", format: "email", title: "Email" } }, required: ["name", "email"] },
    Freelancer: { type: "object", title: "Freelancer", properties: { name: { type: "string", title: "Name" } }, required: ["name"] },
  },
  type: "object",
  properties: {
    effective_date: { type: "string", format: "date", title: "Effective Date" },
    client: { $ref: "#/$defs/Client" },
    freelancer: { anyOf: [{ $ref: "#/$defs/Freelancer" }, { type: "null" }], default: null },
    freelancer_id: { anyOf: [{ type: "string", format: "uuid" }, { type: "null" }], default: null, title: "Freelancer Id" },
    purpose: { type: "string", title: "Purpose" },
  },
  required: ["effective_date", "client", "purpose"],
};
const TEMPLATES = [
  { id: "nda-mutual", title: "Mutual NDA", format: "docx", source: "shipped", schema_url: "/api/templates/nda-mutual" },
  { id: "budget", title: "Budget tracker", format: "xlsx", source: "shipped", schema_url: "/api/templates/budget" },
  { id: "contoso-rates", title: "Contoso rate card", format: "xlsx", source: "company", schema_url: "/api/templates/contoso-rates" },
];
const ZIP = new TextEncoder().encode("PK\u0005\u0006").buffer;
const ZIP_NAME = "nda-mutual batch 2027-01-04 0930.zip";
const ZIP_LINK = "https://127.0.0.1/api/batches/links/signed-token";

/** The batch b1 (a mutual NDA for 300 freelancers), with `changes`. */
const batch = (changes = {}) => ({ id: "b1", template: "nda-mutual", template_version: "ab".repeat(32), format: "docx",
  status: "running", total: 300, pending: 180, running: 0, done: 120, failed: 0, cancelled: 0,
  created_at: "2027-01-04T09:30:00Z", created_by: "local", zip_url: "/api/batches/b1/zip", failures: [], ...changes });
const DONE = batch({ status: "done", pending: 0, done: 298, failed: 2, failures: [
  { freelancer_id: WEI.id, freelancer_name: "Zhang Wei", error: "The roster record cannot fill the contract.",
    errors: [{ field: "freelancer.address", message: "is missing" }] },
  { freelancer_id: ZOE.id, freelancer_name: "Zoe Angstrom", error: "The roster record cannot fill the contract.", errors: [] },
] });

// Each test's pages are left at its end: a batch still running is no longer asked about.
const opened = [];
afterEach(() => {
  for (const section of opened.splice(0)) section.hidden = true;
});

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function batchPage({ host = "browser", identity = null, routes = {} } = {}) {
  const page = mounted((section, env) => mountBatch(section, env, { pollEvery: 5 }), "view-batch", { host, identity, routes: {
    "GET /api/templates": [[200, { items: TEMPLATES }]],
    "GET /api/templates/nda-mutual": [[200, NDA_SCHEMA]],
    "GET /api/templates/budget": [[200, { type: "object", properties: { currency: { type: "string" } } }]],
    "GET /api/templates/contoso-rates": [[200, { type: "object", properties: { freelancer_id: { type: "string" }, rate: { type: "string" } } }]],
    "GET /api/freelancers?q=zo&status=active&per_page=8": [[200, { items: [ZOE] }]],
    "GET /api/freelancers?q=wei&status=active&per_page=8": [[200, { items: [WEI] }]],
    ...routes,
  } });
  const { window, form } = page;
  const section = window.document.getElementById("view-batch");
  opened.push(section);
  const panel = section.querySelector("[data-batch]");
  const select = form.elements.namedItem("template");
  const status = form.querySelector("[data-status]");
  const input = (name) => form.elements.namedItem(name);
  const type = (name, value) => {
    input(name).value = value;
    input(name).dispatchEvent(new window.Event("input", { bubbles: true }));
  };
  async function choose(id) {
    await until(() => select.options.length > 1, "the templates");
    select.value = id;
    select.dispatchEvent(new window.Event("change", { bubbles: true }));
  }
  async function pick(typed, name) {
    const search = form.querySelector("[role=combobox]");
    search.value = typed;
    search.dispatchEvent(new window.Event("input", { bubbles: true }));
    await until(() => [...form.querySelectorAll("[role=option]")].some((option) => option.textContent.includes(name)), `${name} in the matches`);
    form.querySelector("[role=option]").click();
  }
  function who(value) {
    const radio = form.querySelector(`input[name=batch_who][value=${value}]`);
    radio.checked = true;
    radio.dispatchEvent(new window.Event("change", { bubbles: true }));
  }
  async function fillNda() {
    await choose("nda-mutual");
    type("data.effective_date", "2027-01-04");
    type("data.client.name", "Contoso Ltd");
    type("data.client.email", "megan@contoso.com");
    type("data.purpose", "Evaluating a brand refresh");
  }
  const sent = () => page.server.to("/api/batches").filter((request) => request.method === "POST").map((request) => JSON.parse(request.body));
  const polls = () => page.server.to("/api/batches/b1").filter((request) => request.method === "GET").length;
  const text = (selector) => panel.querySelector(selector).textContent;
  // Start the mutual NDA for Zoe.
  async function start() {
    await fillNda();
    await pick("zo", "Zoe Angstrom");
    form.requestSubmit();
    await until(() => !panel.hidden, "the batch to show");
  }
  return { ...page, section, panel, select, status, input, type, choose, pick, who, fillNda, sent, polls, text, start };
}

/** A page where the mutual NDA was started for Zoe: the server answers each poll of batch b1 with `answers` in turn. */
async function startedWith(answers, routes = {}) {
  const page = batchPage({ routes: { "POST /api/batches": [[202, batch()]], "GET /api/batches/b1": answers, ...routes } });
  await page.start();
  return page;
}

// The pure parts ----------------------------------------------------------------------------------------

test("the shared data's schema is the template's without the freelancer, which the roster fills for each one", () => {
  const shared = sharedSchema(NDA_SCHEMA);
  assert.deepEqual(Object.keys(shared.properties), ["effective_date", "client", "purpose"]);
  assert.deepEqual(shared.required, ["effective_date", "client", "purpose"]);
  assert.ok("freelancer_id" in NDA_SCHEMA.properties, "the template's schema is left as it is");
});

test("a batch's progress reads as counts, the failed and cancelled only when there are some", () => {
  assert.equal(describeProgress(batch({ done: 120, failed: 2 })), "120 of 300 done · 2 failed");
  assert.equal(describeProgress(batch({ done: 7 })), "7 of 300 done");
  assert.equal(describeProgress(batch({ done: 100, failed: 1, cancelled: 199 })), "100 of 300 done · 1 failed · 199 cancelled");
});

test("why a document was not made: its error, then each problem named as a person reads its field", () => {
  assert.deepEqual(failureReasons(DONE.failures[0]), ["The roster record cannot fill the contract.", "Freelancer, address: is missing"]);
  assert.deepEqual(failureReasons({ error: "", errors: [{ message: "The template broke." }] }), ["The template broke."]);
});

// Choosing the documents -------------------------------------------------------------------------------------

test("only templates with a roster freelancer are offered, and their form is drawn without the freelancer", async () => {
  const page = batchPage();
  await page.choose("nda-mutual");
  assert.deepEqual([...page.select.options].map((option) => option.textContent), ["Choose…", "Mutual NDA", "Contoso rate card"]);
  const names = [...page.form.querySelectorAll("[data-slot=schema-form] [name]")].map((control) => control.name);
  assert.deepEqual(names, ["data.effective_date", "data.client.name", "data.client.email", "data.purpose"]);
  assert.ok(!page.form.querySelector("[data-formats]").hidden, "a Word template can be made as PDF");
  assert.ok(!page.form.querySelector("[data-shared-note]").hidden);

  await page.choose("contoso-rates");
  assert.ok(page.form.querySelector("[data-formats]").hidden, "a workbook cannot");
  assert.deepEqual([...page.form.querySelectorAll("[data-slot=schema-form] [name]")].map((control) => control.name), ["data.rate"]);
});

test("freelancers picked one by one are sent by id with the shared data, once each, and as PDF when asked", async () => {
  const page = batchPage({ routes: { "POST /api/batches": [[202, batch({ format: "pdf" })]] } });
  await page.fillNda();
  await page.pick("zo", "Zoe Angstrom");
  await page.pick("wei", "Zhang Wei");
  await page.pick("zo", "Zoe Angstrom");
  const picks = page.form.querySelectorAll("[data-picks] li");
  assert.deepEqual([...picks].map((item) => item.querySelector(".group-title").textContent), ["Zoe Angstrom", "Zhang Wei"]);
  assert.ok(page.form.querySelector("[data-picks-empty]").hidden);
  page.form.querySelector("input[name=format][value=pdf]").checked = true;
  page.form.requestSubmit();
  await until(() => page.sent().length === 1, "the batch to be sent");

  assert.deepEqual(page.sent()[0], {
    template: "nda-mutual",
    data: { effective_date: "2027-01-04", client: { name: "Contoso Ltd", email: "megan@contoso.com" }, purpose: "Evaluating a brand refresh" },
    format: "pdf",
    freelancer_ids: [ZOE.id, WEI.id],
  });
});

test("a freelancer removed from the picks is not sent", async () => {
  const page = batchPage({ routes: { "POST /api/batches": [[202, batch()]] } });
  await page.fillNda();
  await page.pick("zo", "Zoe Angstrom");
  await page.pick("wei", "Zhang Wei");
  page.form.querySelector("[data-picks] li button[aria-label='Remove Zoe Angstrom']").click();
  page.form.requestSubmit();
  await until(() => page.sent().length === 1, "the batch to be sent");
  assert.deepEqual(page.sent()[0].freelancer_ids, [WEI.id]);
  assert.equal("format" in page.sent()[0], false, "Word, the template's own format, needs no saying");
});

test("a roster filter is sent instead of ids, after saying how many freelancers it matches", async () => {
  const page = batchPage({ routes: {
    "GET /api/freelancers?status=active&per_page=1": [[200, { items: [], total: 57 }]],
    "GET /api/freelancers?skill=Branding&country=FR&status=active&per_page=1": [[200, { items: [], total: 42 }]],
    "POST /api/batches": [[202, batch({ total: 42 })]],
  } });
  await page.fillNda();
  page.who("roster");
  const matches = page.form.querySelector("[data-matches]");
  await until(() => matches.textContent === "57 freelancers will get a document.", "the count of every active freelancer");
  page.type("roster.skill", "Branding");
  page.type("roster.country", "fr");
  assert.equal(page.input("roster.country").value, "FR");
  await until(() => matches.textContent === "42 freelancers will get a document.", "the count of those matching");
  page.form.requestSubmit();
  await until(() => page.sent().length === 1, "the batch to be sent");
  const [sent] = page.sent();
  assert.deepEqual(sent.roster, { skill: "Branding", country: "FR", status: "active" });
  assert.equal("freelancer_ids" in sent, false);
  assert.equal(page.text("[data-batch-title]"), "Mutual NDA for 42 freelancers");
});

// Mistakes, named where a person can fix them --------------------------------------------------------------

test("nothing chosen is said before anything is sent", async () => {
  const page = batchPage();
  await until(() => page.select.options.length > 1, "the templates");
  page.form.requestSubmit();
  await until(() => page.status.dataset.tone === "error", "the problems");
  const summary = page.form.querySelector("[data-error-summary]");
  assert.match(summary.textContent, /Not started yet: 2 things need your attention/);
  assert.match(summary.textContent, /Chosen freelancers: Choose at least one freelancer from the roster\./);
  assert.match(summary.textContent, /Template: Choose the template of the documents\./);
  assert.equal(page.sent().length, 0);
});

test("the API's errors land at the picked freelancer they name, at the form's fields, and at the filter", async () => {
  const page = batchPage({ routes: { "POST /api/batches": [[422, { error: "The batch cannot be made.", errors: [
    { field: "freelancer_ids[1]", message: "is no longer on the roster." },
    { field: "data.client.email", message: "is not a valid email address." },
  ] }]] } });
  await page.fillNda();
  await page.pick("zo", "Zoe Angstrom");
  await page.pick("wei", "Zhang Wei");
  page.form.requestSubmit();
  await until(() => page.status.dataset.tone === "error", "the refusal");

  const summary = page.form.querySelector("[data-error-summary]").textContent;
  assert.match(summary, /Zhang Wei: is no longer on the roster\./);
  assert.match(summary, /Client, email: is not a valid email address\./);
  assert.doesNotMatch(summary, /freelancer_ids|data\./, "no API words for a person to decode");
  const wei = page.form.querySelector("[data-picks] li:nth-child(2)");
  assert.ok(wei.classList.contains("has-error"));
  assert.equal(wei.querySelector(".field-error").textContent, "is no longer on the roster.");
  assert.equal(page.input("data.client.email").getAttribute("aria-invalid"), "true");
  assert.equal(page.status.textContent, "Fix the 2 problems marked in red, then try again.");
  assert.ok(page.panel.hidden, "no batch to follow");
});

test("a roster filter the API refuses is marked at the filter", async () => {
  const page = batchPage({ routes: { "POST /api/batches": [[422, { error: "The batch cannot be made.", errors: [
    { field: "roster", message: "matches no freelancer" }, { field: "roster.country", message: "must be 2 letters" }] }]] } });
  await page.fillNda();
  page.who("roster");
  page.form.requestSubmit();
  await until(() => page.status.dataset.tone === "error", "the refusal");
  const summary = page.form.querySelector("[data-error-summary]").textContent;
  assert.match(summary, /Roster filter: matches no freelancer/);
  assert.match(summary, /Country: must be 2 letters/);
  assert.equal(page.input("roster.country").getAttribute("aria-invalid"), "true");
});

// Following the batch ----------------------------------------------------------------------------------------

test("the progress bar and its text follow the server's answers, and the asking stops once the batch is done", async () => {
  const page = await startedWith([
    [200, batch()],
    [200, batch({ done: 250, failed: 2, pending: 48 })],
    [200, DONE],
  ]);
  const bar = page.panel.querySelector("progress");
  assert.equal(page.text("[data-batch-title]"), "Mutual NDA for 300 freelancers");
  assert.equal(page.window.document.activeElement, page.panel.querySelector("[data-batch-title]"));
  assert.ok(page.form.hidden, "the form makes way for the batch");
  assert.equal(bar.labels[0].textContent, "Documents made");
  assert.equal(page.text("[data-counts]"), "120 of 300 done");
  assert.equal(bar.max, 300);
  assert.equal(bar.value, 120);
  assert.match(page.text("[data-status]"), /^Making the documents on the server/);
  assert.ok(page.panel.querySelector("[data-download]").hidden, "no zip while documents are being made");

  await until(() => page.text("[data-counts]") === "250 of 300 done · 2 failed", "the second answer");
  assert.equal(bar.value, 252);
  await until(() => page.text("[data-counts]") === "298 of 300 done · 2 failed", "the batch done");
  assert.equal(bar.value, 300);
  assert.equal(page.text("[data-status]"), "Done: 298 documents made, 2 could not be.");
  assert.ok(!page.panel.querySelector("[data-download]").hidden);
  assert.ok(page.panel.querySelector("[data-cancel]").hidden, "nothing left to cancel");

  const asked = page.polls();
  await pause(50);
  assert.equal(page.polls(), asked, "a finished batch is not asked again");
});

test("each document not made is named by its freelancer with why, and those past the listed ones counted", async () => {
  const page = await startedWith([[200, { ...DONE, failed: 152, done: 148 }]]);
  const failures = page.panel.querySelector("[data-failures]");
  await until(() => !failures.hidden, "the failures");
  const items = [...failures.querySelectorAll("li")];
  assert.deepEqual(items.map((item) => [...item.querySelectorAll("p")].map((line) => line.textContent)), [
    ["Zhang Wei", "The roster record cannot fill the contract.", "Freelancer, address: is missing"],
    ["Zoe Angstrom", "The roster record cannot fill the contract."],
  ]);
  assert.equal(failures.querySelector("[data-failures-more]").textContent, "…and 150 more.");
});

test("cancelling stops the documents not started; the batch is followed until those being made finish", async () => {
  const page = await startedWith([[200, batch()]], {
    "DELETE /api/batches/b1": [[200, batch({ pending: 0, running: 3, cancelled: 177 })]],
  });
  const cancel = page.panel.querySelector("[data-cancel]");
  assert.ok(!cancel.hidden);
  cancel.click();
  await until(() => page.server.to("/api/batches/b1").some((request) => request.method === "DELETE"), "the cancel");
  await until(() => page.text("[data-status]").startsWith("Cancelling"), "the cancelling");
  assert.ok(cancel.hidden, "nothing left to cancel");
  assert.equal(page.text("[data-counts]"), "120 of 300 done · 177 cancelled");
});

test("a cancelled batch says what was made and offers its zip", async () => {
  const page = await startedWith([[200, batch({ status: "cancelled", pending: 0, cancelled: 180 })]]);
  await until(() => page.text("[data-status]").startsWith("Cancelled"), "the batch cancelled");
  assert.equal(page.text("[data-status]"), "Cancelled: 120 documents made, 180 not.");
  assert.ok(!page.panel.querySelector("[data-download]").hidden);
});

test("leaving the view stops asking how far the batch got; coming back asks again", async () => {
  const page = await startedWith([[200, batch()]]);
  await until(() => page.polls() >= 2, "a few polls");
  page.section.hidden = true;
  await pause(20);
  const asked = page.polls();
  await pause(50);
  assert.equal(page.polls(), asked, "no poll while the view is hidden");
  page.section.hidden = false;
  await until(() => page.polls() > asked + 1, "the polls to go on");
});

test("starting another batch stops following this one and shows the form as it was", async () => {
  const page = await startedWith([[200, batch()]]);
  await until(() => page.polls() >= 1, "a poll");
  page.panel.querySelector("[data-another]").click();
  assert.ok(page.panel.hidden);
  assert.ok(!page.form.hidden);
  assert.equal(page.input("data.client.name").value, "Contoso Ltd");
  const asked = page.polls();
  await pause(50);
  assert.equal(page.polls(), asked);
});

test("a batch started earlier is listed under the form, and opening it follows it", async () => {
  const page = batchPage({ routes: {
    "GET /api/batches?page=1&per_page=20": [[200, { items: [batch(), DONE], page: 1, per_page: 20, total: 2 }]],
    "GET /api/batches/b1": [[200, DONE]],
  } });
  const list = page.section.querySelector("[data-recent-list]");
  await until(() => list.children.length === 2, "the recent batches");
  assert.equal(list.children[0].querySelector(".managed-title").textContent, "Mutual NDA for 300 freelancers");
  assert.match(list.children[0].querySelector(".managed-meta").textContent, /120 of 300 done · running$/);
  list.children[0].querySelector("button").click();
  assert.ok(!page.panel.hidden);
  assert.ok(page.section.querySelector("[data-recent]").hidden);
  await until(() => page.text("[data-counts]") === "298 of 300 done · 2 failed", "the batch followed to its end");
});

// The zip ----------------------------------------------------------------------------------------------------

test("in a browser the zip is fetched and downloaded under the server's name for it", async () => {
  const page = await startedWith([[200, DONE]], { "GET /api/batches/b1/zip": [[200, ZIP, { "Content-Disposition": `attachment; filename="${ZIP_NAME}"` }]] });
  const clicked = [];
  page.window.HTMLAnchorElement.prototype.click = function () { clicked.push([this.href, this.download]); };
  const download = page.panel.querySelector("[data-download]");
  await until(() => !download.hidden, "the zip");
  download.click();
  await until(() => page.text("[data-status]").startsWith("“"), "the download");
  assert.equal(page.text("[data-status]"), `“${ZIP_NAME}” is ready: 298 documents.`);
  assert.equal(clicked.length, 1);
  assert.match(clicked[0][0], /^blob:/);
  assert.equal(clicked[0][1], ZIP_NAME);
  assert.deepEqual(page.office.opened, []);
});

test("in Word the zip downloads in the default browser from a signed link", async () => {
  const page = batchPage({ host: "word", routes: {
    "GET /api/batches?page=1&per_page=20": [[200, { items: [DONE] }]],
    "POST /api/batches/b1/link": [[201, { url: ZIP_LINK, expires_at: "2027-01-04T09:40:00Z" }]],
  } });
  const list = page.section.querySelector("[data-recent-list]");
  await until(() => list.children.length === 1, "the recent batch");
  list.querySelector("button").click();
  page.panel.querySelector("[data-download]").click();
  await until(() => page.office.opened.length === 1, "the link opened");
  assert.deepEqual(page.office.opened, [ZIP_LINK]);
  assert.equal(page.server.to("/api/batches/b1/zip").length, 0, "the pane's webview downloads nothing itself");
  assert.equal(page.text("[data-status]"), "The zip of 298 documents is downloading in your browser.");
});

test("signed in inside Word, a finished batch's zip can be saved to OneDrive; elsewhere it is not offered", async () => {
  const page = batchPage({ host: "word", identity: IDENTITY, routes: {
    "GET /api/batches?page=1&per_page=20": [[200, { items: [DONE] }]],
    "POST /api/batches/b1/onedrive": [[200, { web_url: WEB_URL }]],
  } });
  const list = page.section.querySelector("[data-recent-list]");
  await until(() => list.children.length === 1, "the recent batch");
  list.querySelector("button").click();
  const box = page.panel.querySelector("[data-onedrive]");
  assert.ok(!box.hidden);
  box.querySelector("button").click();
  const status = box.querySelector("[data-onedrive-status]");
  await until(() => status.dataset.tone === "ok", "the save");
  assert.equal(status.textContent, "Saved the zip of 298 documents in your OneDrive. Open in OneDrive");
  assert.match(page.server.to("/api/batches/b1/onedrive")[0].authorization, /^Bearer token-\d+$/);
  status.querySelector("a").click();
  assert.deepEqual(page.office.opened, [WEB_URL]);

  for (const [host, identity] of [["browser", IDENTITY], ["word", null]]) {
    assert.equal(batchPage({ host, identity }).panel.querySelector("[data-onedrive]"), null, `${host}, identity ${identity ? "on" : "off"}`);
  }
});

test("a running batch offers neither its zip nor saving it to OneDrive yet", async () => {
  const page = batchPage({ host: "word", identity: IDENTITY, routes: { "GET /api/batches?page=1&per_page=20": [[200, { items: [batch()] }]] } });
  const list = page.section.querySelector("[data-recent-list]");
  await until(() => list.children.length === 1, "the recent batch");
  list.querySelector("button").click();
  assert.ok(page.panel.querySelector("[data-download]").hidden);
  assert.ok(page.panel.querySelector("[data-onedrive]").hidden);
});
