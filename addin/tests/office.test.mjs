// The host writers against fakes that behave as Microsoft documents Word, Excel and Office
// (office-fakes.mjs): what Word and Excel are asked to do, with what, and what happens when they refuse.

import { test } from "node:test";
import assert from "node:assert/strict";

import { freelancerTexts, openAsNewDocument, refillFreelancer, replaceDocument, REPLACE_OPTIONS } from "../word.js";
import {
  appendLines, asText, CannotInsert, existingTracker, formulaColumns, insertTracker, rowValues, TRACKER_SETTING,
} from "../excel.js";
import { fakeExcel, fakeWord, officeNamespace } from "./office-fakes.mjs";

const ZOE = {
  id: "5b0c5a52-6a8e-4d3c-9d7e-0d6c2b1f9a11", name: "Zoe Angstrom", business_name: "Angstrom Design LLC",
  email: "zoe@angstrom.example", phone: null, address: "12 Pike Street\nSeattle, WA 98101", country: "US",
  tax_id: null, rate: "85.00", rate_unit: "hour", currency: "USD", skills: ["Branding", "Illustration"],
};
const DOCX = "UEsDBBQ=";

// Word ---------------------------------------------------------------------------------------------

test("a contract opens as a new document (WordApi 1.3), leaving the open one untouched", async () => {
  const word = fakeWord({ sets: { WordApi: "1.3" } });
  await word.run((context) => openAsNewDocument(context, DOCX));
  assert.deepEqual(word.created, [DOCX]);
  assert.deepEqual(word.inserted, []);
});

test("where Word lacks WordApi 1.3 there is no createDocument, and opening fails rather than replacing", async () => {
  const word = fakeWord({ sets: { WordApi: "1.2" } });
  await assert.rejects(word.run((context) => openAsNewDocument(context, DOCX)), TypeError);
  assert.deepEqual(word.inserted, []);
});

test("replacing goes through Document.insertFileFromBase64 (WordApi 1.5), which keeps headers, footers and page setup", async () => {
  const word = fakeWord({ sets: { WordApi: "1.5" } });
  await word.run((context) => replaceDocument(context, DOCX));
  assert.deepEqual(word.inserted, [{ into: "document", base64: DOCX, location: "Replace", options: { ...REPLACE_OPTIONS } }]);
  assert.ok(REPLACE_OPTIONS.importStyles && REPLACE_OPTIONS.importTheme);
});

test("the body's insertFileFromBase64, which drops headers and footers, is never used", async () => {
  const word = fakeWord({ sets: { WordApi: "1.5" } });
  await word.run((context) => replaceDocument(context, DOCX));
  assert.ok(word.inserted.every((each) => each.into === "document"));
});

test("refilling rewrites every control tagged with a freelancer field and counts them", async () => {
  const word = fakeWord({ controls: {
    "freelancer.name": ["Zoe A.", "Zoe A.", "Zoe A."],
    "freelancer.business_name": ["Angstrom LLC"],
    "freelancer.email": ["old@example.com"],
  } });
  const result = await word.run((context) => refillFreelancer(context, ZOE));

  assert.equal(result.controls, 5);
  assert.deepEqual(result.fields, ["freelancer.name", "freelancer.business_name", "freelancer.email"]);
  assert.deepEqual(word.controls["freelancer.name"].map((c) => c.written), Array(3).fill([["text", "Zoe Angstrom"]]));
  assert.deepEqual(word.controls["freelancer.business_name"][0].written, [["text", "Angstrom Design LLC"]]);
});

test("a multi-line address is written line by line with line breaks, never as \\n or \\v characters", async () => {
  const word = fakeWord({ controls: { "freelancer.address": ["1 Old Road"] } });
  await word.run((context) => refillFreelancer(context, { ...ZOE, address: "12 Pike Street\r\nSeattle, WA 98101\nUSA" }));
  const [control] = word.controls["freelancer.address"];
  assert.deepEqual(control.written, [
    ["text", "12 Pike Street"], ["break", "Line"], ["text", "Seattle, WA 98101"], ["break", "Line"], ["text", "USA"],
  ]);
  assert.ok(control.written.every(([, value]) => !/[\n\r\v]/.test(value)));
});

test("a field the roster leaves empty is reported and left as it is, not blanked", async () => {
  const word = fakeWord({ controls: { "freelancer.phone": ["+1 206 555 0100"], "freelancer.name": ["Zoe"] } });
  const result = await word.run((context) => refillFreelancer(context, ZOE));
  assert.equal(result.controls, 1);
  assert.deepEqual(result.keptAsIs, ["freelancer.phone"]);
  assert.deepEqual(word.controls["freelancer.phone"][0].written, []);
});

