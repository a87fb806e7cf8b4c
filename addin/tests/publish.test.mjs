// Publishing a company template: Word hands the open document over in slices (Office fakes that
// behave as Microsoft documents Document.getFileAsync), the pane sends it with its id and title,
// lists every problem the server finds with where it is, selects a tag in Word on "Show", offers a
// new version where the id is the company's already, and manages the company's templates.

import { test } from "node:test";
import assert from "node:assert/strict";

import { DocumentFileError, readDocument } from "../document-file.js";
import { searchTextFor, selectText } from "../word.js";
import { publishProblems, mountPublish, slugFrom } from "../views/publish.js";
import { fakeWord, officeNamespace } from "./office-fakes.mjs";
import { mounted, until } from "./panes.mjs";

const BYTES = Uint8Array.from({ length: 10 }, (_, i) => 0x41 + i);

// Reading the open document --------------------------------------------------------------------------

test("the open document is read slice by slice, in order, put back together, and its file closed", async () => {
  const office = officeNamespace({ file: { bytes: BYTES } });
  const bytes = await readDocument(office, { sliceSize: 4 });
  assert.deepEqual([...bytes], [...BYTES]);
  assert.deepEqual(office.files.slices, [0, 1, 2]);
  assert.equal(office.files.open, 0);
  assert.equal(office.files.closed, 1);
});

test("a slice Word fails to hand over fails the reading, and the file is closed all the same", async () => {
  const office = officeNamespace({ file: { bytes: BYTES, failSlice: 1 } });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // Were the file left open, the third getFileAsync would fail with 11000 instead.
    await assert.rejects(readDocument(office, { sliceSize: 4 }), (error) =>
      error instanceof DocumentFileError && error.code === 11001 && /network problem/.test(error.message));
  }
  assert.equal(office.files.open, 0);
  assert.equal(office.files.closed, 3);
});

test("the slice size asked for is the documented maximum, 4 MB, which Word accepts; a larger one it refuses", async () => {
  const office = officeNamespace({ file: { bytes: BYTES } });
  assert.deepEqual([...(await readDocument(office))], [...BYTES]);
  assert.deepEqual(office.files.slices, [0]);
  await assert.rejects(readDocument(office, { sliceSize: 4194305 }), { code: 11002 });
  assert.equal(office.files.opened, 1, "a refused getFileAsync opens no file");
});

// Finding a tag in Word -------------------------------------------------------------------------------

test("Show searches the body for the tag as typed (case matters) and selects the first match", async () => {
  const word = fakeWord({ paragraphs: ["Fee: {{ FEE.amount }}", "The fee is {{ fee.amout }} and {{ fee.amout }}."] });
  assert.equal(await word.run((context) => selectText(context, "{{ fee.amout }}")), true);
  assert.deepEqual(word.selected, { paragraph: 1, offset: 11, text: "{{ fee.amout }}" });
  assert.deepEqual(word.searches, [{ text: "{{ fee.amout }}", matchCase: true }]);
  assert.equal(await word.run((context) => selectText(context, "{{ missing }}")), false);
});

test("a tag longer than Word's 255-character search is found by its start; a caret is searched as ^^", async () => {
  const long = `{% if ${"a and ".repeat(60)}b %}`;
  const word = fakeWord({ paragraphs: ["Intro", `Clause ${long} text`] });
  assert.equal(await word.run((context) => selectText(context, long)), true);
  assert.equal(word.searches[0].text.length, 255);
  assert.equal(word.selected.paragraph, 1);
  assert.equal(searchTextFor("{{ 2^10 }}"), "{{ 2^^10 }}");
  assert.equal(searchTextFor("^".repeat(300)).length, 254, "an escape is never cut in half");
  // What the prefix avoids: Word refuses a longer search outright.
  await assert.rejects(word.run(async (context) => {
    context.document.body.search(long, { matchCase: true }).load("items");
    await context.sync();
  }), { code: "SearchStringInvalidOrTooLong" });
});

