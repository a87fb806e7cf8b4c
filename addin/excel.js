// Excel writers. Each takes the request context of an `Excel.run` batch, so tests pass a mock context.

/** The tracker's table of freelancer lines (sheet "Budget"), as generated. */
export const LINES_TABLE = "BudgetLines";
/** Where the pane remembers, in the workbook's add-in settings, the tracker it inserted. */
export const TRACKER_SETTING = "freelance.tracker";

/** Each input column of the BudgetLines table and the budget line field it holds. */
export const COLUMN_FIELDS = {
  Freelancer: "freelancer", Role: "role", SOW: "sow_number", Milestone: "milestone", Status: "status",
  "Planned units": "planned_units", Rate: "rate", "Actual units": "actual_units", Invoiced: "invoiced_amount",
};
const NUMBER_FIELDS = new Set(["planned_units", "rate", "actual_units", "invoiced_amount"]);
/** The tracker's formula columns: never written, Excel fills them (a calculated column). */
export const CALCULATED_COLUMNS = new Set(["Planned amount", "Actual amount", "Variance", "% used", "Freelancer no."]);

/** Excel could not insert the tracker here; `fallback` says the download is the way. */
export class CannotInsert extends Error {
  constructor(message) {
    super(message);
    this.name = "CannotInsert";
    this.fallback = "download";
  }
}

/**
 * Return the tracker already in the open workbook, `{table, sheet}`, or null: the one the pane
 * inserted (remembered in `settings`) if it is still there, else a table named BudgetLines.
 */
export async function existingTracker(context, settings = null) {
  const remembered = settings?.get(TRACKER_SETTING)?.table;
  const names = [...new Set([remembered, LINES_TABLE].filter(Boolean))];
  const tables = names.map((name) => context.workbook.tables.getItemOrNullObject(name));
  tables.forEach((table) => table.load("isNullObject, name"));
  await context.sync();
  const table = tables.find((each) => !each.isNullObject);
  if (!table) return null;
  const sheet = table.worksheet.load("name");
  await context.sync();
  return { table: table.name, sheet: sheet.name };
}

/**
 * Insert a tracker into the open workbook from `insertion` (GET /api/documents/<id>/insertion), as
 * `insertWorkbook` does. The table of lines is remembered in `settings` (Office's document settings)
 * so "Add lines" writes into this tracker even when Excel had to rename it ("BudgetLines2" next to
 * an older one). Return `{sheet, table, notes}`: the inserted sheet's name, its lines table, what
 * was left out. Raise CannotInsert when this Excel cannot insert worksheets at all.
 */
export async function insertTracker(context, insertion, { supports = () => true, settings = null } = {}) {
  const inserted = await insertWorkbook(context, insertion, { supports, what: "tracker" });
  const table = await linesTableOn(context, [...inserted.sheets.values()]);
  const notes = inserted.notes;
  if (settings && table) {
    settings.set(TRACKER_SETTING, { table, sheet: inserted.sheet });
    if (!(await saveSettings(settings))) notes.push("The pane could not remember this tracker: Add freelancer lines may write to an older one.");
  }
  return { sheet: inserted.sheet, table, notes };
}

/**
 * Insert a generated workbook (a tracker, the programme dashboard) into the open one from
 * `insertion` (its GET .../insertion): its worksheets at the end, then its charts, names and print
 * settings made with the Excel API.
 *
 * Why not insert the generated workbook as it is: Excel on the web (and on iPad) refuses
 * `insertWorksheetsFromBase64` for sheets holding a chart, with UnsupportedFeature ("Work with
 * workbooks using the Excel JavaScript API", Microsoft Learn; office-js#4518), and names it copies
 * can turn into #REF! or external links (office-js#3583, #5911). The server hands over the sheets
 * without charts and names (their formulas use plain references), and the plan to add them back.
 *
 * `supports(set, version)` answers isSetSupported: names need ExcelApi 1.4, print settings 1.9.
 * `what` names the workbook in messages. Return `{sheet, sheets, notes}`: the first inserted sheet's
 * name, each inserted sheet by its title in the generated workbook, and what was left out. Raise
 * CannotInsert when this Excel cannot insert worksheets at all.
 */
