// A document form's limits come from its template's JSON Schema, and a form with required fields left
// empty says so without calling the API; the API's words are a person's words in the pane.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { createApi } from "../api.js";
import { applyLimits, fieldSchema, missingRequired } from "../limits.js";
import { describePath, inWords } from "../paths.js";
import { mountNda } from "../views/nda.js";
import { mountSow } from "../views/sow.js";
import { fakeServer } from "./fakes.mjs";

const HTML = readFileSync(new URL("../taskpane.html", import.meta.url), "utf8");
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

// The shapes the server's schemas have (pydantic's JSON Schema): $defs and $ref, nullable unions,
// arrays of objects, and a requirement that holds under a condition (the fee model).
const SOW = {
  type: "object",
  required: ["project", "fee", "deliverables", "sow_number"],
  properties: {
    sow_number: { type: "string", maxLength: 40 },
    po_number: { anyOf: [{ type: "string", maxLength: 60 }, { type: "null" }] },
    payment_terms_days: { type: "integer", minimum: 0, maximum: 365 },
    in_scope: { type: "array", minItems: 1, items: { type: "string", maxLength: 500 } },
    project: { $ref: "#/$defs/Project" },
    fee: { $ref: "#/$defs/Fee" },
    deliverables: { type: "array", items: { $ref: "#/$defs/Deliverable" } },
    milestones: { type: "array", items: { $ref: "#/$defs/Milestone" } },
    freelancer: { anyOf: [{ $ref: "#/$defs/Freelancer" }, { type: "null" }] },
  },
  $defs: {
    Project: { type: "object", required: ["title"], properties: { title: { type: "string", maxLength: 200 }, location: { type: "string", maxLength: 200 } } },
    Fee: {
      type: "object",
      required: ["model", "currency"],
      properties: { model: { enum: ["fixed", "hourly", "daily"] }, currency: { type: "string", maxLength: 3 },
        amount: { anyOf: [{ type: "number" }, { type: "string" }, { type: "null" }] },
        rate: { anyOf: [{ type: "number" }, { type: "string" }, { type: "null" }] },
        estimated_units: { anyOf: [{ type: "number" }, { type: "string" }, { type: "null" }] } },
      allOf: [
        { if: { properties: { model: { const: "fixed" } } }, then: { required: ["amount"] } },
        { if: { properties: { model: { const: "hourly" } } }, then: { required: ["rate", "estimated_units"] } },
      ],
    },
    Deliverable: { type: "object", required: ["name"], properties: { name: { type: "string", maxLength: 200 }, description: { type: "string", maxLength: 2000 } } },
    Milestone: { type: "object", required: ["name", "amount"], properties: { name: { type: "string", maxLength: 200 }, amount: { type: "string" } } },
    Freelancer: { type: "object", required: ["name", "email"], properties: { name: { type: "string", maxLength: 200 }, email: { type: "string", maxLength: 254 }, phone: { anyOf: [{ type: "string", maxLength: 40 }, { type: "null" }] } } },
  },
};

function mountedSow({ schema = SOW, generated = [] } = {}) {
  const { window } = new JSDOM(HTML, { url: "https://127.0.0.1/taskpane.html?view=sow" });
  const section = window.document.getElementById("view-sow");
  section.hidden = false;
  const api = { searchFreelancers: async () => [], schema: async (id) => (id === "sow" ? schema : null),
    generate: async (template, data) => { generated.push({ template, data }); return { id: "d1", filename: "SOW.docx", download_url: "/x" }; } };
  mountSow(section, { host: "browser", api });
  return { window, form: section.querySelector("form") };
}

test("what the schema says of a field: through $ref, nullable unions and arrays, and required under a condition", () => {
  assert.deepEqual(fieldSchema(SOW, "project.title"), { schema: { type: "string", maxLength: 200 }, required: true });
  assert.equal(fieldSchema(SOW, "project.location").required, false);
  assert.equal(fieldSchema(SOW, "po_number").schema.maxLength, 60, "the nullable union's text part");
  assert.equal(fieldSchema(SOW, "milestones[3].amount").required, true, "required within its row");
  assert.equal(fieldSchema(SOW, "fee.amount").required, true, "required when the fee model is fixed");
  assert.equal(fieldSchema(SOW, "fee.rate").required, true, "required when the fee model is hourly");
  assert.equal(fieldSchema(SOW, "freelancer.phone").schema.maxLength, 40);
  assert.equal(fieldSchema(SOW, "freelancer.name").required, true, "required of the freelancer, when one is typed");
  for (const unknown of ["po_reference", "project.title.more", "milestones.name", "__proto__.x", "constructor"]) {
    assert.equal(fieldSchema(SOW, unknown), null, unknown);
  }
});

