// The documents library view in jsdom: a search lists what the API found, a contract moves to the
// status its buttons offer (the API's next_statuses, never a list of our own), and a checked file is
// named as the document, PDF or signed copy it is.

import { test } from "node:test";
import assert from "node:assert/strict";

import { mounted, until } from "./panes.mjs";
import { describe, mountDocuments, verdict } from "../views/documents.js";

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