export async function insertWorkbook(context, insertion, { supports = () => true, what = "workbook" } = {}) {
  const workbook = context.workbook;
  let ids;
  try {
    ids = workbook.insertWorksheetsFromBase64(insertion.workbook, { positionType: "End" });
    await context.sync();
  } catch (error) {
    if (error?.code === "UnsupportedFeature" || error?.code === "ApiNotFound") {
      throw new CannotInsert(`Excel here cannot insert these worksheets into an open workbook. Download the ${what} and open it instead.`);
    }
    throw error;
  }
  // The inserted sheets come back in the order of the generated workbook's sheets.
  const sheets = new Map(insertion.sheets.map((title, i) => [title, workbook.worksheets.getItem(ids.value[i])]));
  const first = sheets.get(insertion.sheets[0]).load("name");
  first.activate();
  await context.sync();
  const notes = [...(insertion.warnings ?? [])];

  // What the inserted sheets lack, added back; a step that fails is said, and the sheets stay.
  const step = async (part, work) => {
    try {
      await work();
      await context.sync();
    } catch (error) {
      notes.push(`The ${part} could not be added (${error.message}).`);
    }
  };
  await step("chart", () => {
    for (const chart of insertion.charts) {
      const sheet = sheets.get(chart.sheet);
      const added = sheet.charts.add(chart.type, sheet.getRange(chart.source), chart.series_by);
      if (chart.title) added.title.text = chart.title;
      added.setPosition(chart.top_left, chart.bottom_right);
    }
  });
  if (supports("ExcelApi", "1.4")) {
    await step("named cells", () => addNames(context, insertion.names, sheets));
  } else if (insertion.names.length) {
    notes.push(`This version of Excel cannot add names, so the ${what}'s named cells (such as ${insertion.names[0].name}) are plain cells here.`);
  }
  if (supports("ExcelApi", "1.9")) {
    await step("print settings", () => {
      for (const print of insertion.print_settings ?? []) {
        const layout = sheets.get(print.sheet).pageLayout;
        if (print.print_titles) layout.setPrintTitleRows(print.print_titles);
        if (print.print_area) layout.setPrintArea(print.print_area);
      }
    });
  }
  return { sheet: first.name, sheets, notes };
}

// Workbook-scoped names, as generated; where the workbook has the name already (an earlier
// tracker), the name is made on the inserted sheet instead, so each tracker's formulas and
// readers find their own cells.
async function addNames(context, names, sheets) {
  const taken = names.map((name) => context.workbook.names.getItemOrNullObject(name.name).load("isNullObject"));
  await context.sync();
  names.forEach((name, i) => {
    const sheet = sheets.get(name.sheet);
    const range = sheet.getRange(name.address);
    if (name.scope === "workbook" && taken[i].isNullObject) context.workbook.names.add(name.name, range);
    else sheet.names.add(name.name, range);
  });
  await context.sync();
}

// The name Excel gave the lines table on the inserted sheets: the table whose header has the
// tracker's input columns.
async function linesTableOn(context, sheets) {
  const tables = sheets.map((sheet) => sheet.tables.load("items/name"));
  await context.sync();
  const headers = tables.flatMap((each) => each.items).map((table) => [table, table.getHeaderRowRange().load("values")]);
  await context.sync();
  const found = headers.find(([, header]) => ["Freelancer", "Planned units", "Rate"].every((name) => header.values[0].includes(name)));
  return found?.[0].name ?? null;
}

// Resolve to whether Office saved the settings.
function saveSettings(settings) {
  return new Promise((resolve) => { settings.saveAsync((result) => resolve(result?.status !== "failed")); });
}

/**
 * Return one table row for `line`, in the order of `headers`: input columns take the line's value
 * by column name; formula columns and columns the tracker does not know get null, which leaves the
 * cell to Excel (a calculated column fills its formula into a new row).
 */
