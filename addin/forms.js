// Forms whose inputs are named by API field paths: collect the data, fill it back, show the
// API's field errors next to their inputs, and manage repeatable rows (deliverables, milestones).

import { ApiError } from "./api.js";
import { describePath, getPath, placeErrors, setPath } from "./paths.js";
import { reveal, setStatus } from "./ui.js";

let nextId = 0;
/** Return `element`'s id, giving it a fresh one first if it has none. */
export function idOf(element, prefix = "f") {
  if (!element.id) element.id = `${prefix}-${++nextId}`;
  return element.id;
}

function isData(control) {
  return control.name && !control.matches(":disabled") && !("local" in control.dataset) &&
    !["button", "submit", "reset"].includes(control.type) &&
    (!["radio", "checkbox"].includes(control.type) || control.checked || control.dataset.type === "bool");
}

// A value that is not a number is sent as typed: the API names the mistake at its field.
function valueOf(control) {
  const raw = control.value ?? "";
  switch (control.dataset.type) {
    case "int":
      return raw.trim() === "" ? undefined : /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw.trim();
    case "number":
      return raw.trim() === "" ? undefined : /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim()) ? Number(raw.trim()) : raw.trim();
    case "bool":
      return control.checked;
    case "lines": {
      const lines = raw.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
      return lines.length ? lines : undefined;
    }
    default:
      return raw.trim() === "" ? undefined : raw.trim();
  }
}

/**
 * Return the data of `form` (or of any element holding controls): each enabled, named control's
 * value at its path; empty values left out.
 */
export function collect(form) {
  const data = {};
  for (const control of form.elements ?? form.querySelectorAll("input, select, textarea")) {
    if (!isData(control)) continue;
    const value = valueOf(control);
    if (value !== undefined) setPath(data, control.name, value);
  }
  return dropHoles(data);
}

// A row left entirely empty is absent from the data: keep the arrays dense.
function dropHoles(value) {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(dropHoles);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, dropHoles(item)]));
  }
  return value;
}

/** Put the values of `data` into the form's controls named by their paths (absent ones untouched). */
export function fill(form, data, { only } = {}) {
  for (const control of form.elements) {
    if (!control.name || (only && !only(control))) continue;
    const value = getPath(data, control.name);
    if (value === undefined) continue;
    if (control.type === "radio" || control.type === "checkbox") control.checked = control.value === String(value);
    else control.value = Array.isArray(value) ? value.join("\n") : value ?? "";
  }
}

/** Link each `.field`'s hint to its control (aria-describedby). */
export function describeHints(root) {
  for (const field of root.querySelectorAll(".field")) {
    const hint = field.querySelector(":scope > .hint");
    const control = field.querySelector("input, select, textarea");
    if (hint && control) addDescribedBy(control, idOf(hint, "hint"));
  }
}

function addDescribedBy(control, id) {
  const ids = new Set((control.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean));
  ids.add(id);
  control.setAttribute("aria-describedby", [...ids].join(" "));
}

function removeDescribedBy(control, id) {
  const ids = (control.getAttribute("aria-describedby") ?? "").split(/\s+/).filter((value) => value && value !== id);
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
  else control.removeAttribute("aria-describedby");
}

/** Return each place an error can be shown in `form`, by path: named controls and [data-field] groups. */
export function errorTargets(form) {
  const targets = new Map();
  for (const group of form.querySelectorAll("[data-field]")) {
    targets.set(group.dataset.field, group);
    // A group may also take the errors of another name for its data (freelancer_id: the roster's freelancer).
    for (const name of (group.dataset.also ?? "").split(" ").filter(Boolean)) targets.set(name, group);
  }
  for (const control of form.elements) {
    if (control.name && !control.matches(":disabled") && control.type !== "hidden" && control.type !== "radio" && !targets.has(control.name)) {
      targets.set(control.name, control);
    }
  }
  return targets;
}

