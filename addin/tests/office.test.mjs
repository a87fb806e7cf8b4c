// The host writers against office-addin-mock: what Word and Excel are asked to do, and with what.

import { test } from "node:test";
import assert from "node:assert/strict";
import { OfficeMockObject } from "office-addin-mock";

import { FREELANCER_FIELDS, freelancerTexts, refillFreelancer, replaceBody } from "../word.js";
import { appendLines, asText, insertTracker, rowValues } from "../excel.js";

const ZOE = {
  id: "5b0c5a52-6a8e-4d3c-9d7e-0d6c2b1f9a11", name: "Zoe Angstrom", business_name: "Angstrom Design LLC",
  email: "zoe@angstrom.example", phone: null, address: "12 Pike Street\nSeattle, WA 98101", country: "US",
  tax_id: null, rate: "85.00", rate_unit: "hour", currency: "USD", skills: ["Branding", "Illustration"],
};

function wordMock(controlsByTag = {}) {
  const byTag = {};
  for (const field of FREELANCER_FIELDS) {
    const tag = `freelancer.${field}`;
    byTag[tag] = {
      items: (controlsByTag[tag] ?? []).map((text) => ({
        text,
        insertText(value, location) { this.text = value; this.location = location; },
      })),
    };
  }
  return new OfficeMockObject({
    context: {
      document: {
        body: { insertFileFromBase64(base64, location) { this.inserted = { base64, location }; } },
        contentControls: { byTag, getByTag(tag) { return this.byTag[tag]; } },
      },
    },
    run: async function (batch) { return batch(this.context); },
  }, "word");
}

test("inserting a contract replaces the document body with the generated .docx", async () => {
  const Word = wordMock();
  await Word.run((context) => replaceBody(context, "UEsDBBQ="));
  assert.deepEqual(Word.context.document.body.inserted, { base64: "UEsDBBQ=", location: "Replace" });
});

test("refilling rewrites every control tagged with a freelancer field and counts them", async () => {
  const Word = wordMock({
    "freelancer.name": ["Zoe A.", "Zoe A.", "Zoe A."],
    "freelancer.business_name": ["Angstrom LLC"],
    "freelancer.email": ["old@example.com"],
    "freelancer.address": ["1 Old Road"],
  });
  const result = await Word.run((context) => refillFreelancer(context, ZOE));

  assert.equal(result.controls, 6);
  assert.deepEqual(result.fields, ["freelancer.name", "freelancer.business_name", "freelancer.email", "freelancer.address"]);
  const controls = (tag) => Word.context.document.contentControls.byTag[tag].items;
  assert.deepEqual(controls("freelancer.name").map((c) => c.text), ["Zoe Angstrom", "Zoe Angstrom", "Zoe Angstrom"]);
  assert.equal(controls("freelancer.business_name")[0].text, "Angstrom Design LLC");
  assert.ok(controls("freelancer.email").every((c) => c.location === "Replace"));
});

test("a multi-line address becomes line breaks inside the control, not new paragraphs", async () => {
  const Word = wordMock({ "freelancer.address": ["1 Old Road"] });
  await Word.run((context) => refillFreelancer(context, { ...ZOE, address: "12 Pike Street\r\nSeattle, WA 98101\nUSA" }));
  const [control] = Word.context.document.contentControls.byTag["freelancer.address"].items;
  assert.equal(control.text, "12 Pike Street\vSeattle, WA 98101\vUSA");
  assert.ok(!control.text.includes("\n"));
});

test("a field the roster leaves empty is reported and left as it is, not blanked", async () => {
  const Word = wordMock({ "freelancer.phone": ["+1 206 555 0100"], "freelancer.name": ["Zoe"] });
  const result = await Word.run((context) => refillFreelancer(context, ZOE));
  assert.equal(result.controls, 1);
  assert.deepEqual(result.keptAsIs, ["freelancer.phone"]);
  assert.equal(Word.context.document.contentControls.byTag["freelancer.phone"].items[0].text, "+1 206 555 0100");
});

test("a document without freelancer controls is left alone and reports nothing updated", async () => {
  const Word = wordMock();
  const result = await Word.run((context) => refillFreelancer(context, ZOE));
  assert.deepEqual(result, { controls: 0, fields: [], keptAsIs: [] });
});

test("the texts written show the rate as money and the skills as a list", () => {
  const texts = freelancerTexts(ZOE);
  assert.equal(texts["freelancer.rate"], "$85.00");
  assert.equal(texts["freelancer.skills"], "Branding, Illustration");
  assert.equal(texts["freelancer.phone"], null);
});

// The tracker's table as Excel reports it: header row and the formulas of its data rows.
const HEADERS = ["Freelancer", "Role", "SOW", "Milestone", "Status", "Planned units", "Rate", "Planned amount",
  "Actual units", "Actual amount", "Invoiced", "Variance", "% used"];
const FORMULAS = ["=[@[Planned units]]*[@Rate]", "=[@[Actual units]]*[@Rate]", "=[@[Planned amount]]-[@[Actual amount]]",
  '=IF([@[Planned amount]]=0,"",[@[Actual amount]]/[@[Planned amount]])'];

