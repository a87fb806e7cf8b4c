// The Insights view in jsdom from the real taskpane.html: the figures the API answers shown as tables
// and SVG charts, the period checked before asking, and in Excel the dashboard inserted with its
// charts; the SOW form's note on whether a signed NDA binds the picked freelancer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";

import { HTML, mounted, until } from "./panes.mjs";
import { showNda } from "../views/contract.js";
import { chart, mountInsights, summaryLine } from "../views/insights.js";

const ID = "0b8a3c8e-1f4e-4d5e-9a7b-2c3d4e5f6a7b";
const INSIGHT = {
  from: "2026-01-01", to: "2026-12-31", group_by: "category",
  totals: [
    { group: null, currency: "EUR", committed_spend: "9000.00", sows: 1, average_value: "9000.00", average_duration_days: 30, median_days_to_engage: 4, ids: [ID] },
    { group: null, currency: "USD", committed_spend: "24501.00", sows: 2, average_value: "12250.50", average_duration_days: 80, median_days_to_engage: 7.5, ids: [ID, ID] },
  ],
  groups: [
    { group: "design", currency: "USD", committed_spend: "24501.00", sows: 2, average_value: "12250.50", average_duration_days: 80, median_days_to_engage: 7.5, ids: [ID, ID] },
    { group: null, currency: "EUR", committed_spend: "9000.00", sows: 1, average_value: "9000.00", average_duration_days: 30, median_days_to_engage: 4, ids: [ID] },
  ],
  median_days_to_engage: { value: 5, ids: [ID, ID, ID] },
  active_freelancers: { value: 2, ids: [ID, ID] },
  sows_per_month: [
    { month: "2026-03", sows: 1, average_days_to_engage: 4, ids: [ID] },
    { month: "2026-05", sows: 2, average_days_to_engage: 7.5, ids: [ID, ID] },
  ],
  demand: [{ month: "2026-05", skill: "ux", sows: 2, ids: [ID, ID] }, { month: "2026-03", skill: "python", sows: 1, ids: [ID] }],
  ndas_expiring: [{ id: ID, template: "nda-mutual", freelancer: "Zoe Angstrom", expires_on: "2027-01-15" }],
};
const QUERY = "/api/insights?from=2026-01-01&to=2026-12-31&group_by=category";
const DASHBOARD = {
  workbook: Buffer.from("PK\u0003\u0004 xl/worksheets/sheet1.xml xl/tables/table1.xml").toString("base64"),
  sheets: ["Dashboard", "SOWs", "NDAs"],
  names: [],
  print_settings: [],
  charts: [{ sheet: "Dashboard", type: "BarClustered", title: "Committed spend per category", source: "A22:C25",
    series_by: "Columns", top_left: "I5", bottom_right: "R19" }],
  warnings: [],
};

function period(form, from, to) {
  form.elements.from.value = from;
  form.elements.to.value = to;
}

test("the figures of the period are shown as tables and charts, money in its currency", async () => {
  const { form, server } = mounted(mountInsights, "view-insights", { host: "browser", identity: null, routes: { [`GET ${QUERY}`]: [[200, INSIGHT]] } });
  period(form, "2026-01-01", "2026-12-31");
  form.requestSubmit();
  const panel = form.ownerDocument.querySelector("[data-insights]");
  await until(() => !panel.hidden, "the figures");
  assert.equal(server.to(QUERY).length, 1);
  const totals = [...panel.querySelectorAll("[data-totals] tbody tr")].map((row) => [...row.cells].map((cell) => cell.textContent));
  assert.deepEqual(totals[1].slice(0, 4), ["USD", "$24,501.00", "2", "$12,250.50"]);
  assert.equal(totals[0][1], "€9,000.00");
  const groups = [...panel.querySelectorAll("[data-groups] tbody tr")].map((row) => row.cells[0].textContent);
  assert.deepEqual(groups, ["design", "Not given"]);
  assert.equal(panel.querySelectorAll("[data-months-chart] svg rect").length, 2);
  assert.match(panel.querySelector("[data-months-chart] svg").getAttribute("aria-label"), /2026-03 1, 2026-05 2/);
  assert.ok(panel.querySelector("[data-engage-chart] svg polyline"));
  assert.match(panel.querySelector("[data-ndas]").textContent, /Zoe Angstrom: ends Jan 15, 2027/);
  assert.match(form.querySelector("[data-status]").textContent, /3 signed statements of work: €9,000\.00 \+ \$24,501\.00 committed/);
});

test("a period that ends before it starts is said at its field, and nothing is asked", async () => {
  const { form, server } = mounted(mountInsights, "view-insights", { host: "browser", identity: null });
  period(form, "2026-12-31", "2026-01-01");
  form.requestSubmit();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(form.elements.to.getAttribute("aria-invalid"), "true");
  assert.equal(server.requests.filter((request) => request.url.startsWith("/api/insights")).length, 0);
});