test("a document without freelancer controls is left alone and reports nothing updated", async () => {
  const word = fakeWord();
  const result = await word.run((context) => refillFreelancer(context, ZOE));
  assert.deepEqual(result, { controls: 0, fields: [], keptAsIs: [] });
});

test("the texts written show the rate as money, the skills as a list and an address as its lines", () => {
  const texts = freelancerTexts(ZOE);
  assert.deepEqual(texts["freelancer.rate"], ["$85.00"]);
  assert.deepEqual(texts["freelancer.skills"], ["Branding, Illustration"]);
  assert.deepEqual(texts["freelancer.address"], ["12 Pike Street", "Seattle, WA 98101"]);
  assert.equal(texts["freelancer.phone"], null);
});

// Excel: the lines table ---------------------------------------------------------------------------

const HEADERS = ["Freelancer", "Role", "SOW", "Milestone", "Status", "Planned units", "Rate", "Planned amount",
  "Actual units", "Actual amount", "Invoiced", "Variance", "% used"];
const FORMULAS = ["=[@[Planned units]]*[@Rate]", "=[@[Actual units]]*[@Rate]", "=[@[Planned amount]]-[@[Actual amount]]",
  '=IF([@[Planned amount]]=0,"",[@[Actual amount]]/[@[Planned amount]])'];
const filledRow = (name) => [name, "Designer", "", "", "planned", 10, 85, FORMULAS[0], 0, FORMULAS[1], 0, FORMULAS[2], FORMULAS[3]];
const blankRow = () => ["", "", "", "", "", "", "", FORMULAS[0], "", FORMULAS[1], "", FORMULAS[2], FORMULAS[3]];
// What Excel shows for a row: formulas computed (to 0 here), everything else as typed.
const valuesOf = (rows) => rows.map((row) => row.map((cell) => (String(cell).startsWith("=") ? 0 : cell)));
const linesTable = (rows, { name = "BudgetLines", headers = HEADERS, sheet = "Budget" } = {}) =>
  ({ name, sheet, headers, formulas: rows, values: valuesOf(rows) });
const LINE = { freelancer: "Zoe Angstrom", role: "Brand designer", milestone: "Logo", planned_units: "40", rate: "85.00", status: "planned" };

test("appending writes each value under its column's header and leaves formula columns to Excel", async () => {
  const excel = fakeExcel({ tables: [linesTable([filledRow("Someone")])] });
  const count = await excel.run((context) => appendLines(context, [LINE, { ...LINE, freelancer: "Zhang Wei", role: "Data engineer", planned_units: "12.5", rate: "720" }]));

  assert.equal(count, 2);
  assert.equal(excel.added.length, 1);
  assert.equal(excel.added[0].table, "BudgetLines");
  const [first, second] = excel.added[0].values;
  assert.deepEqual(first, ["Zoe Angstrom", "Brand designer", "", "Logo", "planned", 40, 85, null, "", null, "", null, null]);
  assert.equal(second[HEADERS.indexOf("Planned units")], 12.5);
  assert.equal(second[HEADERS.indexOf("Rate")], 720);
});

test("values follow the header names whatever the column order, and unknown columns are left alone", async () => {
  const headers = ["Rate", "Notes", "Planned amount", "Freelancer", "Planned units", "Role"];
  const excel = fakeExcel({ tables: [linesTable([[85, "keep", FORMULAS[0], "Someone", 10, "Designer"]], { headers })] });
  await excel.run((context) => appendLines(context, [LINE]));
  assert.deepEqual(excel.added[0].values, [[85, null, null, "Zoe Angstrom", 40, "Brand designer"]]);
});

test("a company's own formula column is left to Excel, read from every row of the table", async () => {
  const headers = ["Freelancer", "Role", "Margin"];
  // The first row is blank in Margin (a row typed over); the column's formulas are in the others.
  const rows = [["A", "Designer", ""], ["B", "Writer", "=[@Rate]*0.1"], ["C", "Editor", "=[@Rate]*0.1"]];
  const excel = fakeExcel({ tables: [linesTable(rows, { headers })] });
  await excel.run((context) => appendLines(context, [LINE]));
  assert.deepEqual(excel.added[0].values, [["Zoe Angstrom", "Brand designer", null]]);
});

test("text typed as '=... is not taken for a formula, though Excel's formulas drop the apostrophe (office-js#6687)", () => {
  const headers = ["Freelancer", "Role", "Notes"];
  // Excel reports text '=see SOW as formula "=see SOW" and value "=see SOW"; a real formula's value differs.
  const formulas = [["=x", "Designer", "=see SOW"], ["Ann", "Writer", "=[@Rate]*2"]];
  const values = [["=x", "Designer", "=see SOW"], ["Ann", "Writer", 170]];
  assert.deepEqual([...formulaColumns(headers, formulas, values)], ["Notes"]);
  assert.deepEqual([...formulaColumns(headers, [formulas[0]], [values[0]])], []);
});