export function rowValues(headers, line, calculated = CALCULATED_COLUMNS) {
  return headers.map((header) => {
    const field = COLUMN_FIELDS[header];
    if (calculated.has(header) || field === undefined) return null;
    const value = line[field];
    if (value === undefined || value === null || value === "") return field === "status" ? "planned" : "";
    return NUMBER_FIELDS.has(field) ? Number(value) : asText(String(value));
  });
}

/**
 * Return `text` as Excel keeps it as text: a leading apostrophe (Excel's own mark for "this is
 * text") before anything Excel would otherwise run as a formula (=, +, -, @, tab, CR) or eat (').
 */
export function asText(text) {
  return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
}

/**
 * Return the headers of the columns that hold formulas, read from the whole data body of the
 * table (`formulas` and `values`, row by row). A cell whose formula reads "=..." but whose value
 * is that same text is text typed as '=... : Excel's `formulas` drops the apostrophe
 * (office-js#6687), so the formula alone would misread it.
 */
export function formulaColumns(headers, formulas, values) {
  return new Set(headers.filter((_, i) => formulas.some((row, r) => {
    const formula = row[i];
    return typeof formula === "string" && formula.startsWith("=") && values[r]?.[i] !== formula;
  })));
}

/**
 * Append `lines` to the tracker's table of lines, writing each value under its column's header:
 * the table the pane inserted (remembered in `settings`), else BudgetLines. The one blank line of
 * an empty tracker is filled rather than left above the new lines. A protected sheet (the tracker's
 * keeps its formulas from being typed over) is unprotected for the writing and protected again with
 * the same options; one protected with a password is left alone, and the person told what to do.
 * Return the number of lines written; raise Error when the workbook has no tracker table.
 */
export async function appendLines(context, lines, { settings = null } = {}) {
  const found = await existingTracker(context, settings);
  if (!found) {
    throw new Error(`This workbook has no ${LINES_TABLE} table. Insert a budget tracker first.`);
  }
  const table = context.workbook.tables.getItem(found.table);
  const header = table.getHeaderRowRange().load("values");
  const body = table.getDataBodyRange().load("formulas, values");
  const protection = table.worksheet.protection.load("protected, options");
  await context.sync();

  const headers = header.values[0].map((name) => String(name).trim());
  const formulas = body.formulas;
  // A column holding formulas is calculated too (a company may add its own).
  const calculated = new Set([...CALCULATED_COLUMNS, ...formulaColumns(headers, formulas, body.values)]);
  const rows = lines.map((line) => rowValues(headers, line, calculated));
  if (rows.length === 0) return 0;

  const blank = formulas.length === 1 && headers.every((name, i) => calculated.has(name) || formulas[0][i] === "");
  const wasProtected = protection.protected;
  // Excel may report options it then refuses to protect with (null entries, office-js#1931).
  const options = Object.fromEntries(Object.entries(protection.options ?? {}).filter(([, value]) => value != null));
  if (wasProtected) {
    protection.unprotect();
    try {
      await context.sync();
    } catch {
      throw new Error("The tracker's sheet is protected and Excel would not unprotect it (it may have a password): unprotect it (Review > Unprotect Sheet), then add the lines again.");
    }
  }
  try {
    if (blank) {
      table.rows.getItemAt(0).getRange().values = [rows[0]];
      rows.shift();
    }
    if (rows.length) table.rows.add(null, rows);
    await context.sync();
  } catch (error) {
    if (wasProtected) await protectAgain(context, protection, options).catch(() => {});
    throw error;
  }
  if (wasProtected) {
    try {
      await protectAgain(context, protection, options);
    } catch {
      throw new Error(`${lines.length} line(s) added, but Excel would not protect the sheet again: protect it (Review > Protect Sheet).`);
    }
  }
  return lines.length;
}

async function protectAgain(context, protection, options) {
  protection.protect(options);
  await context.sync();
}