test("in Excel the programme dashboard is inserted, its charts added back", async () => {
  const route = "GET /api/insights/insertion?from=2026-01-01&to=2026-12-31&group_by=category";
  const file = { sheets: [{ name: "Dashboard" }, { name: "SOWs", tables: [{ name: "Sows", headers: ["Document id"] }] }, { name: "NDAs" }] };
  const { form, excel } = mounted(mountInsights, "view-insights", { host: "excel", routes: { [route]: [[200, DASHBOARD]] },
    excel: { files: { [DASHBOARD.workbook]: file } } });
  const insert = form.querySelector("[data-action=insert]");
  assert.equal(insert.hidden, false);
  period(form, "2026-01-01", "2026-12-31");
  insert.click();
  await until(() => /Inserted the programme dashboard/.test(form.querySelector("[data-status]").textContent), "the insertion");
  const dashboard = excel.sheets.find((sheet) => sheet.name === "Dashboard");
  assert.equal(dashboard.charts.length, 1);
  assert.equal(dashboard.charts[0].source, "A22:C25");
});

test("outside Excel there is no dashboard to insert, only to download", () => {
  const { form } = mounted(mountInsights, "view-insights", { host: "browser", identity: null });
  assert.equal(form.querySelector("[data-action=insert]").hidden, true);
  assert.equal(form.querySelector("[data-action=download]").hidden, false);
});

test("the SOW form warns when no signed NDA binds the freelancer, and says until when one does", () => {
  const { window } = new JSDOM(HTML);
  const note = window.document.createElement("p");
  showNda(note, { name: "Zoe Angstrom", nda: { in_force: false, until: null, document_id: null } }, { needsNda: true });
  assert.equal(note.hidden, false);
  assert.equal(note.dataset.tone, "warn");
  assert.match(note.textContent, /No signed NDA with Zoe Angstrom is in force\. Send an NDA before/);
  assert.equal(note.querySelector("a").dataset.goto, "nda");
  showNda(note, { name: "Zoe Angstrom", nda: { in_force: true, until: "2027-03-01", document_id: ID } }, { needsNda: true });
  assert.equal(note.dataset.tone, "ok");
  assert.equal(note.textContent, "A signed NDA with Zoe Angstrom is in force until March 1, 2027.");
  showNda(note, { name: "Zoe Angstrom", nda: { in_force: true, until: null, document_id: ID } });
  assert.equal(note.textContent, "A signed NDA with Zoe Angstrom is in force until terminated.");
  showNda(note, { name: "Zoe Angstrom", nda: { in_force: false } });
  assert.equal(note.hidden, true, "the NDA form says nothing when there is none: it is the one being made");
  showNda(note, null, { needsNda: true });
  assert.equal(note.hidden, true);
  for (const needsNda of [true, false]) {
    showNda(note, { name: "Zoe Angstrom", nda: { in_force: false, until: "2029-01-03", document_id: ID, starts_on: "2027-01-04" } }, { needsNda });
    assert.equal(note.hidden, false, "a signed NDA that takes effect later is said on both forms");
    assert.equal(note.dataset.tone, "warn");
    assert.equal(note.textContent, "A signed NDA with Zoe Angstrom takes effect on January 4, 2027: share nothing confidential before then.");
  }
});

test("a chart of nothing says so, and the summary of nothing too", () => {
  const { window } = new JSDOM(HTML);
  assert.equal(chart(window.document, "columns", [], "SOWs").textContent, "Nothing signed in this period.");
  assert.equal(summaryLine({ totals: [] }), "No signed statement of work in this period.");
});

test("in Excel the open workbook's tracker is summarised from the file Office hands over", async () => {
  const { mountBudget } = await import("../views/budget.js");
  const summary = { sheet: "Budget", table: "BudgetLines", currency: "EUR", approved_budget: "10000.00", lines: 2,
    planned: "9000.00", actual: "9500.00", invoiced: "0.00", remaining: "500.00", percent_used: "95.0", over_budget: [], warnings: [] };
  const { form, server } = mounted(mountBudget, "view-budget", { host: "excel", file: { bytes: [80, 75, 3, 4, 1, 2, 3] },
    routes: { "POST /api/budgets/summary": [[200, summary]] } });
  const button = form.querySelector("[data-action=summarise]");
  assert.equal(button.hidden, false);
  button.click();
  const panel = form.querySelector("[data-budget-summary]");
  await until(() => !panel.hidden, "the summary");
  assert.match(panel.textContent, /€10,000\.00/);
  assert.equal(server.to("/api/budgets/summary").length, 1);
  assert.match(form.querySelector("[data-status]").textContent, /summary of this workbook's tracker/);
});

test("outside Excel there is no open workbook to summarise", async () => {
  const { mountBudget } = await import("../views/budget.js");
  const { form } = mounted(mountBudget, "view-budget", { host: "browser", identity: null });
  assert.equal(form.querySelector("[data-action=summarise]").hidden, true);
});
