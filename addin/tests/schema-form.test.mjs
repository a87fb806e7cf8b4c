// The form drawn from a template's JSON Schema (schema-form.js) in a DOM built from the real
// taskpane.html: what each kind of field becomes, what a person types coming back as the data the
// schema asks for, the API's errors landing beside their fields, and schema text kept as text. Then
// the "New document" view generating a company template's document through it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { JSDOM } from "jsdom";

import { showErrors } from "../forms.js";
import { labelFor, schemaForm } from "../schema-form.js";
import { mountTemplates } from "../views/templates.js";
import { HTML, mounted, RECORD, until } from "./panes.mjs";

const DECIMAL = { anyOf: [{ type: "number" }, { type: "string", pattern: "^(?!^[-+.]*$)[+-]?0*\\d*\\.?\\d*$" }] };

// A company SOW as the server might describe it: pydantic's dialect, with every kind of field.
const SCHEMA = {
  title: "Contoso statement of work",
  description: "Contoso's own SOW, with its payment clause.",
  type: "object",
  $defs: {
    Client: {
      type: "object", title: "Client",
      properties: { name: { type: "string", title: "Name", maxLength: 200 }, address: { type: "string", "x-multiline": true } },
      required: ["name"],
    },
    Deliverable: {
      type: "object", title: "Deliverable",
      properties: {
        name: { type: "string", title: "Name" },
        due_date: { type: "string", format: "date", title: "Due Date" },
        hours: { ...DECIMAL, title: "Hours", description: "Estimated hours" },
      },
      required: ["name", "due_date"],
    },
    Money: {
      type: "object", title: "Money", "x-format": "money",
      properties: { amount: DECIMAL, currency: { type: "string", maxLength: 3 } },
      required: ["amount", "currency"],
    },
    Model: { type: "string", enum: ["fixed", "hourly"], title: "Model" },
  },
  properties: {
    effective_date: { type: "string", format: "date", title: "Effective Date" },
    client: { $ref: "#/$defs/Client" },
    deliverables: { type: "array", items: { $ref: "#/$defs/Deliverable" }, minItems: 1, title: "Deliverables" },
    fee: { $ref: "#/$defs/Money", description: "The total fee" },
    model: { $ref: "#/$defs/Model", default: "fixed" },
    po_number: { anyOf: [{ type: "string", maxLength: 60 }, { type: "null" }], default: null, title: "PO number" },
    payment_terms_days: { type: "integer", default: 30, minimum: 0, maximum: 365, title: "Payment Terms Days" },
    weekly_hours: { anyOf: [{ type: "number" }, { type: "null" }], default: null },
    remote: { type: "boolean", default: false, title: "Remote" },
    in_scope: { type: "array", items: { type: "string" }, title: "In Scope" },
    notes: { type: "string", maxLength: 2000, description: "Anything else the freelancer should know" },
    kind: { const: "sow", type: "string" },
    discount: { anyOf: [{ $ref: "#/$defs/Money" }, { type: "null" }], default: null },
  },
  required: ["effective_date", "client", "deliverables", "fee"],
};

function drawn(schema = SCHEMA) {
  const { window } = new JSDOM(HTML, { url: "https://127.0.0.1/taskpane.html" });
  const form = window.document.getElementById("template-form");
  form.hidden = false;
  const slot = form.querySelector("[data-slot=schema-form]");
  const fields = schemaForm(slot, schema);
  const control = (name) => [...form.querySelectorAll("[name]")].find((each) => each.name === name);
  const set = (name, value) => {
    const each = control(name);
    assert.ok(each, `a control named ${name}`);
    if (each.type === "checkbox") each.checked = value;
    else each.value = value;
  };
  return { window, form, slot, fields, control, set };
}

