// The Excel views: "Budget tracker" (generate a tracker, insert it or download it, summarise it)
// and "Add freelancer lines" (append roster freelancers to the open tracker's table).

import { ApiError } from "../api.js";
import { clearErrors, collect, describeHints, repeatable, showErrors } from "../forms.js";
import { mountGenerate } from "../generate.js";
import { formatMoney } from "../money.js";
import { createPicker, describeFreelancer } from "../picker.js";
import { appendLines, existingTracker, insertTracker } from "../excel.js";
import { canReadDocument, readDocument } from "../document-file.js";
import { keepLimits, missingRequired } from "../limits.js";
import { fillLocales, remembered, setStatus, whileBusy } from "../ui.js";

// Freelancer lines: a roster pick adds a row with the freelancer's rate and unit filled in.
function mountLineRows(form, env, { onPick = () => {} } = {}) {
  const list = form.querySelector("[data-list=lines]");
  const empty = form.querySelector("[data-empty-note]");
  const limits = keepLimits(form, env.api, () => "budget");
  const lines = repeatable(list, { onChange: () => {
    empty.hidden = list.children.length > 0;
    limits.refresh();
  } });
  const picked = new Map();
  createPicker(form.querySelector("[data-slot=line-picker]"), {
    label: "Add a freelancer from the roster",
    multiple: true,
    search: env.api.searchFreelancers,
    onPick(freelancer) {
      picked.set(freelancer.id, freelancer);
      const row = lines.add({ freelancer_id: freelancer.id, rate: freelancer.rate ?? "" });
      row.querySelector("[data-line-who]").textContent = [freelancer.name, describeFreelancer(freelancer)].filter(Boolean).join(" · ");
      row.querySelector("[data-units-label]").textContent = freelancer.rate_unit === "day" ? "Planned days" : "Planned hours";
      row.querySelector("input[name$='.role']").focus();
      onPick(freelancer);
    },
  });
  describeHints(form);
  return { lines, picked };
}

export function mountBudget(section, env) {
  const form = section.querySelector("form");
  const currency = form.elements.currency;
  fillLocales(form, remembered().locale ?? "en-US");
  currency.addEventListener("input", () => { currency.value = currency.value.toUpperCase(); });
  const { lines } = mountLineRows(form, env, {
    onPick(freelancer) {
      if (!currency.value && freelancer.currency) currency.value = freelancer.currency;
    },
  });
  mountGenerate(form, env, {
    noun: "tracker",
    request() {
      lines.prune();
      const missing = missingRequired(form);
      if (missing.length) throw new ApiError(400, "Some required fields are empty.", missing);
      // No lines is a tracker to fill in Excel: send the empty list the API expects.
      return { template: "budget", data: { lines: [], ...collect(form) }, format: "xlsx" };
    },
    actions: { insert: trackerInsert(env) },
    after: (record, bytes) => showSummary(section, env, bytes, record.filename, currency.value, form.elements.locale.value),
  });
  mountSummarise(section, env, form);
}

/**
 * In Excel: "Summarise this workbook's tracker" reads the open workbook (Document.getFileAsync) and shows its
 * totals, the lines over budget and the cells the server warns of, in the tracker's own currency.
 */
function mountSummarise(section, env, form) {
  const button = form.querySelector("[data-action=summarise]");
  button.hidden = !(env.host === "excel" && canReadDocument(env.Office));
  const status = form.querySelector("[data-status]");
  button.addEventListener("click", () => whileBusy(button, async () => {
    setStatus(status, "Reading this workbook…", "busy");
    try {
      const bytes = await readDocument(env.Office);
      await showSummary(section, env, bytes, "workbook.xlsx", null, form.elements.locale.value);
      setStatus(status, "The summary of this workbook's tracker is below.", "ok");
    } catch (error) {
      setStatus(status, error.message, "error");
    }
  }));
}

/**
 * Inserting a tracker into the open workbook (ExcelApi 1.13): asked first when the workbook has one
 * already; where Excel cannot insert, the tracker is downloaded instead.
 */
export function trackerInsert(env) {
  const settings = env.Office?.context?.document?.settings ?? null;
  return {
    available: env.host === "excel" && env.supports("ExcelApi", "1.13"),
    async confirm() {
      const found = await env.Excel.run((context) => existingTracker(context, settings));
      return found ? `This workbook has a budget tracker already (table ${found.table} on the “${found.sheet}” sheet). ` +
        "Insert another one? Freelancer lines will then go into the new one." : null;
    },
    async into(record) {
      const insertion = await env.api.insertion(record);
      const inserted = await env.Excel.run((context) => insertTracker(context, insertion, { supports: env.supports, settings }));
      return [`Inserted the tracker into this workbook: see the “${inserted.sheet}” sheet.`, ...inserted.notes].join(" ");
    },
  };
}

