// The views in Word and Excel as the documentation describes them (office-fakes.mjs): what each
// requirement set offers, the confirmation before the open document is replaced or a second tracker
// inserted, the download when Excel cannot insert, and downloads through signed links inside Office.

import { test } from "node:test";
import assert from "node:assert/strict";

import { TRACKER_SETTING } from "../excel.js";
import { mountBudget } from "../views/budget.js";
import { mountSow } from "../views/sow.js";
import { IDENTITY, INSERTION } from "./fakes.mjs";
import { LINK, mounted, RECORD, until } from "./panes.mjs";

const statusOf = (page) => page.form.querySelector("[data-status]");
const settled = (page) => until(() => ["ok", "error", "info"].includes(statusOf(page).dataset.tone), "the action to finish");
const button = (page, action) => page.form.querySelector(`[data-action=${action}]`);
const confirmBox = (page) => page.form.querySelector(".confirm");

test("Word offers what its requirement sets allow: open as new (1.3), replace (1.5), else download", () => {
  const shown = (sets) => {
    const page = mounted(mountSow, "view-sow", { sets });
    return ["insert", "replace", "download"].filter((action) => !button(page, action).hidden)
      .map((action) => `${action}${button(page, action).type === "submit" ? "*" : ""}`);
  };
  assert.deepEqual(shown({ WordApi: "1.5" }), ["insert*", "replace", "download"]);
  assert.deepEqual(shown({ WordApi: "1.3" }), ["insert*", "download"]);
  assert.deepEqual(shown({ WordApi: "1.1" }), ["download*"]);
});

test("replacing the open document asks first; Cancel generates nothing and changes nothing", async () => {
  const page = mounted(mountSow, "view-sow");
  button(page, "replace").click();
  await until(() => confirmBox(page), "the question");
  assert.match(confirmBox(page).textContent, /replaces everything in the open document, its headers and footers included/);
  assert.equal(page.window.document.activeElement, confirmBox(page).querySelector("[data-confirm=yes]"));
  confirmBox(page).querySelector("[data-confirm=no]").click();
  await settled(page);
  assert.equal(statusOf(page).textContent, "Nothing was changed.");
  assert.deepEqual(page.server.to("/api/documents"), []);
  assert.deepEqual(page.word.inserted, []);
});

test("confirmed, the contract replaces the document's content with its section properties (Document.insertFileFromBase64)", async () => {
  const page = mounted(mountSow, "view-sow");
  button(page, "replace").click();
  await until(() => confirmBox(page), "the question");
  confirmBox(page).querySelector("[data-confirm=yes]").click();
  await settled(page);
  assert.equal(statusOf(page).dataset.tone, "ok", statusOf(page).textContent);
  assert.match(statusOf(page).textContent, /^Replaced this document's content with “SOW-2027-014 Zoe Angstrom.docx”/);
  assert.deepEqual(page.word.inserted.map(({ into, location }) => [into, location]), [["document", "Replace"]]);
  assert.deepEqual(page.word.created, []);
});

test("inside Office a download opens a signed link in the browser, in local mode and signed in alike", async () => {
  for (const identity of [null, IDENTITY]) {
    const page = mounted(mountSow, "view-sow", { identity });
    button(page, "download").click();
    await settled(page);
    assert.equal(statusOf(page).dataset.tone, "ok", statusOf(page).textContent);
    assert.deepEqual(page.office.opened, [LINK]);
    assert.deepEqual(page.server.to("/api/documents/d1/link").map((request) => request.method), ["POST"]);
    assert.deepEqual(page.server.to(RECORD.download_url), [], "the bytes are not fetched into the pane");

    statusOf(page).querySelector("a").click();
    await until(() => page.office.opened.length === 2, "the second download");
    assert.equal(page.server.to("/api/documents/d1/link").length, 2, "each download asks for a fresh link");
  }
});

test("Excel inserts the tracker without its chart, adds it back, and remembers the table", async () => {
  const page = mounted(mountBudget, "view-budget", { host: "excel", identity: null });
  page.form.requestSubmit();
  await settled(page);
  assert.equal(statusOf(page).dataset.tone, "ok", statusOf(page).textContent);
  assert.match(statusOf(page).textContent, /^Inserted the tracker into this workbook: see the “Budget” sheet\./);
  assert.equal(page.server.to("/api/documents/d1/insertion").length, 1);
  assert.equal(page.excel.sheets[0].charts[0].title.text, INSERTION.charts[0].title);
  assert.deepEqual(page.office.context.document.settings.get(TRACKER_SETTING), { table: "BudgetLines", sheet: "Budget" });
});

test("a workbook with a tracker already asks before inserting another", async () => {
  const existing = { name: "BudgetLines", sheet: "Budget", headers: ["Freelancer", "Planned units", "Rate"] };
  const page = mounted(mountBudget, "view-budget", { host: "excel", identity: null, excel: { tables: [existing] } });
  page.form.requestSubmit();
  await until(() => confirmBox(page), "the question");
  assert.match(confirmBox(page).textContent, /has a budget tracker already \(table BudgetLines on the “Budget” sheet\)/);
  confirmBox(page).querySelector("[data-confirm=yes]").click();
  await settled(page);
  assert.match(statusOf(page).textContent, /see the “Budget \(2\)” sheet/);
  assert.deepEqual(page.office.context.document.settings.get(TRACKER_SETTING), { table: "BudgetLines2", sheet: "Budget (2)" });
});

test("where Excel refuses the insert (UnsupportedFeature), the tracker is downloaded instead and the pane says why", async () => {
  // A workbook the server could not free of every unsupported part, on Excel for iPad.
  const withChart = Buffer.from("PK\u0003\u0004 xl/charts/chart1.xml").toString("base64");
  const page = mounted(mountBudget, "view-budget", { host: "excel", identity: null,
    routes: { "GET /api/documents/d1/insertion": [[200, { ...INSERTION, workbook: withChart }]] },
    excel: { platform: "iOS", files: { [withChart]: { sheets: [] } } } });
  page.form.requestSubmit();
  await settled(page);
  assert.equal(statusOf(page).dataset.tone, "info", statusOf(page).textContent);
  assert.match(statusOf(page).textContent, /cannot insert these worksheets into an open workbook\. .* It is downloading now\./);
  assert.deepEqual(page.office.opened, [LINK]);
  assert.deepEqual(page.excel.sheets, []);
});
