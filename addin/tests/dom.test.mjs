// The forms and the picker in a DOM (jsdom) built from the real taskpane.html: what a person
// types becomes the API's data, and the API's field errors land next to the inputs they name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

import { ApiError } from "../api.js";
import { clearErrors, collect, repeatable, showErrors } from "../forms.js";
import { createPicker } from "../picker.js";
import { mountCards } from "../ui.js";
import { mountBatch } from "../views/batch.js";
import { mountBudget } from "../views/budget.js";
import { mountNda } from "../views/nda.js";
import { mountSow } from "../views/sow.js";

const HTML = readFileSync(new URL("../taskpane.html", import.meta.url), "utf8");
const ZOE = { id: "5b0c5a52-6a8e-4d3c-9d7e-0d6c2b1f9a11", name: "Zoe Angstrom", business_name: "Angstrom Design LLC",
  email: "zoe@angstrom.example", rate: "85.00", rate_unit: "hour", currency: "USD" };
const WEI = { id: "0e0b7f0a-1c4b-4a53-9f0c-3f5d7c1a2b3c", name: "Zhang Wei", business_name: null,
  email: "wei@zhang.example", rate: "720", rate_unit: "day", currency: "EUR" };

function page() {
  const { window } = new JSDOM(HTML, { url: "http://127.0.0.1/taskpane.html?view=sow" });
  return window;
}

function type(window, input, value) {
  input.value = value;
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
}