async function showSummary(section, env, bytes, filename, currency, locale) {
  const panel = section.querySelector("[data-budget-summary]");
  const doc = panel.ownerDocument;
  let rows;
  let notes = [];
  try {
    const summary = await env.api.budgetSummary(bytes, filename);
    rows = summaryFigures(summary, currency || summary.currency || "", locale);
    notes = summaryNotes(summary, currency || summary.currency || "", locale);
  } catch (error) {
    rows = [["Summary", `Not available: ${error.message}`, "warn"]];
  }
  panel.querySelector("[data-figures]").replaceChildren(...rows.flatMap(([label, value, tone]) => {
    const term = doc.createElement("dt");
    term.textContent = label;
    const detail = doc.createElement("dd");
    detail.textContent = value;
    if (tone) detail.dataset.tone = tone;
    return [term, detail];
  }));
  panel.querySelector("[data-notes]").replaceChildren(...notes.map((text) => {
    const item = doc.createElement("li");
    item.textContent = text;
    return item;
  }));
  panel.hidden = false;
  panel.scrollIntoView?.({ block: "nearest" });
}

/**
 * Return a tracker summary (POST /api/budgets/summary) as [label, text, tone?] rows: approved
 * budget, planned, actual, remaining, % used and lines over budget, amounts in the currency's format.
 */
export function summaryFigures(summary, currency, locale = "en-US") {
  const code = summary.currency ?? currency;
  const money = (value) => (value === null || value === undefined ? "—" : formatMoney(String(value), code, locale));
  const over = summary.over_budget?.length ?? 0;
  const used = summary.percent_used;
  return [
    ["Approved budget", money(summary.approved_budget)],
    ["Planned", money(summary.planned)],
    ["Actual", money(summary.actual)],
    ["Invoiced", money(summary.invoiced)],
    ["Remaining", money(summary.remaining), summary.remaining !== null && Number(summary.remaining) < 0 ? "warn" : undefined],
    ["Budget used", used === null || used === undefined ? "—" : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(String(used))}%`,
      Number(used) > 100 ? "warn" : undefined],
    ["Lines", String(summary.lines ?? 0)],
    ["Lines over budget", String(over), over > 0 ? "warn" : "ok"],
  ];
}

/** Return the lines over budget and the cells the summary could not read, as sentences. */
export function summaryNotes(summary, currency, locale = "en-US") {
  const code = summary.currency ?? currency;
  const over = (summary.over_budget ?? []).map((line) =>
    `${line.freelancer}${line.role ? ` (${line.role})` : ""} is over budget by ${formatMoney(String(line.over_by), code, locale)}.`);
  const unread = (summary.warnings ?? []).map((warning) => `${warning.field}: ${warning.message}`);
  return [...over, ...unread];
}

/** Return the problems of lines to append ({field, message}, as the API words them). */
export function lineProblems(lines) {
  const problems = [];
  lines.forEach((line, i) => {
    if (!line.role) problems.push({ field: `lines[${i}].role`, message: "is required" });
    if (!/^\d+(\.\d{1,2})?$/.test(line.planned_units ?? "") || Number(line.planned_units) <= 0) {
      problems.push({ field: `lines[${i}].planned_units`, message: "must be a number above 0, e.g. 40 or 12.5" });
    }
    if (!/^\d+(\.\d{1,3})?$/.test(line.rate ?? "") || Number(line.rate) <= 0) {
      problems.push({ field: `lines[${i}].rate`, message: "must be an amount above 0, e.g. 85.00" });
    }
  });
  if (lines.length === 0) problems.push({ field: "lines", message: "Add at least one freelancer." });
  return problems;
}

export function mountLines(section, env) {
  const form = section.querySelector("form");
  if (env.host !== "excel") {
    form.hidden = true;
    section.querySelector("[data-host-missing]").hidden = false;
    return;
  }
  const status = form.querySelector("[data-status]");
  const button = form.querySelector("[data-action=append]");
  const { lines, picked } = mountLineRows(form, env);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    lines.prune();
    clearErrors(form);
    const data = (collect(form).lines ?? []).map((line) => ({ ...line, freelancer: picked.get(line.freelancer_id)?.name, status: "planned" }));
    const problems = lineProblems(data);
    if (problems.length) {
      showErrors(form, problems, "Not added yet");
      setStatus(status, "Fix the problems marked in red, then try again.", "error");
      return;
    }
    whileBusy(button, async () => {
      setStatus(status, "Adding the lines…", "busy");
      try {
        const settings = env.Office?.context?.document?.settings ?? null;
        const count = await env.Excel.run((context) => appendLines(context, data, { settings }));
        setStatus(status, `Added ${count} ${count === 1 ? "line" : "lines"} to the tracker table. Excel computes the amounts.`, "ok");
        lines.clear();
      } catch (error) {
        setStatus(status, error.message, "error");
      }
    });
  });
}
