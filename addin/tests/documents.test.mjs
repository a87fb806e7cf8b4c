// The documents library view in jsdom: a search lists what the API found, a contract moves to the
// status its buttons offer (the API's next_statuses, never a list of our own), and a checked file is
// named as the document, PDF or signed copy it is; a contract opens in its form to be edited, and what
// is made from it is its new version.

import { after, test } from "node:test";
import assert from "node:assert/strict";

import { mounted, ONEDRIVE, until, WEB_URL } from "./panes.mjs";
import { contractChanges, mergePatch } from "../revision.js";
import { canEdit, describe, mountDocuments, verdict } from "../views/documents.js";
import { mountNda } from "../views/nda.js";
import { mountSow } from "../views/sow.js";

const DRAFT = { id: "d7", filename: "SOW-2027-014 Zoe Angstrom.docx", download_url: "/api/documents/d7/file", format: "docx",
  kind: "sow", client_name: "Contoso Ltd", freelancer_name: "Zoe Angstrom", project_title: "Brand refresh",
  created_at: "2026-12-02T09:00:00Z", status: "draft", status_on: "2026-12-02", next_statuses: ["sent", "cancelled"] };
const SENT = { ...DRAFT, status: "sent", next_statuses: ["signed", "cancelled", "expired"] };
const LIST = "/api/documents?page=1&per_page=20";

test("the library lists what the search found, and a contract moves to a status it offers", async () => {
  const { window, server } = mounted(mountDocuments, "view-documents", { host: "browser", identity: null, routes: {
    [`GET ${LIST}`]: [[200, { items: [DRAFT], page: 1, per_page: 20, total: 1 }]],
    "PATCH /api/documents/d7": [[200, SENT]],
  } });
  const section = window.document.getElementById("view-documents");
  await until(() => !section.querySelector("[data-results]").hidden, "the first page");
  const entry = () => section.querySelector("li.document");
  assert.match(entry().textContent, /Contoso Ltd · Zoe Angstrom · Brand refresh · made Dec 2, 2026 · Draft since 2026-12-02/);
  const buttons = () => [...entry().querySelectorAll("button")].map((button) => button.textContent);
  assert.deepEqual(buttons(), ["Download", "PDF", "Mark as sent", "Cancel", "Regenerate"]);
  [...entry().querySelectorAll("button")].find((button) => button.textContent === "Mark as sent").click();
  await until(() => /Sent since/.test(entry().textContent), "the contract marked as sent");
  assert.deepEqual(buttons(), ["Download", "PDF", "Mark as signed", "Cancel", "Mark as expired", "Regenerate"]);
  const patch = server.requests.find((request) => request.method === "PATCH");
  assert.deepEqual(JSON.parse(patch.body), { status: "sent" });
});

test("a search sends only the filters given", async () => {
  const { window, form, server } = mounted(mountDocuments, "view-documents", { host: "browser", identity: null, routes: {
    [`GET ${LIST}`]: [[200, { items: [], page: 1, per_page: 20, total: 0 }]],
    "GET /api/documents?q=fabrikam&kind=sow&page=1&per_page=20": [[200, { items: [DRAFT], page: 1, per_page: 20, total: 1 }]],
  } });
  const section = window.document.getElementById("view-documents");
  await until(() => !section.querySelector("[data-results]").hidden, "the first page");
  form.elements.q.value = "fabrikam";
  form.elements.kind.value = "sow";
  form.requestSubmit();
  await until(() => section.querySelectorAll("li.document").length === 1, "the search");
  assert.equal(server.to("/api/documents?q=fabrikam&kind=sow&page=1&per_page=20").length, 1);
});