test("the SOW form takes its limits from the schema, rows added later too; the pane's own fields keep theirs", async () => {
  const { form } = mountedSow();
  await tick(5);
  const title = form.elements["project.title"];
  assert.equal(title.required, true);
  assert.equal(title.getAttribute("maxlength"), "200");
  assert.equal(form.elements["project.location"].required, false);
  assert.equal(form.elements.payment_terms_days.getAttribute("min"), "0");
  assert.equal(form.elements.payment_terms_days.getAttribute("max"), "365");
  assert.equal(form.elements.in_scope.getAttribute("maxlength"), null, "a line's limit is not the whole text's");
  assert.equal(form.elements["fee.amount"].required, true);
  assert.equal(form.elements["missing.country"].getAttribute("maxlength"), "2", "the pane's own field is left as written");
  form.querySelector("[data-add=milestones]").click();
  await tick(5);
  assert.equal(form.elements["milestones[1].name"].required, true, "a new row is limited as the first");
  assert.equal(form.elements["milestones[1].name"].getAttribute("maxlength"), "200");

  // A schema that changes (a new template version) lifts a limit it no longer sets.
  const relaxed = structuredClone(SOW);
  delete relaxed.$defs.Project.properties.title.maxLength;
  relaxed.$defs.Project.required = [];
  applyLimits(form, relaxed);
  assert.equal(title.required, false);
  assert.equal(title.getAttribute("maxlength"), null);
});

test("a SOW with required fields left empty is not sent: each is marked, and the freelancer is asked for once", async () => {
  const generated = [];
  const { window, form } = mountedSow({ generated });
  await tick(5);
  form.requestSubmit();
  await tick(5);
  assert.equal(generated.length, 0, "nothing reached the API");
  const summary = form.querySelector("[data-error-summary]");
  assert.equal(summary.hidden, false);
  const items = [...summary.querySelectorAll("li")].map((item) => item.textContent);
  assert.ok(items.some((item) => /choose one from the roster, or enter their details/.test(item)), items.join(" | "));
  assert.ok(!items.some((item) => /Legal name/.test(item)), "not each detail of a freelancer who may yet be picked");
  assert.ok(items.includes("Project title: is required"), items.join(" | "));
  assert.ok(items.includes("Fixed fee: is required"), items.join(" | "));
  assert.equal(form.elements["project.title"].getAttribute("aria-invalid"), "true");
  assert.match(form.querySelector("[data-status]").textContent, /Fix the \d+ problems marked in red/);

  // Typing one detail of a freelancer asks for the others; an hourly fee asks for its rate, not an amount.
  form.elements["freelancer.name"].value = "Ada Lovelace";
  form.elements["fee.model"].value = "hourly";
  form.elements["fee.model"].dispatchEvent(new window.Event("change", { bubbles: true }));
  form.requestSubmit();
  await tick(5);
  const now = [...summary.querySelectorAll("li")].map((item) => item.textContent);
  assert.ok(now.some((item) => /^Email: is required/.test(item)), now.join(" | "));
  assert.ok(now.includes("Rate: is required"), now.join(" | "));
  assert.ok(!now.some((item) => /Fixed fee/.test(item)), "the fixed amount is no field of an hourly fee");
  assert.equal(generated.length, 0);
});

test("a complete SOW is sent as before, and where the schema cannot be had the API alone checks", async () => {
  const generated = [];
  const { form } = mountedSow({ generated, schema: null });
  await tick(5);
  assert.equal(missingRequired(form).length, 0, "no schema, no limits");
  form.elements["freelancer.name"].value = "Ada Lovelace";
  form.requestSubmit();
  await tick(5);
  assert.equal(generated.length, 1);
});