test("each kind of field gets its input: dates, decimals, integers, text areas, choices, boxes, lines", () => {
  const { control, form } = drawn();
  assert.equal(control("effective_date").type, "date");
  assert.ok(control("effective_date").required);
  assert.equal(control("deliverables[0].due_date").type, "date");
  assert.equal(control("deliverables[0].hours").getAttribute("inputmode"), "decimal");
  assert.equal(control("fee.amount").getAttribute("inputmode"), "decimal");
  assert.equal(control("fee.currency").getAttribute("list"), "currencies");
  assert.equal(control("payment_terms_days").getAttribute("inputmode"), "numeric");
  assert.equal(control("payment_terms_days").value, "30", "the default is filled in");
  assert.equal(control("weekly_hours").getAttribute("inputmode"), "decimal");
  assert.equal(control("notes").tagName, "TEXTAREA", "longer than 300 characters");
  assert.equal(control("client.address").tagName, "TEXTAREA", "x-multiline");
  assert.equal(control("client.name").tagName, "INPUT");
  assert.equal(control("client.name").maxLength, 200);
  assert.equal(control("in_scope").dataset.type, "lines");
  assert.equal(control("remote").type, "checkbox");
  assert.deepEqual([...control("model").options].map((option) => [option.value, option.selected]),
    [["", false], ["fixed", true], ["hourly", false]], "optional: it can be left unset; the default chosen");
  assert.equal(control("kind").value, "sow", "a Literal is a choice of one, chosen");
  assert.ok(!control("po_number").required, "anyOf [X, null] is optional");
  assert.ok(control("discount.amount"), "an optional money field is drawn as money too");
  assert.equal(form.querySelectorAll("input, select, textarea").length, 18);
});

test("objects are fieldsets titled by their schema, lists of objects rows, descriptions hints", () => {
  const { form, control } = drawn();
  const legends = [...form.querySelectorAll("fieldset.group > legend")].map((legend) => legend.textContent);
  assert.deepEqual(legends, ["Client", "Fee", "Discount"]);
  const rows = form.querySelector("[data-list=deliverables]");
  assert.equal(rows.closest("[data-field]").querySelector(".group-title").textContent, "Deliverables");
  assert.equal(rows.querySelector("[data-item-label]").textContent, "Deliverable 1");
  const label = (name) => control(name).closest("label").querySelector(".label-text").textContent;
  assert.equal(label("effective_date"), "Effective date", "pydantic's title-cased name reads as a sentence");
  assert.equal(label("po_number"), "PO number", "a title of the template's own is kept");
  const hint = (name) => form.querySelector(`#${control(name).getAttribute("aria-describedby")}`)?.textContent;
  assert.equal(hint("notes"), "Anything else the freelancer should know");
  assert.equal(hint("deliverables[0].hours"), "Estimated hours");
  assert.equal(hint("payment_terms_days"), "A whole number from 0 to 365.");
  assert.match(form.querySelector("fieldset[data-field=fee] .hint").textContent, /The total fee/);
});

test("what is typed comes back as the schema's data: numbers as numbers, decimals as strings, empty optional fields left out", () => {
  const { form, fields, set, control } = drawn();
  set("effective_date", "2027-01-04");
  set("client.name", "Contoso Ltd");
  set("client.address", "1 Microsoft Way\nRedmond, WA 98052");
  set("deliverables[0].name", "Logo");
  set("deliverables[0].due_date", "2027-02-01");
  set("deliverables[0].hours", "12.50");
  form.querySelector("[data-field=deliverables] [data-add]").click();
  form.querySelector("[data-field=deliverables] [data-add]").click();
  set("deliverables[2].name", "Palette");
  set("deliverables[2].due_date", "2027-03-01");
  set("fee.amount", "7500.00");
  set("fee.currency", "USD");
  set("model", "hourly");
  set("payment_terms_days", "45");
  set("weekly_hours", "37.5");
  set("remote", true);
  set("in_scope", "Logo redesign\n\n  Colour palette \n");

  assert.deepEqual(fields.collect(), {
    effective_date: "2027-01-04",
    client: { name: "Contoso Ltd", address: "1 Microsoft Way\nRedmond, WA 98052" },
    // The row left empty between them is dropped, and the rows renumbered to match the data.
    deliverables: [{ name: "Logo", due_date: "2027-02-01", hours: "12.50" }, { name: "Palette", due_date: "2027-03-01" }],
    fee: { amount: "7500.00", currency: "USD" },
    model: "hourly",
    payment_terms_days: 45,
    weekly_hours: 37.5,
    remote: true,
    in_scope: ["Logo redesign", "Colour palette"],
    kind: "sow",
  });
  assert.equal(control("deliverables[1].name").value, "Palette");
  assert.equal(control("remote").checked, true);
});