test("a checked file is named as what it is, or as nothing made here", () => {
  const document = { filename: "NDA Zoe.docx" };
  assert.equal(verdict({ matches: [{ found_as: "document", document }] }, "a.docx"), "“a.docx” is “NDA Zoe.docx”, as it was made here.");
  assert.equal(verdict({ matches: [{ found_as: "signed copy", document }, { found_as: "pdf", document }] }, "s.pdf"),
    "“s.pdf” is the signed copy of “NDA Zoe.docx” (and 1 more with the same bytes).");
  assert.equal(verdict({ matches: [] }, "x.pdf"), "“x.pdf” is not a document made here, or it was changed since.");
  assert.equal(describe({ ...DRAFT, status: null, client_name: null, project_title: "Tracker" }), "Zoe Angstrom · Tracker · made Dec 2, 2026");
});

test("an edit's changes are a merge patch of what the form shows: changed values, null for what was cleared", () => {
  const recorded = { project: { title: "Brand refresh", summary: "Refresh.", location: "Remote" }, po_number: "PO-1",
    milestones: [{ name: "Kick-off", amount: "2500.00" }], notes_from_the_api: "kept" };
  const shown = (path) => path !== "notes_from_the_api";
  const now = { project: { title: "Brand refresh, phase 2", summary: "Refresh." }, milestones: [{ name: "Kick-off", amount: "2500.00" }] };
  assert.deepEqual(mergePatch(recorded, now, shown), { project: { title: "Brand refresh, phase 2", location: null }, po_number: null });
  assert.deepEqual(mergePatch(recorded, { ...recorded }, shown), {}, "nothing changed, nothing sent");
  assert.deepEqual(mergePatch({ in_scope: ["a", "b"] }, { in_scope: ["a"] }), { in_scope: ["a"] }, "a list is replaced whole");

  const zoe = { name: "Zoe Angstrom", email: "zoe@angstrom.example", skills: ["brand"] };
  const roster = { freelancer_id: "f1", freelancer: zoe, sow_number: "SOW-1" };
  assert.deepEqual(contractChanges(roster, { freelancer_id: "f1", sow_number: "SOW-2" }), { sow_number: "SOW-2" },
    "the same roster freelancer: the recorded details stand");
  assert.deepEqual(contractChanges(roster, { freelancer_id: "f2", sow_number: "SOW-1" }), { freelancer_id: "f2" },
    "another roster freelancer: filled from the roster afresh");
  const typed = { name: "Ada Lovelace", email: "ada@lovelace.example" };
  assert.deepEqual(contractChanges(roster, { freelancer: typed, sow_number: "SOW-1" }, (path) => path !== "freelancer.skills"),
    { freelancer_id: null, freelancer: { name: "Ada Lovelace", email: "ada@lovelace.example", skills: null } },
    "details typed instead: nothing of the roster's record stays, not even what the form does not show");
});

const RECORDED = { ...DRAFT, template: "sow", data: {
  freelancer_id: "f1", freelancer: { name: "Zoe Angstrom", email: "zoe@angstrom.example", rate: "85.00", rate_unit: "hour", currency: "USD" },
  client: { name: "Contoso Ltd", address: "1 Microsoft Way", signatory_name: "Megan Bowen", signatory_title: "CMO", email: "legal@contoso.example" },
  sow_number: "SOW-2027-014", effective_date: "2027-01-04", governing_law: "the State of Washington", jurisdiction: null,
  project: { title: "Brand refresh", summary: "Refresh the brand.", start_date: "2027-01-11", end_date: "2027-03-31", location: null },
  in_scope: ["Logo", "Palette"], out_of_scope: [],
  deliverables: [{ name: "Logo", description: "A logo.", due_date: "2027-02-01", acceptance_criteria: "Approved by the CMO" }],
  fee: { model: "fixed", currency: "USD", amount: "7500.00", rate: null, estimated_units: null, cap: null },
  milestones: [{ name: "Kick-off", due_date: "2027-01-11", amount: "2500.00" }, { name: "Final", due_date: "2027-03-31", amount: "5000.00" }],
  payment_terms_days: 30, locale: "en-US" } };