// The view in Word ----------------------------------------------------------------------------------

const SUMMARY = { id: "contoso-sow", title: "Contoso statement of work", kind: "custom", format: "docx", version: "cd".repeat(32),
  number: 1, source: "company", fields: ["client", "fee"], schema_url: "/api/templates/contoso-sow",
  created_at: "2027-01-04T10:00:00Z", created_by: "megan@contoso.com" };
const SHIPPED = { id: "sow", title: "Statement of work", format: "docx", number: 1, source: "shipped", schema_url: "/api/templates/sow" };
const PROBLEMS = [
  { field: "file", message: "unknown variable fee.amout", location: "body, paragraph 12 ('The fee is {{ fee.amout }}')", tag: "{{ fee.amout }}" },
  { field: "file", message: "unclosed {% if %}", location: "table 2, row 3", tag: "{% if fee.cap %}" },
  { field: "file", message: "the document has a macro", location: "word/vbaProject.bin" },
  { field: "id", message: "must not start with a hyphen" },
];
const PARAGRAPHS = ["Statement of work", "The fee is {{ fee.amout }}", "{% if fee.cap %} Not to exceed {{ fee.cap }}"];

function publishPage({ host = "word", routes = {}, file = { bytes: BYTES } } = {}) {
  const page = mounted(mountPublish, "view-publish", { host, identity: null, file, paragraphs: PARAGRAPHS, routes: {
    "GET /api/templates": [[200, { items: [SHIPPED] }]],
    ...routes,
  } });
  const type = (name, value) => {
    const input = page.form.elements.namedItem(name);
    input.value = value;
    input.dispatchEvent(new page.window.Event("input", { bubbles: true }));
  };
  const status = page.form.querySelector("[data-status]");
  const settled = () => until(() => ["ok", "error", "info"].includes(status.dataset.tone), "publishing to finish");
  return { ...page, type, status, settled, section: page.window.document.getElementById("view-publish") };
}

test("in Word the open document is published with its id and title, the id suggested from the title", async () => {
  const page = publishPage({ routes: { "POST /api/templates": [[201, { ...SUMMARY, schema: {}, warnings: [] }]] } });
  assert.ok(page.form.elements.namedItem("file").closest(".field").hidden, "no file to choose: the open document is sent");
  page.type("title", "Contoso Statement of Work (2027)");
  assert.equal(page.form.elements.namedItem("id").value, "contoso-statement-of-work-2027");
  page.type("id", "contoso-sow");
  page.type("title", "Contoso statement of work");
  assert.equal(page.form.elements.namedItem("id").value, "contoso-sow", "an id typed is kept");
  page.form.requestSubmit();
  await page.settled();

  assert.equal(page.status.dataset.tone, "ok", page.status.textContent);
  assert.match(page.status.textContent, /^Published “Contoso statement of work” as a company template \(id contoso-sow\)/);
  const [sent] = page.server.to("/api/templates").filter((request) => request.method === "POST");
  const form = sent.body;
  assert.deepEqual([...form.keys()], ["file", "id", "title"]);
  assert.equal(form.get("id"), "contoso-sow");
  assert.equal(form.get("title"), "Contoso statement of work");
  assert.equal(form.get("file").name, "contoso-sow.docx");
  assert.deepEqual([...new Uint8Array(await form.get("file").arrayBuffer())], [...BYTES]);
  assert.equal(page.office.files.open, 0);
});

test("the server's warnings on a published template are shown as notes", async () => {
  const warnings = [{ field: "file", message: "fee.cap is never shown when there is no cap", tag: "{{ fee.cap }}", location: "body, paragraph 3" }];
  const page = publishPage({ routes: { "POST /api/templates": [[201, { ...SUMMARY, warnings }]] } });
  page.type("title", "Contoso SOW");
  page.form.requestSubmit();
  await page.settled();
  const notes = page.section.querySelector("[data-warnings]");
  assert.equal(notes.hidden, false);
  assert.match(page.status.textContent, /See the notes below\.$/);
  assert.equal(notes.querySelector("h2").textContent, "A note on the template");
  assert.deepEqual([...notes.querySelectorAll("li")].map((item) => item.querySelector(".problem-message").textContent),
    ["fee.cap is never shown when there is no cap"]);
});