function press(window, input, key) {
  input.dispatchEvent(new window.KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

test("the picker searches as you type, once the typing pauses", async () => {
  const window = page();
  const asked = [];
  const slot = window.document.createElement("div");
  window.document.body.append(slot);
  const picker = createPicker(slot, { search: async (q) => { asked.push(q); return [ZOE]; }, onPick() {}, delay: 20 });
  for (const partial of ["z", "zo", "zoe"]) type(window, picker.input, partial);
  await tick(40);
  assert.deepEqual(asked, ["zoe"]);
  const option = slot.querySelector("[role=option]");
  assert.equal(option.querySelector(".option-name").textContent, "Zoe Angstrom");
  assert.equal(option.querySelector(".option-meta").textContent, "Angstrom Design LLC · $85.00/hour");
});

test("the picker is a combobox: arrow keys move through the matches and Enter chooses", async () => {
  const window = page();
  const picks = [];
  const slot = window.document.createElement("div");
  window.document.body.append(slot);
  const picker = createPicker(slot, { search: async () => [ZOE, WEI], onPick: (f) => picks.push(f), delay: 0 });
  const input = picker.input;
  type(window, input, "z");
  await tick(5);
  const listbox = slot.querySelector("[role=listbox]");
  assert.equal(input.getAttribute("aria-expanded"), "true");
  assert.equal(input.getAttribute("aria-controls"), listbox.id);
  assert.equal(slot.querySelector("label").htmlFor, input.id);

  press(window, input, "ArrowDown");
  press(window, input, "ArrowDown");
  const options = [...listbox.children];
  assert.equal(input.getAttribute("aria-activedescendant"), options[1].id);
  assert.equal(options[1].getAttribute("aria-selected"), "true");
  press(window, input, "ArrowUp");
  assert.equal(input.getAttribute("aria-activedescendant"), options[0].id);
  press(window, input, "ArrowUp"); // wraps to the last
  assert.equal(input.getAttribute("aria-activedescendant"), options[1].id);

  const enter = new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
  input.dispatchEvent(enter);
  assert.ok(enter.defaultPrevented, "Enter in the search must not submit the form");
  assert.deepEqual(picks, [WEI]);
  assert.equal(input.getAttribute("aria-expanded"), "false");
  assert.equal(slot.querySelector(".picked-name").textContent, "Zhang Wei");
  assert.ok(slot.querySelector(".combo").hidden);
});

test("Escape closes the matches and says nothing matched when nothing does", async () => {
  const window = page();
  const slot = window.document.createElement("div");
  window.document.body.append(slot);
  let answer = [ZOE];
  const picker = createPicker(slot, { search: async () => answer, onPick() {}, delay: 0 });
  type(window, picker.input, "zo");
  await tick(5);
  press(window, picker.input, "Escape");
  assert.ok(slot.querySelector("[role=listbox]").hidden);
  answer = [];
  type(window, picker.input, "nobody");
  await tick(5);
  assert.match(slot.querySelector(".picker-status").textContent, /No active freelancer on the roster matches “nobody”/);
});

test("repeatable rows renumber their names and labels when one is removed", () => {
  const window = page();
  const list = window.document.querySelector("#sow-form [data-list=milestones]");
  const rows = repeatable(list);
  rows.add({ name: "Kick-off" });
  rows.add({ name: "Logo approved" });
  rows.add({ name: "Final delivery" });
  list.children[1].querySelector("[data-remove]").click();
  assert.deepEqual([...list.querySelectorAll("input[name$='.name']")].map((input) => [input.name, input.value]),
    [["milestones[0].name", "Kick-off"], ["milestones[1].name", "Final delivery"]]);
  assert.equal(list.children[1].querySelector("[data-item-label]").textContent, "Milestone 2");
  assert.equal(list.children[1].querySelector("[data-remove]").getAttribute("aria-label"), "Remove milestone 2");
});

function mountedSow(api) {
  const window = page();
  const section = window.document.getElementById("view-sow");
  section.hidden = false;
  mountSow(section, { host: "browser", api });
  return { window, form: section.querySelector("form") };
}

function fillSow(window, form) {
  const set = (name, value) => { form.elements[name].value = value; };
  set("project.title", "Brand refresh");
  set("project.summary", "Refresh the brand.");
  set("in_scope", "Logo redesign\n\n  Colour palette  \n");
  set("fee.currency", "USD");
  set("fee.amount", "7500");
  set("milestones[0].name", "Kick-off");
  set("milestones[0].amount", "2500");
  form.querySelector("[data-add=milestones]").click();
  set("milestones[1].name", "Final delivery");
  set("milestones[1].amount", "5000");
  form.dispatchEvent(new window.Event("input", { bubbles: true }));
}

test("the SOW form collects the API's data: nested fields, lists, numbers; nothing left empty", async () => {
  const { window, form } = mountedSow({ searchFreelancers: async () => [ZOE] });
  fillSow(window, form);
  const search = form.querySelector("[role=combobox]");
  type(window, search, "zoe");
  await tick(300);
  press(window, search, "Enter"); // the only match
  const data = collect(form);
  assert.equal(data.freelancer_id, ZOE.id);
  assert.equal(data.freelancer, undefined, "a roster pick sends no typed details");
  assert.deepEqual(data.project, { title: "Brand refresh", summary: "Refresh the brand." });
  assert.deepEqual(data.in_scope, ["Logo redesign", "Colour palette"]);
  assert.equal(data.payment_terms_days, 30);
  assert.deepEqual(data.fee, { model: "fixed", currency: "USD", amount: "7500" });
  assert.deepEqual(data.milestones, [{ name: "Kick-off", amount: "2500" }, { name: "Final delivery", amount: "5000" }]);
  assert.equal(data.locale, "en-US");
  assert.match(data.effective_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(form.querySelector("[data-fee-total]").textContent, "Fixed fee $7,500.00: the milestones add up to it.");

  form.elements["fee.model"].value = "hourly";
  form.elements["fee.model"].dispatchEvent(new window.Event("change", { bubbles: true }));
  form.elements["fee.rate"].value = "85";
  const hourly = collect(form).fee;
  assert.deepEqual(hourly, { model: "hourly", currency: "USD", rate: "85" }, "the fixed amount is not sent for an hourly fee");
});

test("API field errors appear next to their inputs; the others in a summary at the top", async () => {
  let sent = null;
  const { window, form } = mountedSow({
    searchFreelancers: async () => [],
    generate: async (template, data) => {
      sent = { template, data };
      throw new ApiError(400, "The data is not valid for template sow.", [
        { field: "milestones[1].amount", message: "USD amounts have at most 2 decimal places" },
        { field: "milestones", message: "the milestone amounts add up to 7500.555, not to the fixed fee of 7500" },
        { field: "project.end_date", message: "is required" },
        { field: "freelancer", message: "is required (or a freelancer_id from the roster)" },
        { field: "po_reference", message: "is not a known field" },
      ]);
    },
  });
  fillSow(window, form);
  form.elements["freelancer.name"].value = "Ada Lovelace";
  form.elements["milestones[1].amount"].value = "5000.555";
  form.requestSubmit();
  await tick(5);
  assert.equal(sent.template, "sow");

  const amount = form.elements["milestones[1].amount"];
  assert.equal(amount.getAttribute("aria-invalid"), "true");
  const message = amount.closest(".field").querySelector(".field-error");
  assert.equal(message.textContent, "USD amounts have at most 2 decimal places");
  assert.ok(amount.getAttribute("aria-describedby").split(" ").includes(message.id));

  const end = form.elements["project.end_date"];
  assert.equal(end.closest(".field").querySelector(".field-error").textContent, "is required");
  const milestones = form.querySelector("[data-field=milestones]");
  assert.ok(milestones.classList.contains("has-error"));
  assert.equal(milestones.querySelector(":scope > .group-title + .field-error").textContent,
    "the milestone amounts add up to 7500.555, not to the fixed fee of 7500");
  assert.match(form.querySelector("[data-field=freelancer] > .field-error").textContent, /freelancer_id from the roster/);

  const summary = form.querySelector("[data-error-summary]");
  assert.equal(summary.hidden, false);
  const items = [...summary.querySelectorAll("li")].map((item) => item.textContent);
  assert.equal(items.length, 5);
  assert.ok(items.includes("Milestone 2, amount: USD amounts have at most 2 decimal places"), items.join(" | "));
  assert.ok(items.includes("Po reference: is not a known field"), "an error no input matches is in the summary");
  assert.match(form.querySelector("[data-status]").textContent, /Fix the 5 problems/);

  clearErrors(form);
  assert.equal(form.querySelectorAll(".field-error, [aria-invalid]").length, 0);
  assert.equal(amount.getAttribute("aria-describedby"), null);
  assert.ok(summary.hidden);
});

test("errors on a field the form has twice over are shown once, at the innermost match", () => {
  const window = page();
  const form = window.document.getElementById("nda-form");
  const shown = showErrors(form, [{ field: "discloser", message: "Input should be 'client' or 'freelancer'" }]);
  assert.equal(shown, 1);
  // The discloser group is disabled for a mutual NDA, yet the group is where the message belongs.
  assert.equal(form.querySelectorAll(".field-error").length, 1);
});

test("a freelancer not on the roster is sent as typed details instead of a roster id", () => {
  const { form } = mountedSow({ searchFreelancers: async () => [] });
  form.querySelector("[data-manual]").open = true;
  form.elements["freelancer.name"].value = "Ada Lovelace";
  form.elements["freelancer.address"].value = "12 St James's Square\nLondon";
  form.elements["freelancer.country"].value = "GB";
  const data = collect(form);
  assert.equal(data.freelancer_id, undefined);
  assert.deepEqual(data.freelancer, { name: "Ada Lovelace", address: "12 St James's Square\nLondon", country: "GB" });
});

test("the NDA view generates a mutual NDA, or a one-way NDA naming the discloser", async () => {
  const window = page();
  const section = window.document.getElementById("view-nda");
  const sent = [];
  mountNda(section, { host: "browser", api: { searchFreelancers: async () => [], generate: async (template, data) => {
    sent.push({ template, data });
    throw new ApiError(0, "offline");
  } } });
  const form = section.querySelector("form");
  form.elements["freelancer.name"].value = "Ada Lovelace";
  form.requestSubmit();
  await tick(5);
  form.querySelector("input[value=nda-one-way]").click();
  form.querySelector("input[name=discloser][value=freelancer]").click();
  form.requestSubmit();
  await tick(5);
  assert.equal(sent[0].template, "nda-mutual");
  assert.equal(sent[0].data.discloser, undefined);
  assert.equal(sent[0].data.confidentiality_years, 3);
  assert.equal(sent[1].template, "nda-one-way");
  assert.equal(sent[1].data.discloser, "freelancer");
});

test("each card's title is a heading holding a button that shows and hides the card's body", () => {
  const window = page();
  const main = window.document.getElementById("main");
  mountCards(main);
  assert.equal(main.querySelectorAll("summary h2, details.card").length, 0, "no heading inside a <summary>");
  assert.deepEqual([...window.document.querySelectorAll("#view-sow h2")].map((heading) => heading.textContent),
    ["Freelancer", "Your company", "Project", "Scope and deliverables", "Fee and milestones", "Terms", "Programme"]);
  const buttons = [...main.querySelectorAll("h2 > button")];
  assert.equal(buttons.length, 15, "the SOW's seven cards, the NDA's four, the budget's two and the batch's two");
  for (const button of buttons) {
    const body = window.document.getElementById(button.getAttribute("aria-controls"));
    const name = button.firstChild.textContent;
    assert.equal(button.type, "button", name);
    assert.equal(body, button.parentElement.nextElementSibling, `${name}: the body follows its heading`);
    assert.deepEqual([button.getAttribute("aria-expanded"), body.hidden], ["true", false], name);
    button.click();
    assert.deepEqual([button.getAttribute("aria-expanded"), body.hidden], ["false", true], name);
    button.click();
    assert.deepEqual([button.getAttribute("aria-expanded"), body.hidden], ["true", false], name);
  }
});

test("a returning user's company is folded away under its name, and unfolds to show an error in it", () => {
  const window = page();
  window.localStorage.setItem("freelance-toolkit.remembered", JSON.stringify({ client: { name: "Contoso Ltd" } }));
  const saved = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
  Object.defineProperty(globalThis, "localStorage", { value: window.localStorage, configurable: true, writable: true });
  try {
    mountSow(window.document.getElementById("view-sow"), { host: "browser", api: { searchFreelancers: async () => [] } });
  } finally {
    if (saved) Object.defineProperty(globalThis, "localStorage", saved);
    else delete globalThis.localStorage;
  }
  const form = window.document.getElementById("sow-form");
  const card = form.querySelector("[data-client-section]");
  const button = card.querySelector("h2 > button");
  const body = window.document.getElementById(button.getAttribute("aria-controls"));
  assert.deepEqual([button.getAttribute("aria-expanded"), body.hidden], ["false", true]);
  const note = window.document.getElementById(button.getAttribute("aria-describedby"));
  assert.equal(note.textContent, "Contoso Ltd", "the button is described by the company's name");

  showErrors(form, [{ field: "client.email", message: "is not a valid email" }]);
  assert.deepEqual([button.getAttribute("aria-expanded"), body.hidden], ["true", false]);
});

test("with every view mounted, no two elements share an id", () => {
  const window = page();
  const env = { host: "browser", api: { searchFreelancers: async () => [], templates: async () => [], batches: async () => ({ items: [] }) } };
  mountSow(window.document.getElementById("view-sow"), env);
  mountNda(window.document.getElementById("view-nda"), env);
  mountBudget(window.document.getElementById("view-budget"), env);
  mountBatch(window.document.getElementById("view-batch"), env);
  const ids = [...window.document.querySelectorAll("[id]")].map((element) => element.id);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
});