const REVISED = { ...RECORDED, id: "d8", filename: "SOW-2027-014 Zoe Angstrom (2).docx", predecessor_id: "d7",
  data: { ...RECORDED.data, project: { ...RECORDED.data.project, title: "Brand refresh, phase 2" } } };

test("Edit… asks for the record with its data, for the pane to open it in its form", async () => {
  const { window } = mounted(mountDocuments, "view-documents", { host: "browser", identity: null, routes: {
    [`GET ${LIST}`]: [[200, { items: [{ ...DRAFT, template: "sow" }], page: 1, per_page: 20, total: 1 }]],
    "GET /api/documents/d7": [[200, RECORDED]],
  } });
  const section = window.document.getElementById("view-documents");
  await until(() => section.querySelector("li.document"), "the first page");
  const asked = [];
  window.document.addEventListener("edit-requested", (event) => asked.push(event.detail));
  [...section.querySelectorAll("li.document button")].find((button) => button.textContent === "Edit…").click();
  await until(() => asked.length === 1, "the edit asked for");
  assert.deepEqual(asked[0], RECORDED);
  assert.equal(canEdit({ template: "budget" }, { host: "browser" }), false, "a tracker has no form to edit it in");
  assert.equal(canEdit({ template: "nda-one-way" }, { host: "excel" }), false, "Excel shows no contract forms");
});

test("a recorded SOW opens in its form, and what is made from it is its new version, sent as the changes", async () => {
  const { window, form, server } = mounted(mountSow, "view-sow", { host: "browser", identity: null, freelancer: null, routes: {
    "POST /api/documents/d7/regenerate": [[201, REVISED]],
    "POST /api/documents/d8/regenerate": [[201, { ...REVISED, id: "d9" }]],
  } });
  form.dispatchEvent(new window.CustomEvent("edit-document", { detail: RECORDED }));
  assert.equal(form.elements["project.title"].value, "Brand refresh");
  assert.equal(form.elements.in_scope.value, "Logo\nPalette");
  assert.equal(form.elements["milestones[1].amount"].value, "5000.00");
  assert.equal(form.querySelectorAll("[data-list=milestones] > fieldset").length, 2);
  assert.equal(form.elements.freelancer_id.value, "f1");
  assert.equal(form.querySelector(".picked-name").textContent, "Zoe Angstrom");
  assert.equal(form.elements["freelancer.name"].value, "", "a roster freelancer's details are not typed in");
  const banner = form.querySelector("[data-editing]");
  assert.equal(banner.hidden, false);
  assert.match(banner.textContent, /Editing “SOW-2027-014 Zoe Angstrom.docx”/);

  form.elements["project.title"].value = "Brand refresh, phase 2";
  form.querySelector("[data-action=download]").click();
  await until(() => server.to("/api/documents/d7/regenerate").length === 1, "the new version");
  assert.deepEqual(JSON.parse(server.to("/api/documents/d7/regenerate")[0].body), { changes: { project: { title: "Brand refresh, phase 2" } } });
  assert.equal(server.to("/api/documents").filter((request) => request.method === "POST").length, 0, "no unlinked document");
  await until(() => /new version of/.test(banner.textContent), "the banner updated");

  // A further edit builds on the version just made; starting afresh makes unlinked documents again.
  form.elements.sow_number.value = "SOW-2027-015";
  form.querySelector("[data-action=download]").click();
  await until(() => server.to("/api/documents/d8/regenerate").length === 1, "the version after");
  assert.deepEqual(JSON.parse(server.to("/api/documents/d8/regenerate")[0].body), { changes: { sow_number: "SOW-2027-015" } });
  banner.querySelector("[data-stop-editing]").click();
  assert.equal(banner.hidden, true);
  form.querySelector("[data-action=download]").click();
  await until(() => server.to("/api/documents").some((request) => request.method === "POST"), "a new document");
});