test("the blank line of an empty tracker is filled in rather than left above the new lines", async () => {
  const excel = fakeExcel({ tables: [linesTable([blankRow()])] });
  await excel.run((context) => appendLines(context, [LINE, { ...LINE, role: "Illustrator" }]));
  const [filled, added] = excel.added;
  assert.equal(filled.row, 0);
  assert.equal(filled.values[0][0], "Zoe Angstrom");
  assert.equal(filled.values[0][HEADERS.indexOf("Planned amount")], null);
  assert.equal(added.values.length, 1);
  assert.equal(added.values[0][1], "Illustrator");
});

test("a workbook without the tracker table is refused with a message saying what to do", async () => {
  const excel = fakeExcel();
  await assert.rejects(excel.run((context) => appendLines(context, [LINE])), /no BudgetLines table.*Insert a budget tracker/);
});

test("lines go into the tracker the pane inserted (remembered in the document settings), not the older one", async () => {
  const office = officeNamespace({ settings: { [TRACKER_SETTING]: { table: "BudgetLines2", sheet: "Budget (2)" } } });
  const excel = fakeExcel({ tables: [linesTable([filledRow("Old")]), linesTable([blankRow()], { sheet: "Budget (2)" })] });
  assert.deepEqual(excel.tables.map((table) => table.name), ["BudgetLines", "BudgetLines2"]);
  await excel.run((context) => appendLines(context, [LINE], { settings: office.context.document.settings }));
  assert.deepEqual(excel.added.map((each) => each.table), ["BudgetLines2"]);
});

test("a remembered table that was deleted since falls back to BudgetLines", async () => {
  const office = officeNamespace({ settings: { [TRACKER_SETTING]: { table: "Gone", sheet: "Old" } } });
  const excel = fakeExcel({ tables: [linesTable([filledRow("Old")])] });
  const found = await excel.run((context) => existingTracker(context, office.context.document.settings));
  assert.deepEqual(found, { table: "BudgetLines", sheet: "Budget" });
});

test("text that Excel would run as a formula is written as text", () => {
  const risky = { ...LINE, freelancer: "=HYPERLINK(\"https://evil.example\")", role: "+1 designer", milestone: "@SUM(A1)" };
  const values = rowValues(["Freelancer", "Role", "Milestone", "Rate"], risky);
  assert.deepEqual(values, ["'=HYPERLINK(\"https://evil.example\")", "'+1 designer", "'@SUM(A1)", Number(LINE.rate)]);
  assert.equal(asText("-5 days"), "'-5 days");
  assert.equal(asText("'quoted"), "''quoted");
  assert.equal(asText("Zoe Angstrom"), "Zoe Angstrom");
});

// Excel: inserting a tracker ------------------------------------------------------------------------

// A generated tracker's bytes (as base64), with and without its chart: the fake finds chart parts
// by their member names, which a zip stores as plain text.
const WITH_CHART = Buffer.from("PK\u0003\u0004 xl/worksheets/sheet1.xml xl/charts/chart1.xml").toString("base64");
const WITHOUT_CHART = Buffer.from("PK\u0003\u0004 xl/worksheets/sheet1.xml xl/tables/table1.xml").toString("base64");
const TRACKER_FILE = { sheets: [{ name: "Budget", tables: [
  { name: "BudgetLines", headers: HEADERS, formulas: [blankRow()], values: valuesOf([blankRow()]) },
  { name: "FreelancerTotals", headers: ["Freelancer", "Planned", "Actual"] },
] }] };
const FILES = { [WITH_CHART]: TRACKER_FILE, [WITHOUT_CHART]: TRACKER_FILE };
const INSERTION = {
  workbook: WITHOUT_CHART,
  sheets: ["Budget"],
  names: [
    { name: "ApprovedBudget", sheet: "Budget", address: "A4", scope: "workbook" },
    { name: "Remaining", sheet: "Budget", address: "E4", scope: "workbook" },
  ],
  print_settings: [{ sheet: "Budget", print_titles: "$6:$6", print_area: "A1:M1048576" }],
  charts: [{ sheet: "Budget", type: "ColumnClustered", title: "Planned vs actual per freelancer", source: "O6:Q7",
    series_by: "Columns", top_left: "S6", bottom_right: "AB22" }],
  warnings: [],
};
const all = () => true;

test("Excel on the web refuses a workbook with a chart (UnsupportedFeature), as Microsoft documents", async () => {
  const excel = fakeExcel({ platform: "OfficeOnline", files: FILES });
  await assert.rejects(excel.run((context) => insertTracker(context, { ...INSERTION, workbook: WITH_CHART })),
    (error) => error instanceof CannotInsert && error.fallback === "download" && /Download the tracker/.test(error.message));
  assert.deepEqual(excel.sheets, []);
});