test("on 422 every problem is listed with where it is, and Show selects its tag in the document", async () => {
  const page = publishPage({ routes: { "POST /api/templates": [[422, { error: "The template has problems.", errors: PROBLEMS }]] } });
  page.type("title", "Contoso SOW");
  page.form.requestSubmit();
  await page.settled();

  assert.equal(page.status.dataset.tone, "error");
  assert.equal(page.status.textContent, "Nothing was published: fix the 4 problems listed, then publish again.");
  const card = page.section.querySelector("[data-problems]");
  assert.equal(card.hidden, false);
  assert.equal(card.querySelector("h2").textContent, "Not published: 4 problems to fix");
  const items = [...card.querySelectorAll("li")];
  assert.deepEqual(items.map((item) => [
    item.querySelector(".problem-message").textContent,
    item.querySelector(".problem-where")?.textContent ?? null,
    item.querySelector("code")?.textContent ?? null,
    Boolean(item.querySelector("button")),
  ]), [
    ["unknown variable fee.amout", "body, paragraph 12 ('The fee is {{ fee.amout }}')", "{{ fee.amout }}", true],
    ["unclosed {% if %}", "table 2, row 3", "{% if fee.cap %}", true],
    ["the document has a macro", "word/vbaProject.bin", null, false],
    ["Id: must not start with a hyphen", null, null, false],
  ]);
  const id = page.form.elements.namedItem("id");
  assert.equal(id.getAttribute("aria-invalid"), "true", "a problem of the form's own field is shown beside it too");

  items[1].querySelector("button").click();
  await until(() => page.word.selected, "the selection");
  assert.deepEqual(page.word.selected, { paragraph: 2, offset: 0, text: "{% if fee.cap %}" });
  items[0].querySelector("button").click();
  await until(() => page.word.selected.paragraph === 1, "the second selection");
});

test("Show says so when the tag is not in the document's body any more", async () => {
  const page = publishPage({ routes: { "POST /api/templates": [[422, { error: "Problems.", errors: [
    { field: "file", message: "unknown variable x", location: "header", tag: "{{ x }}" },
  ] }]] } });
  page.type("title", "Contoso SOW");
  page.form.requestSubmit();
  await page.settled();
  const item = page.section.querySelector("[data-problems] li");
  item.querySelector("button").click();
  await until(() => item.querySelector(".status")?.textContent, "the note");
  assert.match(item.querySelector(".status").textContent, /^Not found in the body of the document: it may be in a header, footer or text box/);
});

test("when Word cannot hand the document over, nothing is sent and the file is closed", async () => {
  const page = publishPage({ file: { bytes: BYTES, failSlice: 0 } });
  page.type("title", "Contoso SOW");
  page.form.requestSubmit();
  await page.settled();
  assert.equal(page.status.dataset.tone, "error");
  assert.match(page.status.textContent, /^Nothing was published\. Word could not hand over the document: A network problem/);
  assert.deepEqual(page.server.to("/api/templates").filter((request) => request.method !== "GET"), []);
  assert.equal(page.office.files.open, 0);
});

