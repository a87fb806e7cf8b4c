// Download PDF: a contract goes out for signature as PDF, from every host, never as the form's main action.

import { test } from "node:test";
import assert from "node:assert/strict";

import { asPdf } from "../views/contract.js";
import { mountSow } from "../views/sow.js";
import { LINK, mounted, RECORD, until } from "./panes.mjs";

test("a record as PDF is the same document, downloaded converted and named .pdf", () => {
  const pdf = asPdf({ ...RECORD, download_url: "/api/documents/d1/file", filename: "SOW-1 Zoe.docx" });
  assert.equal(pdf.download_url, "/api/documents/d1/file?format=pdf");
  assert.equal(pdf.filename, "SOW-1 Zoe.pdf");
  assert.equal(pdf.id, RECORD.id);
});

test("in a browser, Download PDF generates the contract and downloads its PDF; Download .docx stays the main action", async () => {
  const page = mounted(mountSow, "view-sow", { host: "browser", identity: null });
  const { window } = page;
  assert.equal(page.form.querySelector("[data-action=download]").type, "submit");
  assert.equal(page.form.querySelector("[data-action=pdf]").type, "button");
  const clicked = [];
  window.HTMLAnchorElement.prototype.click = function () { clicked.push([this.href, this.download]); };
  page.form.querySelector("[data-action=pdf]").click();
  await until(() => page.form.querySelector("[data-status]").dataset.tone === "ok", "the PDF download");
  assert.equal(page.server.to("/api/documents").length, 1);
  assert.equal(clicked.length, 1);
  assert.match(clicked[0][0], /\/api\/documents\/d1\/file\?format=pdf$/);
  assert.match(clicked[0][1], /\.pdf$/);
});

test("in Word, Download PDF opens a signed link to the PDF in the browser", async () => {
  const page = mounted(mountSow, "view-sow", {
    routes: { "POST /api/documents/d1/link?format=pdf": [[201, { url: `${LINK}?format=pdf`, expires_at: "2026-12-02T10:05:00Z" }]] },
  });
  page.form.querySelector("[data-action=pdf]").click();
  await until(() => page.form.querySelector("[data-status]").dataset.tone === "ok", "the PDF link");
  assert.deepEqual(page.office.opened, [`${LINK}?format=pdf`]);
});