test("on the web the tracker goes in without its chart, and the chart, names and print titles are added with the API", async () => {
  const office = officeNamespace({ host: "Excel", platform: "OfficeOnline" });
  const excel = fakeExcel({ platform: "OfficeOnline", files: FILES });
  const result = await excel.run((context) => insertTracker(context, INSERTION, { supports: all, settings: office.context.document.settings }));

  assert.deepEqual(result, { sheet: "Budget", table: "BudgetLines", notes: [] });
  assert.deepEqual(excel.insertedWith, { positionType: "End" });
  const [sheet] = excel.sheets;
  assert.deepEqual(sheet.charts, [{ type: "ColumnClustered", source: "O6:Q7", seriesBy: "Columns",
    title: { text: "Planned vs actual per freelancer" }, position: ["S6", "AB22"] }]);
  assert.deepEqual([...excel.names.values()].map(({ name, address, scope }) => [name, address, scope]),
    [["ApprovedBudget", "A4", "workbook"], ["Remaining", "E4", "workbook"]]);
  assert.deepEqual(sheet.print, { titles: "$6:$6", area: "A1:M1048576" });
  assert.equal(excel.activated, "Budget");
  assert.deepEqual(office.saved.at(-1), { [TRACKER_SETTING]: { table: "BudgetLines", sheet: "Budget" } });
});

test("a second tracker gets names on its own sheet and is the one remembered, with the name Excel gave its table", async () => {
  const office = officeNamespace({ host: "Excel" });
  const excel = fakeExcel({ files: FILES, tables: [linesTable([filledRow("Old")])], names: ["ApprovedBudget", "Remaining"] });
  const settings = office.context.document.settings;
  assert.deepEqual(await excel.run((context) => existingTracker(context, settings)), { table: "BudgetLines", sheet: "Budget" });

  const result = await excel.run((context) => insertTracker(context, INSERTION, { supports: all, settings }));
  assert.deepEqual(result, { sheet: "Budget (2)", table: "BudgetLines2", notes: [] });
  const sheet = excel.sheets.find((each) => each.name === "Budget (2)");
  assert.deepEqual([...sheet.names.keys()], ["ApprovedBudget", "Remaining"], "the workbook's names were taken");
  assert.deepEqual(settings.get(TRACKER_SETTING), { table: "BudgetLines2", sheet: "Budget (2)" });

  await excel.run((context) => appendLines(context, [LINE], { settings }));
  assert.deepEqual(excel.added.map((each) => each.table), ["BudgetLines2"]);
});

test("where Excel lacks ExcelApi 1.4 the tracker goes in without names and says so", async () => {
  const excel = fakeExcel({ files: FILES });
  const result = await excel.run((context) => insertTracker(context, INSERTION, { supports: (set, version) => version === "1.13" }));
  assert.equal(excel.names.size, 0);
  assert.match(result.notes.join(" "), /cannot add names/);
  assert.deepEqual(excel.sheets[0].print, {}, "print titles need ExcelApi 1.9");
});

test("below ExcelApi 1.13 there is no insertWorksheetsFromBase64 to call", async () => {
  const excel = fakeExcel({ sets: { ExcelApi: "1.12" }, files: FILES });
  await assert.rejects(excel.run((context) => insertTracker(context, INSERTION)), TypeError);
});

test("a protected tracker is unprotected for the new lines and protected again with its own options", async () => {
  const options = { allowAutoFilter: true, allowSort: true, allowInsertRows: false, selectionMode: null };
  const excel = fakeExcel({ tables: [{ ...linesTable([filledRow("Someone")]), protection: { options } }] });
  const count = await excel.run((context) => appendLines(context, [LINE]));
  assert.equal(count, 1);
  assert.equal(excel.added.length, 1);
  const kept = { allowAutoFilter: true, allowSort: true, allowInsertRows: false }; // Excel refuses a null option
  assert.deepEqual(excel.protections, [["unprotect", "Budget"], ["protect", "Budget", kept]]);
  assert.deepEqual(excel.sheets[0].protection, { options: kept, password: undefined });
});

test("a tracker protected with a password is left as it was, and the person is told how to add the lines", async () => {
  const excel = fakeExcel({ tables: [{ ...linesTable([filledRow("Someone")]), protection: { options: {}, password: "secret" } }] });
  await assert.rejects(excel.run((context) => appendLines(context, [LINE])), /would not unprotect it \(it may have a password\).*Unprotect Sheet/);
  assert.deepEqual(excel.added, []);
  assert.equal(excel.sheets[0].protection.password, "secret");
});