test("signed in inside Office, each document of the library can be saved to OneDrive", async () => {
  const { window, server } = mounted(mountDocuments, "view-documents", { host: "word", routes: {
    [`GET ${LIST}`]: [[200, { items: [{ ...DRAFT, id: "d1" }], page: 1, per_page: 20, total: 1 }]],
  } });
  const section = window.document.getElementById("view-documents");
  await until(() => section.querySelector("li.document"), "the first page");
  const entry = section.querySelector("li.document");
  [...entry.querySelectorAll("button")].find((button) => button.textContent === "Save to OneDrive").click();
  await until(() => /Open in OneDrive/.test(entry.textContent), "the saved document's link");
  assert.equal(server.to(ONEDRIVE).length, 1);
  assert.equal(entry.querySelector("a").href, WEB_URL);
});

test("editing keeps what the form does not offer, ends when the NDA becomes another kind, and leaves your company as remembered", async () => {
  const nda = { id: "n1", filename: "NDA Zoe Angstrom.docx", template: "nda-one-way", download_url: "/api/documents/n1/file", data: {
    freelancer_id: "f1", freelancer: { name: "Zoe Angstrom", email: "zoe@angstrom.example" }, discloser: "freelancer",
    client: { name: "Fabrikam Inc", address: "1 Fabrikam Way", signatory_name: "Ann Lee", signatory_title: "CEO", email: "ann@fabrikam.example" },
    effective_date: "2027-01-04", purpose: "A pitch.", confidentiality_years: 3, jurisdiction: "Vienna", governing_law: "Austria", locale: "de-AT" } };
  const stored = new Map([["freelance-toolkit.remembered", JSON.stringify({ client: { name: "Contoso Ltd" } })]]);
  const saved = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
  Object.defineProperty(globalThis, "localStorage", { configurable: true, value: {
    getItem: (key) => stored.get(key) ?? null, setItem: (key, value) => stored.set(key, value), removeItem: (key) => stored.delete(key) } });
  after(() => (saved ? Object.defineProperty(globalThis, "localStorage", saved) : delete globalThis.localStorage));
  const { window, form, server } = mounted(mountNda, "view-nda", { host: "browser", identity: null, freelancer: null, routes: {
    "GET /api/freelancers/f1": [[200, { id: "f1", name: "Zoe Angstrom", nda: { in_force: true, until: "2030-01-04", document_id: "n1" } }]],
    "POST /api/documents/n1/regenerate": [[201, { ...nda, id: "n2", predecessor_id: "n1" }]],
    "POST /api/documents": [[201, { ...nda, id: "n3", template: "nda-mutual", predecessor_id: null }]],
  } });
  form.dispatchEvent(new window.CustomEvent("edit-document", { detail: nda }));
  assert.equal(form.querySelector("input[value=nda-one-way]").checked, true);
  assert.equal(form.elements.discloser.value, "freelancer");
  assert.equal(form.elements.locale.value, "de-AT", "a language the list lacks is kept");
  const note = form.querySelector("[data-nda-note]");
  await until(() => !note.hidden, "the roster's word on the NDA");
  assert.match(note.textContent, /is in force/, "the roster, not the snapshot, says whether an NDA is in force");

  form.elements.purpose.value = "A pitch, and the work after it.";
  form.querySelector("[data-action=download]").click();
  await until(() => server.to("/api/documents/n1/regenerate").length === 1, "the new version");
  assert.deepEqual(JSON.parse(server.to("/api/documents/n1/regenerate")[0].body), { changes: { purpose: "A pitch, and the work after it." } });
  assert.deepEqual(JSON.parse(stored.get("freelance-toolkit.remembered")), { client: { name: "Contoso Ltd" } },
    "an edited contract's company is not remembered as yours");

  form.querySelector("input[value=nda-mutual]").click();
  form.querySelector("[data-action=download]").click();
  await until(() => server.to("/api/documents").some((request) => request.method === "POST"), "a document of its own");
  await until(() => form.querySelector("[data-editing]").hidden, "the edit over");
});
