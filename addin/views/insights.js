// The programme insight view: the figures of signed statements of work over a period, with small
// charts drawn as SVG (no chart library), and the Excel dashboard, inserted into the open workbook
// in Excel or downloaded anywhere.

import { CannotInsert, insertWorkbook } from "../excel.js";
import { clearErrors, collect, reportFailure, showErrors } from "../forms.js";
import { formatMoney } from "../money.js";
import { downloadBytes, remembered, setStatus, textElement, whileBusy } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";
const GROUP_NAMES = { category: "category", team: "team", cost_center: "cost center", skill: "skill", country: "country" };
const NO_GROUP = "Not given";

export function mountInsights(section, env) {
  const form = section.querySelector("form");
  const status = form.querySelector("[data-status]");
  const panel = section.querySelector("[data-insights]");
  const insert = form.querySelector("[data-action=insert]");
  insert.hidden = !(env.host === "excel" && env.supports("ExcelApi", "1.13"));
  const locale = remembered().locale ?? "en-US";

  // The period and breakdown asked for; a period that ends before it starts is said at its field.
  function period() {
    clearErrors(form);
    const asked = collect(form);
    if (asked.from && asked.to && asked.to < asked.from) {
      showErrors(form, [{ field: "to", message: "The end of the period is on or after its start." }], "Check the period");
      return null;
    }
    return asked;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const asked = period();
    if (!asked) return;
    whileBusy(form.querySelector("[data-action=show]"), async () => {
      setStatus(status, "Adding up the programme…", "busy");
      try {
        const insight = await env.api.insights(asked);
        render(panel, insight, locale);
        setStatus(status, summaryLine(insight, locale), "ok");
      } catch (error) {
        reportFailure(form, status, error, "The figures could not be shown");
      }
    });
  });

  async function downloadDashboard(asked) {
    const { bytes, filename } = await env.api.dashboard(asked);
    downloadBytes(bytes, filename, form.ownerDocument);
    return `“${filename}” is ready: its figures are formulas over the SOWs sheet, so you can filter and extend it.`;
  }

  form.querySelector("[data-action=download]").addEventListener("click", (event) => {
    const asked = period();
    if (!asked) return;
    whileBusy(event.currentTarget, async () => {
      setStatus(status, "Making the dashboard…", "busy");
      try {
        setStatus(status, await downloadDashboard(asked), "ok");
      } catch (error) {
        reportFailure(form, status, error, "The dashboard could not be made");
      }
    });
  });

  insert.addEventListener("click", () => {
    const asked = period();
    if (!asked) return;
    whileBusy(insert, async () => {
      setStatus(status, "Inserting the programme dashboard…", "busy");
      try {
        const insertion = await env.api.dashboardInsertion(asked);
        const inserted = await env.Excel.run((context) => insertWorkbook(context, insertion, { supports: env.supports, what: "dashboard" }));
        setStatus(status, [`Inserted the programme dashboard: see the “${inserted.sheet}” sheet.`, ...inserted.notes].join(" "), "ok");
      } catch (error) {
        if (error instanceof CannotInsert) {
          setStatus(status, `${error.message} ${await downloadDashboard(asked)}`, "ok");
          return;
        }
        reportFailure(form, status, error, "The dashboard could not be inserted");
      }
    });
  });
}

/** Return the one line that sums up `insight`: how many SOWs, and their spend per currency. */
export function summaryLine(insight, locale = "en-US") {
  const sows = insight.totals.reduce((sum, each) => sum + each.sows, 0);
  if (!sows) return "No signed statement of work in this period.";
  const spend = insight.totals.map((each) => formatMoney(each.committed_spend, each.currency, locale)).join(" + ");
  return `${sows} signed statement${sows === 1 ? "" : "s"} of work: ${spend} committed.`;
}