test("an id the company has already offers to publish a new version, which is a PUT", async () => {
  const existing = { ...SUMMARY, number: 2 };
  const page = publishPage({ routes: {
    "GET /api/templates": [[200, { items: [SHIPPED, existing] }]],
    "POST /api/templates": [[409, { error: "A template with the id contoso-sow exists." }]],
    "PUT /api/templates/contoso-sow": [[200, { ...existing, number: 3, warnings: [] }]],
  } });
  page.type("title", "Contoso SOW");
  page.type("id", "contoso-sow");
  page.form.requestSubmit();
  const confirm = () => page.form.querySelector(".confirm");
  await until(confirm, "the question");
  assert.match(confirm().textContent, /already has “Contoso statement of work” with the id “contoso-sow” \(version 2\)\. Publish this document as version 3\?/);
  assert.equal(confirm().querySelector("[data-confirm=yes]").textContent, "Publish a new version");
  confirm().querySelector("[data-confirm=yes]").click();
  await page.settled();

  assert.equal(page.status.dataset.tone, "ok", page.status.textContent);
  assert.match(page.status.textContent, /^Published version 3 of “Contoso statement of work”/);
  const [put] = page.server.to("/api/templates/contoso-sow").filter((request) => request.method === "PUT");
  assert.equal(put.body.get("title"), "Contoso SOW");
  assert.deepEqual([...new Uint8Array(await put.body.get("file").arrayBuffer())], [...BYTES]);
  assert.equal(page.office.files.opened, 1, "the document was read once, for both requests");
});

test("declining the new version publishes nothing", async () => {
  const page = publishPage({ routes: {
    "GET /api/templates": [[200, { items: [SUMMARY] }]],
    "POST /api/templates": [[409, { error: "Taken." }]],
  } });
  page.type("title", "Contoso SOW");
  page.type("id", "contoso-sow");
  page.form.requestSubmit();
  await until(() => page.form.querySelector(".confirm"), "the question");
  page.form.querySelector(".confirm [data-confirm=no]").click();
  await page.settled();
  assert.equal(page.status.textContent, "Nothing was published.");
  assert.deepEqual(page.server.to("/api/templates/contoso-sow"), []);
});

test("the id of a shipped template is refused beside the id, without offering a new version", async () => {
  const page = publishPage({ routes: { "POST /api/templates": [[409, { error: "sow is a shipped template." }]] } });
  page.type("title", "Our SOW");
  page.type("id", "sow");
  page.form.requestSubmit();
  await page.settled();
  assert.equal(page.form.querySelector(".confirm"), null);
  const id = page.form.elements.namedItem("id");
  assert.equal(id.closest(".field").querySelector(".field-error").textContent, "“sow” is a template shipped with the toolkit: choose another id.");
  assert.deepEqual(page.server.to("/api/templates/sow"), []);
});

// The view in a browser -----------------------------------------------------------------------------

function choose(page, name, file) {
  Object.defineProperty(page.form.elements.namedItem(name), "files", { value: file ? [file] : [], configurable: true });
}

test("in a browser a .docx is chosen instead, and the schema file goes with it", async () => {
  const page = publishPage({ host: "browser", routes: { "POST /api/templates": [[201, { ...SUMMARY, warnings: [] }]] } });
  const upload = page.form.elements.namedItem("file");
  assert.equal(upload.closest(".field").hidden, false);
  page.type("title", "Contoso SOW");
  page.form.requestSubmit();
  await page.settled();
  assert.equal(upload.closest(".field").querySelector(".field-error").textContent, "Choose the Word document (.docx) to publish.");
  assert.deepEqual(page.server.to("/api/templates").filter((request) => request.method === "POST"), []);

  await until(() => !page.form.querySelector("[data-action=publish]").disabled, "the button to be free again");
  choose(page, "file", new File([BYTES], "Contoso SOW.docx"));
  choose(page, "schema", new File(['{"type": "object"}'], "contoso-sow.schema.json", { type: "application/json" }));
  page.form.requestSubmit();
  await until(() => page.status.dataset.tone === "ok", "publishing");
  const [sent] = page.server.to("/api/templates").filter((request) => request.method === "POST");
  assert.deepEqual([...sent.body.keys()], ["file", "id", "title", "schema"]);
  assert.equal(sent.body.get("file").name, "Contoso SOW.docx");
  assert.equal(sent.body.get("schema").name, "contoso-sow.schema.json");
  assert.equal(await sent.body.get("schema").text(), '{"type": "object"}');
  assert.equal(page.section.querySelector("[data-problems] button"), null, "no Show: there is no open document to search");
});