function excelMock({ headers = HEADERS, rows = [], exists = true } = {}) {
  const added = [];
  const mock = new OfficeMockObject({
    context: {
      workbook: {
        table: {
          isNullObject: !exists,
          header: { values: [headers] },
          body: { formulas: rows },
          rowItem: { range: { values: [] }, getRange() { return this.range; } },
          rows: { add(index, values) { added.push({ index, values }); }, getItemAt() { return mock.context.workbook.table.rowItem; } },
          getHeaderRowRange() { return this.header; },
          getDataBodyRange() { return this.body; },
        },
        tables: { getItemOrNullObject(name) { mock.asked = name; return mock.context.workbook.table; } },
        sheet: { activate() { mock.activated = true; } },
        worksheets: { getItem(id) { mock.activatedId = id; return mock.context.workbook.sheet; } },
        // A ClientResult: its value is there after sync, without load.
        insertWorksheetsFromBase64(base64, options) { mock.insertedArgs = { base64, options }; return { value: ["{SHEET-1}"] }; },
      },
    },
    run: async function (batch) { return batch(this.context); },
  }, "excel");
  mock.added = added;
  return mock;
}

const filledRow = (name) => [name, "Designer", "", "", "planned", 10, 85, FORMULAS[0], 0, FORMULAS[1], 0, FORMULAS[2], FORMULAS[3]];
const LINE = { freelancer: "Zoe Angstrom", role: "Brand designer", milestone: "Logo", planned_units: "40", rate: "85.00", status: "planned" };

test("appending writes each value under its column's header and leaves formula columns to Excel", async () => {
  const Excel = excelMock({ rows: [filledRow("Someone")] });
  const count = await Excel.run((context) => appendLines(context, [LINE, { ...LINE, freelancer: "Zhang Wei", role: "Data engineer", planned_units: "12.5", rate: "720" }]));

  assert.equal(count, 2);
  assert.equal(Excel.asked, "BudgetLines");
  assert.equal(Excel.added.length, 1);
  const [first, second] = Excel.added[0].values;
  assert.deepEqual(first, ["Zoe Angstrom", "Brand designer", "", "Logo", "planned", 40, 85, null, "", null, "", null, null]);
  assert.equal(second[HEADERS.indexOf("Planned units")], 12.5);
  assert.equal(second[HEADERS.indexOf("Rate")], 720);
});

test("values follow the header names whatever the column order, and unknown columns are left alone", async () => {
  const headers = ["Rate", "Notes", "Planned amount", "Freelancer", "Planned units", "Role"];
  const Excel = excelMock({ headers, rows: [[85, "keep", FORMULAS[0], "Someone", 10, "Designer"]] });
  await Excel.run((context) => appendLines(context, [LINE]));
  assert.deepEqual(Excel.added[0].values, [[85, null, null, "Zoe Angstrom", 40, "Brand designer"]]);
});

test("a column holding a formula counts as calculated even when the tracker does not name it", () => {
  assert.deepEqual(rowValues(["Role", "Margin"], LINE, new Set(["Margin"])), ["Brand designer", null]);
});

test("the blank line of an empty tracker is filled in rather than left above the new lines", async () => {
  const blank = ["", "", "", "", "", "", "", FORMULAS[0], "", FORMULAS[1], "", FORMULAS[2], FORMULAS[3]];
  const Excel = excelMock({ rows: [blank] });
  await Excel.run((context) => appendLines(context, [LINE, { ...LINE, role: "Illustrator" }]));
  const written = Excel.context.workbook.table.rowItem.range.values;
  assert.equal(written[0][0], "Zoe Angstrom");
  assert.equal(written[0][HEADERS.indexOf("Planned amount")], null);
  assert.equal(Excel.added.length, 1);
  assert.equal(Excel.added[0].values[0][1], "Illustrator");
});

test("a workbook without the tracker table is refused with a message saying what to do", async () => {
  const Excel = excelMock({ exists: false });
  await assert.rejects(Excel.run((context) => appendLines(context, [LINE])), /no BudgetLines table.*Insert a budget tracker/);
});

test("inserting a tracker adds its worksheets at the end of the workbook and shows the first", async () => {
  const Excel = excelMock();
  const ids = await Excel.run((context) => insertTracker(context, "UEsDBBQ="));
  assert.deepEqual(Excel.insertedArgs, { base64: "UEsDBBQ=", options: { positionType: "End" } });
  assert.deepEqual(ids, ["{SHEET-1}"]);
  assert.equal(Excel.activatedId, "{SHEET-1}");
  assert.ok(Excel.activated);
});

test("text that Excel would run as a formula is written as text", () => {
  const risky = { ...LINE, freelancer: "=HYPERLINK(\"https://evil.example\")", role: "+1 designer", milestone: "@SUM(A1)" };
  const values = rowValues(["Freelancer", "Role", "Milestone", "Rate"], risky);
  assert.deepEqual(values, ["'=HYPERLINK(\"https://evil.example\")", "'+1 designer", "'@SUM(A1)", Number(LINE.rate)]);
  assert.equal(asText("-5 days"), "'-5 days");
  assert.equal(asText("'quoted"), "''quoted");
  assert.equal(asText("Zoe Angstrom"), "Zoe Angstrom");
});