/** Draw `insight` into `panel`: tables, key figures, charts and the NDAs about to expire. */
export function render(panel, insight, locale = "en-US") {
  const doc = panel.ownerDocument;
  const money = (amount, currency) => formatMoney(amount, currency, locale);
  const days = (value) => (value == null ? "–" : `${Number(value).toLocaleString(locale, { maximumFractionDigits: 1 })} d`);

  panel.querySelector("[data-totals]").replaceChildren(insight.totals.length
    ? table(doc, ["Currency", "Committed", "SOWs", "Average", "Duration"],
      insight.totals.map((each) => [each.currency, money(each.committed_spend, each.currency), String(each.sows),
        money(each.average_value, each.currency), days(each.average_duration_days)]))
    : textElement(doc, "p", "empty", "No signed statement of work in this period."));

  const figures = panel.querySelector("[data-key-figures]");
  figures.replaceChildren(...[
    ["Median days to engage", days(insight.median_days_to_engage.value)],
    ["Active freelancers", String(insight.active_freelancers.value ?? 0)],
    ["NDAs expiring in 90 days", String(insight.ndas_expiring.length)],
  ].flatMap(([label, value]) => [textElement(doc, "dt", "", label), textElement(doc, "dd", "", value)]));

  const name = GROUP_NAMES[insight.group_by] ?? insight.group_by;
  panel.querySelector("[data-groups-title]").textContent = `By ${name}`;
  const largest = {};
  for (const each of insight.groups) largest[each.currency] = Math.max(largest[each.currency] ?? 0, Number(each.committed_spend));
  panel.querySelector("[data-groups]").replaceChildren(insight.groups.length
    ? table(doc, [name[0].toUpperCase() + name.slice(1), "Committed", "SOWs", "Median days to engage"],
      insight.groups.map((each) => [each.group ?? NO_GROUP,
        bar(doc, money(each.committed_spend, each.currency), Number(each.committed_spend) / (largest[each.currency] || 1)),
        String(each.sows), days(each.median_days_to_engage)]))
    : textElement(doc, "p", "empty", "Nothing to break down."));

  const months = insight.sows_per_month;
  panel.querySelector("[data-months-chart]").replaceChildren(
    chart(doc, "columns", months.map((each) => [each.month, each.sows]), "SOWs signed per month"));
  panel.querySelector("[data-engage-chart]").replaceChildren(
    chart(doc, "line", months.map((each) => [each.month, each.average_days_to_engage ?? 0]), "Average days to engage per month"));

  panel.querySelector("[data-demand]").replaceChildren(demandTable(doc, insight.demand));

  const ndas = panel.querySelector("[data-ndas]");
  ndas.replaceChildren(...(insight.ndas_expiring.length
    ? insight.ndas_expiring.map((nda) => textElement(doc, "li", "",
      `${nda.freelancer ?? "A freelancer"}: ends ${new Date(`${nda.expires_on}T00:00:00Z`).toLocaleDateString(locale, { dateStyle: "medium", timeZone: "UTC" })}`))
    : [textElement(doc, "li", "empty", "None in the next 90 days.")]));
  panel.hidden = false;
}

// The skills most asked for (up to 10), with their SOWs in each of the last six months that have any.
function demandTable(doc, demand) {
  if (!demand.length) return textElement(doc, "p", "empty", "No skills recorded on these freelancers.");
  const months = [...new Set(demand.map((each) => each.month))].sort().slice(-6);
  const totals = new Map();
  for (const each of demand) totals.set(each.skill, (totals.get(each.skill) ?? 0) + each.sows);
  const skills = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b)).slice(0, 10);
  const count = (skill, month) => demand.find((each) => each.skill === skill && each.month === month)?.sows ?? 0;
  return table(doc, ["Skill", ...months, "All"], skills.map((skill) => [skill, ...months.map((month) => String(count(skill, month))), String(totals.get(skill))]));
}

// A table of `rows` under `headers`, scrolling sideways inside its card when the pane is narrow.
function table(doc, headers, rows) {
  const frame = doc.createElement("div");
  frame.className = "table-frame";
  const element = doc.createElement("table");
  frame.append(element);
  element.className = "figures-table";
  const head = element.createTHead().insertRow();
  for (const header of headers) head.append(textElement(doc, "th", "", header));
  const body = element.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    row.forEach((value, i) => {
      const cell = line.insertCell();
      if (i > 0) cell.className = "number";
      cell.append(value);
    });
  }
  return frame;
}

// A figure with a bar under it, `share` (0..1) of the largest in its currency.
function bar(doc, text, share) {
  const wrapper = textElement(doc, "span", "with-bar", text);
  const line = doc.createElement("span");
  line.className = "bar";
  line.style.width = `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
  wrapper.append(line);
  return wrapper;
}

/**
 * Return a small SVG chart of `points` ([label, value]): "columns" or a "line", labelled for screen
 * readers with `title` and every point.
 */
export function chart(doc, kind, points, title) {
  if (!points.length) return textElement(doc, "p", "empty", "Nothing signed in this period.");
  const width = 300, height = 120, left = 28, bottom = 18, top = 8;
  const max = Math.max(1, ...points.map(([, value]) => Number(value)));
  const step = (width - left) / points.length;
  const y = (value) => top + (height - top - bottom) * (1 - Number(value) / max);
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("class", `chart-${kind}`);
  svg.setAttribute("aria-label", `${title}: ${points.map(([label, value]) => `${label} ${value}`).join(", ")}`);
  const add = (tag, attributes, text) => {
    const element = doc.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (text != null) element.textContent = text;
    svg.append(element);
    return element;
  };
  add("title", {}, title);
  add("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" });
  add("text", { x: left - 4, y: top + 8, "text-anchor": "end", class: "tick" }, String(Math.round(max * 10) / 10));
  add("text", { x: left - 4, y: height - bottom, "text-anchor": "end", class: "tick" }, "0");
  const every = Math.ceil(points.length / 6);
  points.forEach(([label], i) => {
    if (i % every === 0) add("text", { x: left + step * (i + 0.5), y: height - 4, "text-anchor": "middle", class: "tick" }, label);
  });
  if (kind === "columns") {
    points.forEach(([label, value], i) => {
      add("rect", { x: left + step * i + step * 0.15, y: y(value), width: step * 0.7, height: height - bottom - y(value), class: "mark" })
        .append(Object.assign(doc.createElementNS(SVG, "title"), { textContent: `${label}: ${value}` }));
    });
  } else {
    add("polyline", { points: points.map(([, value], i) => `${left + step * (i + 0.5)},${y(value)}`).join(" "), class: "mark-line" });
  }
  return svg;
}