test("the NDA form follows the kind chosen: the one-way schema's limits apply once it is picked", async () => {
  const { window } = new JSDOM(HTML, { url: "https://127.0.0.1/taskpane.html?view=nda" });
  const section = window.document.getElementById("view-nda");
  const asked = [];
  const schema = (purpose) => ({ type: "object", required: ["purpose"], properties: { purpose: { type: "string", maxLength: purpose } } });
  mountNda(section, { host: "browser", api: { searchFreelancers: async () => [],
    schema: async (id) => { asked.push(id); return schema(id === "nda-one-way" ? 500 : 1000); } } });
  const form = section.querySelector("form");
  await tick(5);
  assert.equal(form.elements.purpose.getAttribute("maxlength"), "1000");
  form.querySelector("input[value=nda-one-way]").click();
  await tick(5);
  assert.equal(form.elements.purpose.getAttribute("maxlength"), "500");
  form.querySelector("input[value=nda-mutual]").click();
  await tick(5);
  assert.equal(form.elements.purpose.getAttribute("maxlength"), "1000");
  assert.deepEqual(asked, ["nda-mutual", "nda-one-way"], "each schema is fetched once");
});

test("the API's phrases naming its fields reach a person as words; names quoted in a message stay as they are", async () => {
  assert.equal(inWords("is required (or a freelancer_id from the roster)"), "is required (or a freelancer from the roster)");
  assert.equal(inWords("there is no freelancer '5b0c5a52' in the roster"), "this freelancer is no longer on the roster: pick them again");
  assert.equal(inWords("give either freelancer or freelancer_id, not both"), "pick a freelancer from the roster or type their details, not both");
  for (const kept of ["'freelancer_id' is a word the toolkit keeps for itself", "unknown variable po_numbr (did you mean po_number?)",
    "already has the email john_doe@x.example", "see https://example.com/a_b"]) {
    assert.equal(inWords(kept), kept);
  }
  assert.equal(describePath("freelancer_id"), "Freelancer");
  assert.equal(describePath("lines[1].freelancer_id"), "Lines 2, freelancer");

  const server = fakeServer({ identity: null, routes: { "POST /api/documents": [[400, {
    error: "The data is not valid for template sow.",
    errors: [{ field: "freelancer", message: "is required (or a freelancer_id from the roster)" }] }]] } });
  const api = createApi(server.fetch);
  await assert.rejects(api.generate("sow", {}), (error) => {
    assert.deepEqual(error.errors, [{ field: "freelancer", message: "is required (or a freelancer from the roster)" }]);
    return true;
  });
});

test("an hourly SOW needs no milestone: the form's blank milestone row asks for nothing", async () => {
  const generated = [];
  const { window, form } = mountedSow({ generated });
  await tick(5);
  form.elements["fee.model"].value = "hourly";
  form.elements["fee.model"].dispatchEvent(new window.Event("change", { bubbles: true }));
  assert.equal(form.querySelectorAll("[data-list=milestones] > fieldset").length, 1, "the row offered to fill");
  form.requestSubmit();
  await tick(5);
  const items = [...form.querySelectorAll("[data-error-summary] li")].map((item) => item.textContent);
  assert.ok(!items.some((item) => /Milestone/.test(item)), items.join(" | "));
  form.elements["milestones[0].name"].value = "Kick-off";
  form.requestSubmit();
  await tick(5);
  const now = [...form.querySelectorAll("[data-error-summary] li")].map((item) => item.textContent);
  assert.ok(now.includes("Milestone 1, amount: is required"), "a row begun is a row to finish");
});

test("a schema that could not be had is asked for again at the next change", async () => {
  const { window } = new JSDOM(HTML, { url: "https://127.0.0.1/taskpane.html?view=sow" });
  const section = window.document.getElementById("view-sow");
  let calls = 0;
  mountSow(section, { host: "browser", api: { searchFreelancers: async () => [],
    schema: async () => { calls += 1; if (calls === 1) throw new Error("offline"); return SOW; } } });
  const form = section.querySelector("form");
  await tick(5);
  assert.equal(form.elements["project.title"].required, false);
  form.querySelector("[data-add=milestones]").click();
  await tick(5);
  assert.equal(calls, 2);
  assert.equal(form.elements["project.title"].required, true);
});