/** Remove every error shown in `form`. */
export function clearErrors(form) {
  for (const message of form.querySelectorAll(".field-error")) {
    const control = form.querySelector(`[aria-describedby~="${message.id}"]`);
    if (control) {
      removeDescribedBy(control, message.id);
      control.removeAttribute("aria-invalid");
    }
    message.remove();
  }
  for (const group of form.querySelectorAll(".has-error")) group.classList.remove("has-error");
  const summary = form.querySelector("[data-error-summary]");
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

/**
 * Show the API's field errors: each next to its input (or its group: "milestones"), and a summary
 * at the top listing them all, with the errors no input matches. Return the number of errors shown.
 */
export function showErrors(form, errors, headline = "The document could not be generated") {
  clearErrors(form);
  const targets = errorTargets(form);
  const { placed, unmatched } = placeErrors(errors, (path) => targets.has(path));
  const doc = form.ownerDocument;
  const links = [];
  for (const [path, messages] of placed) {
    const target = targets.get(path);
    const message = doc.createElement("p");
    message.className = "field-error";
    message.id = idOf(message, "error");
    message.textContent = messages.join(" ");
    if (target.matches("input, select, textarea")) {
      target.setAttribute("aria-invalid", "true");
      addDescribedBy(target, message.id);
      (target.closest(".field") ?? target.parentElement).append(message);
    } else {
      target.classList.add("has-error");
      const heading = target.querySelector(":scope > legend, :scope > .group-title");
      if (heading) heading.after(message);
      else target.prepend(message);
    }
    reveal(target);
    links.push({ path, target, text: `${labelOf(target) ?? describePath(path)}: ${messages.join(" ")}` });
  }
  const summary = form.querySelector("[data-error-summary]");
  if (summary) renderSummary(summary, headline, links, unmatched);
  return placed.size + unmatched.length;
}

// The words a person sees for an error's place: "Milestone 2, amount" or "Milestones".
function labelOf(target) {
  let text;
  if (target.matches("input, select, textarea")) {
    const label = target.closest("label") ?? target.labels?.[0];
    // A wrapping label's own words: its text and spans, not the control's value.
    text = label && [...label.childNodes].filter((node) => node.nodeType === 3 || node.matches?.("span"))
      .map((node) => node.textContent).join(" ").trim();
  } else {
    text = target.querySelector(":scope > legend, :scope > .group-title")?.textContent?.trim();
  }
  if (!text) return null;
  // Within a row its label ("Milestone 2"), within a drawn object its title ("Client").
  const around = target.parentElement?.closest("fieldset.item, fieldset.object, fieldset.money");
  const within = around?.matches(".item") ? around.querySelector("[data-item-label]")?.textContent
    : around?.querySelector(":scope > legend")?.textContent;
  return within ? `${within}, ${text.toLowerCase()}` : text;
}

function renderSummary(summary, headline, links, unmatched) {
  const doc = summary.ownerDocument;
  const title = doc.createElement("h2");
  const count = links.length + unmatched.length;
  title.textContent = count ? `${headline}: ${count === 1 ? "one thing needs" : `${count} things need`} your attention` : headline;
  const list = doc.createElement("ul");
  for (const link of links) {
    const item = doc.createElement("li");
    const anchor = doc.createElement("a");
    anchor.href = `#${idOf(link.target)}`;
    anchor.textContent = link.text;
    anchor.addEventListener("click", (event) => {
      event.preventDefault();
      const focusable = link.target.matches("input, select, textarea") ? link.target
        : link.target.querySelector("input:not([type=hidden]):not(:disabled), select, textarea, button");
      (focusable ?? link.target).focus();
    });
    item.append(anchor);
    list.append(item);
  }
  for (const error of unmatched) {
    const item = doc.createElement("li");
    item.textContent = `${describePath(error.field)}: ${error.message}`;
    list.append(item);
  }
  summary.replaceChildren(title, ...(count ? [list] : []));
  summary.hidden = false;
  summary.focus();
}

/**
 * Manage the repeatable rows of `list` ([data-list="milestones"], rows cloned from its
 * [data-template], or made by `row()`). Names are renumbered ("milestones[2].amount") whenever a
 * row comes or goes, lists and groups inside the rows with them (a list's own path may change so).
 * Return `{add(values?), rows(), clear(), prune()}`.
 */
export function repeatable(list, { onChange = () => {}, row: make = null } = {}) {
  const doc = list.ownerDocument;
  const template = make ? null : doc.getElementById(list.dataset.template);
  const build = make ?? (() => template.content.firstElementChild.cloneNode(true));
  const label = list.dataset.label;
  const min = Number(list.dataset.min ?? 0);
  const rows = () => [...list.children];

  function renumber() {
    const prefix = list.dataset.list;
    const pattern = new RegExp(`^${escapeRegExp(prefix)}\\[\\d+\\]`);
    rows().forEach((row, i) => {
      const path = `${prefix}[${i}]`;
      for (const control of row.querySelectorAll("[name]")) control.name = control.name.replace(pattern, path);
      for (const inner of row.querySelectorAll("[data-list]")) inner.dataset.list = inner.dataset.list.replace(pattern, path);
      for (const group of row.querySelectorAll("[data-field]")) group.dataset.field = group.dataset.field.replace(pattern, path);
      row.querySelector(":scope > legend [data-item-label]").textContent = `${label} ${i + 1}`;
      const remove = row.querySelector(":scope > [data-remove]");
      remove.setAttribute("aria-label", `Remove ${label.toLowerCase()} ${i + 1}`);
      remove.hidden = rows().length <= min;
    });
    onChange();
  }

  function add(values = {}, { focus = false } = {}) {
    const row = build();
    list.append(row);
    renumber();
    const index = rows().length - 1;
    for (const [field, value] of Object.entries(values)) {
      const control = [...row.querySelectorAll("[name]")].find((each) => each.name === `${list.dataset.list}[${index}].${field}`);
      if (control) control.value = value ?? "";
    }
    describeHints(row);
    row.querySelector(":scope > [data-remove]").addEventListener("click", () => {
      const next = row.nextElementSibling ?? row.previousElementSibling;
      row.remove();
      renumber();
      (next?.querySelector("input:not([type=hidden]), textarea") ?? list.parentElement.querySelector(":scope > [data-add]"))?.focus();
    });
    if (focus) row.querySelector("input:not([type=hidden]), textarea")?.focus();
    return row;
  }

  /** Remove rows left entirely empty (keeping `min`), so the data sent has no blank items. */
  function prune() {
    for (const row of rows()) {
      const typed = row.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea");
      const empty = [...typed].every((control) => !control.value.trim());
      if (empty && rows().length > Math.max(min, 1)) row.remove();
    }
    renumber();
  }

  function clear() {
    list.replaceChildren();
    renumber();
  }

  for (let i = 0; i < min; i++) add();
  return { add, rows, prune, clear };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Say why generating failed: the API's field errors beside their inputs (and how many in `status`),
 * under `headline`, or the error's message. Return null, for the caller to return.
 */
export function reportFailure(form, status, error, headline = "Not generated yet") {
  if (error instanceof ApiError && error.errors.length) {
    const count = showErrors(form, error.errors, headline);
    setStatus(status, `Fix the ${count === 1 ? "problem" : `${count} problems`} marked in red, then try again.`, "error");
  } else {
    setStatus(status, error.message, "error");
  }
  return null;
}