test("what is about to be published is checked first: a title, a valid id, a .docx", () => {
  const file = { name: "contract.pdf" };
  assert.deepEqual(publishProblems({ id: "Bad Id", title: "", file }, { needsFile: true }).map((problem) => problem.field), ["file", "title", "id"]);
  assert.deepEqual(publishProblems({ id: "ok-id", title: "T", file: null }, { needsFile: false }), []);
  assert.deepEqual(publishProblems({ id: "ab", title: "T" }, { needsFile: false }).map((problem) => problem.field), ["id"]);
});

test("ids are suggested from titles: lowercase words joined by hyphens, accents dropped, at most 64 characters", () => {
  assert.equal(slugFrom("Contoso SOW (2027)"), "contoso-sow-2027");
  assert.equal(slugFrom("  Accord de confidentialité — Société Générale "), "accord-de-confidentialite-societe-generale");
  assert.equal(slugFrom("x".repeat(70)).length, 64);
  assert.equal(slugFrom(`${"a".repeat(63)} b`), "a".repeat(63));
});

// The company's templates ------------------------------------------------------------------------

test("the company's templates are listed with their versions, and one is retired once confirmed", async () => {
  const other = { ...SUMMARY, id: "contoso-nda", title: "Contoso NDA", number: 1 };
  const page = publishPage({ routes: {
    "GET /api/templates": [[200, { items: [SHIPPED, SUMMARY, other] }], [200, { items: [SHIPPED, other] }]],
    "GET /api/templates/contoso-sow/versions": [[200, { items: [
      { number: 2, version: "ef".repeat(32), created_at: "2027-02-01T09:00:00Z", created_by: "megan@contoso.com" },
      { number: 1, version: "cd".repeat(32), created_at: "2027-01-04T10:00:00Z", created_by: "megan@contoso.com" },
    ] }]],
    "DELETE /api/templates/contoso-sow": [[204, null]],
  } });
  const list = page.section.querySelector("[data-managed]");
  await until(() => list.children.length === 2, "the company's templates");
  const [sow] = list.children;
  assert.equal(sow.querySelector(".managed-meta").textContent, "contoso-sow · Version 1 · 2027-01-04 · megan@contoso.com");

  const versions = [...sow.querySelectorAll("button")].find((button) => button.textContent === "Versions");
  versions.click();
  await until(() => versions.getAttribute("aria-expanded") === "true", "the versions");
  assert.deepEqual([...sow.querySelectorAll(".versions li")].map((item) => item.textContent), [
    `Version 2 · 2027-02-01 · megan@contoso.com · SHA-256 ${"ef".repeat(6)}`,
    `Version 1 · 2027-01-04 · megan@contoso.com · SHA-256 ${"cd".repeat(6)}`,
  ]);

  [...sow.querySelectorAll("button")].find((button) => button.textContent === "Retire…").click();
  await until(() => sow.querySelector(".confirm"), "the question");
  assert.match(sow.querySelector(".confirm").textContent, /^Retire “Contoso statement of work”\? Hiring managers will no longer see it/);
  sow.querySelector(".confirm [data-confirm=yes]").click();
  await until(() => !sow.isConnected, "the template to go");
  assert.deepEqual(page.server.to("/api/templates/contoso-sow").map((request) => request.method), ["DELETE"]);
  assert.equal(page.section.querySelector("[data-manage-status]").textContent, "Retired “Contoso statement of work”.");
});

test("New version fills in the form with the template's id and title", async () => {
  const page = publishPage({ routes: { "GET /api/templates": [[200, { items: [SUMMARY] }]] } });
  const list = page.section.querySelector("[data-managed]");
  await until(() => list.children.length === 1, "the company's templates");
  [...list.querySelectorAll("button")].find((button) => button.textContent === "New version").click();
  assert.equal(page.form.elements.namedItem("id").value, "contoso-sow");
  assert.equal(page.form.elements.namedItem("title").value, "Contoso statement of work");
  assert.equal(page.status.textContent, "Publish to make version 2 of “Contoso statement of work”.");
});