test("an unticked box is false, and an integer that is not one is sent as typed for the API to name", () => {
  const { fields, set } = drawn();
  set("payment_terms_days", "thirty");
  const data = fields.collect();
  assert.equal(data.remote, false);
  assert.equal(data.payment_terms_days, "thirty");
});

test("the API's errors land beside their fields, in rows and on groups, and all of them in the summary", () => {
  const { form, set, control } = drawn();
  form.querySelector("[data-field=deliverables] [data-add]").click();
  set("deliverables[1].name", "Palette");
  const count = showErrors(form, [
    { field: "deliverables[1].due_date", message: "Field required" },
    { field: "fee", message: "The milestones do not add up to the fee" },
    { field: "client.name", message: "String should have at most 200 characters" },
    { field: "(body)", message: "Something about the whole request" },
  ]);
  assert.equal(count, 4);
  const due = control("deliverables[1].due_date");
  assert.equal(due.getAttribute("aria-invalid"), "true");
  assert.equal(due.closest(".field").querySelector(".field-error").textContent, "Field required");
  const fee = form.querySelector("fieldset[data-field=fee]");
  assert.ok(fee.classList.contains("has-error"));
  assert.equal(fee.querySelector(":scope > legend + .field-error").textContent, "The milestones do not add up to the fee");
  assert.equal(control("client.name").getAttribute("aria-invalid"), "true");
  const summary = [...form.querySelectorAll("[data-error-summary] li")].map((item) => item.textContent);
  assert.deepEqual(summary, [
    "Deliverable 2, due date: Field required",
    "Fee: The milestones do not add up to the fee",
    "Client, name: String should have at most 200 characters",
    "The request: Something about the whole request",
  ]);
});

test("rows inside rows keep their paths when an outer row is removed", () => {
  const { form, fields, set } = drawn({
    type: "object",
    properties: {
      phases: { type: "array", items: { type: "object", title: "Phase", properties: {
        name: { type: "string" },
        tasks: { type: "array", items: { type: "object", title: "Task", properties: { name: { type: "string" } } } },
      } } },
    },
  });
  form.querySelector("[data-field=phases] > [data-add]").click();
  set("phases[0].name", "Discovery");
  set("phases[1].name", "Design");
  set("phases[1].tasks[0].name", "Sketches");
  form.querySelector("[data-list='phases[1].tasks']").parentElement.querySelector(":scope > [data-add]").click();
  set("phases[1].tasks[1].name", "Mock-ups");
  form.querySelector("[data-list=phases] > .item [data-remove]").click();
  assert.ok(form.querySelector("[data-list='phases[0].tasks']"), "the inner list follows its row");
  assert.deepEqual(fields.collect(), { phases: [{ name: "Design", tasks: [{ name: "Sketches" }, { name: "Mock-ups" }] }] });
});

test("rows are named after their list, not after the class name of a definition", () => {
  const { form } = drawn({
    type: "object",
    $defs: { TasksItem: { type: "object", title: "TasksItem", properties: { title: { type: "string" } } } },
    properties: {
      tasks: { type: "array", title: "Tasks", items: { $ref: "#/$defs/TasksItem" } },
      parties: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
    },
  });
  assert.equal(form.querySelector("[data-list=tasks] [data-item-label]").textContent, "Task 1");
  assert.equal(form.querySelector("[data-field=tasks] > [data-add]").textContent, "Add task");
  assert.equal(form.querySelector("[data-list=parties] [data-item-label]").textContent, "Party 1");
});

test("text from an uploaded schema is shown as text, never as markup, and names that reach prototypes are skipped", () => {
  const hostile = "<img src=x onerror=\"globalThis.pwned=1\">";
  const { form, fields, slot, set } = drawn({
    type: "object",
    properties: {
      party: { type: "object", title: hostile, description: hostile, properties: { name: { type: "string", title: hostile } } },
      choice: { enum: [hostile, "plain"], title: "Choice" },
      __proto__: { type: "object", properties: { polluted: { type: "string" } } },
      "a.b": { type: "string" },
    },
  });
  assert.equal(slot.querySelector("img"), null);
  assert.equal(form.querySelector("fieldset[data-field=party] > legend").textContent, hostile);
  assert.equal(form.querySelector("[name='party.name']").closest("label").textContent, hostile);
  assert.equal(form.querySelector("[name=choice]").options[1].textContent, hostile);
  assert.equal(form.querySelector("[name^='__proto__'], [name='a.b']"), null);
  set("party.name", "Contoso");
  assert.deepEqual(fields.collect(), { party: { name: "Contoso" } });
  assert.equal({}.polluted, undefined);
});

test("a schema that refers to itself is drawn to a limited depth, not forever", () => {
  const { form } = drawn({
    type: "object",
    $defs: { Node: { type: "object", properties: { label: { type: "string" }, child: { $ref: "#/$defs/Node" } } } },
    properties: { root: { $ref: "#/$defs/Node" } },
  });
  assert.ok(form.querySelectorAll("[name$='.label']").length < 12);
});

test("field names read as words: the schema's title where it says more than the name", () => {
  assert.equal(labelFor("sow_number", { title: "Sow Number" }), "Sow number");
  assert.equal(labelFor("po_number", { title: "Purchase order" }), "Purchase order");
  assert.equal(labelFor("due_date"), "Due date");
  assert.equal(labelFor("po_number", { title: "PO number" }), "PO number");
  assert.equal(labelFor("tax_id", { title: "Tax Id" }), "Tax id");
});

// The "New document" view ---------------------------------------------------------------------------

const COMPANY = { id: "contoso-sow", title: "Contoso statement of work", kind: "custom", format: "docx", version: "ab".repeat(32),
  number: 2, source: "company", fields: Object.keys(SCHEMA.properties), schema_url: "/api/templates/contoso-sow",
  created_at: "2027-01-04T10:00:00Z", created_by: "megan@contoso.com" };
const SHIPPED = [
  { id: "sow", title: "Statement of work", format: "docx", number: 1, source: "shipped", schema_url: "/api/templates/sow" },
  { id: "nda-mutual", title: "Mutual NDA", format: "docx", number: 1, source: "shipped", schema_url: "/api/templates/nda-mutual" },
];

function newDocument(routes = {}, options = {}) {
  return mounted(mountTemplates, "view-templates", { identity: null, ...options, routes: {
    "GET /api/templates": [[200, { items: [...SHIPPED, COMPANY] }]],
    "GET /api/templates/contoso-sow": [[200, { ...SCHEMA, "x-template": COMPANY }]],
    ...routes,
  } });
}

const status = (page) => page.form.querySelector("[data-status]");

test("New document lists the company's templates beside the shipped ones, which keep their own views", async () => {
  const page = newDocument();
  const section = page.window.document.getElementById("view-templates");
  await until(() => section.querySelector("[data-company] button"), "the list");
  const company = section.querySelector("[data-company] button");
  assert.equal(company.querySelector(".choice-title").textContent, "Contoso statement of work");
  assert.equal(company.querySelector(".choice-meta").textContent, "Version 2 · 2027-01-04 · megan@contoso.com");
  assert.deepEqual([...section.querySelectorAll("[data-shipped] a")].map((link) => [link.textContent.split("DOCX")[0], link.dataset.goto]),
    [["Statement of work", "sow"], ["Mutual NDA", "nda"]]);
  assert.ok(section.querySelector("[data-company-empty]").hidden);
});

test("a company template opens a form drawn from its schema and generates through POST /api/documents", async () => {
  const page = newDocument({}, { host: "browser" });
  const section = page.window.document.getElementById("view-templates");
  await until(() => section.querySelector("[data-company] button"), "the list");
  section.querySelector("[data-company] button").click();
  await until(() => page.form.querySelector("[name=effective_date]"), "the form");
  assert.equal(page.form.querySelector("[data-form-title]").textContent, "Contoso statement of work");
  assert.equal(page.form.querySelector("[data-form-description]").textContent, SCHEMA.description);
  assert.deepEqual(page.server.to("/api/templates/contoso-sow").map((request) => request.method), ["GET"]);

  const set = (name, value) => { page.form.querySelector(`[name="${name}"]`).value = value; };
  set("effective_date", "2027-01-04");
  set("client.name", "Contoso Ltd");
  set("deliverables[0].name", "Logo");
  set("deliverables[0].due_date", "2027-02-01");
  set("fee.amount", "7500.00");
  set("fee.currency", "USD");
  page.form.querySelector("[data-action=download]").click();
  await until(() => status(page).dataset.tone === "ok", "the document");
  const [sent] = page.server.to("/api/documents");
  assert.deepEqual(JSON.parse(sent.body), { template: "contoso-sow", data: {
    effective_date: "2027-01-04", client: { name: "Contoso Ltd" }, deliverables: [{ name: "Logo", due_date: "2027-02-01" }],
    fee: { amount: "7500.00", currency: "USD" }, model: "fixed", payment_terms_days: 30, remote: false, kind: "sow",
  } });
  assert.match(status(page).textContent, new RegExp(`“${RECORD.filename}” is ready`));
});

test("the API's 422 on a company template's document is shown at the fields of the drawn form", async () => {
  const page = newDocument({ "POST /api/documents": [[422, { error: "The data does not fit the template.", errors: [
    { field: "deliverables[0].due_date", message: "Input should be a valid date" },
    { field: "fee.currency", message: "Unknown currency XYZ" },
  ] }]] });
  const section = page.window.document.getElementById("view-templates");
  await until(() => section.querySelector("[data-company] button"), "the list");
  section.querySelector("[data-company] button").click();
  await until(() => page.form.querySelector("[name=effective_date]"), "the form");
  page.form.querySelector("[name='fee.currency']").value = "XYZ";
  page.form.requestSubmit();
  await until(() => status(page).dataset.tone === "error", "the refusal");
  assert.match(status(page).textContent, /Fix the 2 problems marked in red/);
  const currency = page.form.querySelector("[name='fee.currency']");
  assert.equal(currency.getAttribute("aria-invalid"), "true");
  assert.equal(currency.closest(".field").querySelector(".field-error").textContent, "Unknown currency XYZ");
});

test("in Word the document made from a company template opens as a new document, as contracts do", async () => {
  const page = newDocument();
  const section = page.window.document.getElementById("view-templates");
  await until(() => section.querySelector("[data-company] button"), "the list");
  section.querySelector("[data-company] button").click();
  await until(() => page.form.querySelector("[name=effective_date]"), "the form");
  assert.equal(page.form.querySelector("[data-action=insert]").type, "submit");
  page.form.requestSubmit();
  await until(() => status(page).dataset.tone === "ok", "the document");
  assert.equal(page.word.created.length, 1);
  assert.match(status(page).textContent, /^Opened “SOW-2027-014 Zoe Angstrom.docx” as a new document/);
});

test("Preview fills the template with sample data and opens it in Word", async () => {
  const preview = new TextEncoder().encode("PK\u0003\u0004preview").buffer;
  const page = newDocument({ "POST /api/templates/contoso-sow/preview": [[200, preview]] });
  const section = page.window.document.getElementById("view-templates");
  await until(() => section.querySelector("[data-company] button"), "the list");
  section.querySelector("[data-company] button").click();
  await until(() => page.form.querySelector("[name=effective_date]"), "the form");
  page.form.querySelector("[data-preview]").click();
  await until(() => status(page).dataset.tone === "ok", "the preview");
  assert.deepEqual(page.server.to("/api/templates/contoso-sow/preview").map((request) => [request.method, request.body]), [["POST", "{}"]]);
  assert.deepEqual(page.word.created, [Buffer.from(preview).toString("base64")]);
});

test("a schema_url that is not this server's API is not followed with the user's token", async () => {
  const page = newDocument({ "GET /api/templates": [[200, { items: [{ ...COMPANY, schema_url: "https://elsewhere.example/schema" }] }]] });
  const section = page.window.document.getElementById("view-templates");
  await until(() => section.querySelector("[data-company] button"), "the list");
  section.querySelector("[data-company] button").click();
  await until(() => page.form.querySelector("[name=effective_date]"), "the form");
  assert.equal(page.server.requests.some((request) => request.url.includes("elsewhere")), false);
  assert.equal(page.server.to("/api/templates/contoso-sow").length, 1);
});
