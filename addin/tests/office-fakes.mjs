// Fakes of Word, Excel and the Office namespace that behave as Microsoft's documentation says the
// real ones do, errors included, as far as the pane uses them: properties are readable only after
// load() and sync(), errors of queued calls surface at sync(), calls of a requirement set the host
// lacks are not there, and each documented refusal is made. (Not a test file: tests import it.)

/** An error as office.js raises it from context.sync(): `code` is one of Excel/Word.ErrorCodes. */
export class RichApiError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "RichApi.Error";
    this.code = code;
  }
}

const NOT_LOADED = (name) => `The property '${name}' is not available. Before reading the property's value, call the load ` +
  "method on the containing object and call \"context.sync()\" on the associated request context.";

/** Return whether `have` (e.g. "1.5") is at least `want` ("1.13"), as requirement set versions compare. */
export function atLeast(have, want) {
  const [a, b] = String(have).split(".").map(Number);
  const [c, d] = String(want).split(".").map(Number);
  return a > c || (a === c && b >= d);
}

/**
 * A request context: `queue(fn)` defers work (and its errors) to the next sync(); `loadable(target,
 * names)` wraps an object so the listed properties throw until loaded and synced.
 */
function requestContext() {
  const queued = [];
  const toLoad = [];
  const context = {
    syncs: 0,
    queue(work) { queued.push(work); },
    async sync() {
      context.syncs += 1;
      const work = queued.splice(0);
      for (const each of work) each();
      for (const [loaded, names] of toLoad.splice(0)) names.forEach((name) => loaded.add(name));
    },
    loadable(target, names) {
      const loaded = new Set();
      const guarded = new Set(names);
      target.load = (what = [...guarded]) => {
        const paths = (Array.isArray(what) ? what : String(what).split(",")).map((name) => name.trim());
        toLoad.push([loaded, paths.map((path) => path.split("/")[0])]);
        // "items/name" loads the collection and each item's name.
        const nested = paths.filter((path) => path.startsWith("items/")).map((path) => path.slice("items/".length));
        if (nested.length) target.items?.forEach((item) => item.load(nested));
        return proxy;
      };
      const proxy = new Proxy(target, {
        get(object, name) {
          if (typeof name === "string" && guarded.has(name) && !loaded.has(name)) throw new Error(NOT_LOADED(name));
          return object[name];
        },
      });
      return proxy;
    },
  };
  return context;
}

/**
 * Return the Office namespace as the pane sees it: requirement sets, document settings, dialogs,
 * browser windows, and the open document as a file (`file`: see documentFile).
 */
export function officeNamespace({ host = "Word", platform = "PC", sets = {}, settings = {}, dialog = null, auth = null, file = {} } = {}) {
  const stored = { ...settings };
  const office = {
    HostType: { Word: "Word", Excel: "Excel" },
    PlatformType: { PC: "PC", OfficeOnline: "OfficeOnline", Mac: "Mac", iOS: "iOS" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    FileType: { Compressed: "compressed", Pdf: "pdf", Text: "text" },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    opened: [],
    saved: [],
    dialogs: [],
    onReady: async () => ({ host, platform }),
    context: {
      host,
      platform,
      requirements: {
        isSetSupported: (name, version = "1.1") => name in sets && atLeast(sets[name], version),
      },
      document: {
        settings: {
          get: (name) => (name in stored ? structuredClone(stored[name]) : null),
          set: (name, value) => { stored[name] = structuredClone(value); },
          saveAsync: (callback) => {
            office.saved.push(structuredClone(stored));
            callback?.({ status: "succeeded" });
          },
        },
      },
      ui: {
        openBrowserWindow: (url) => office.opened.push(url),
      },
    },
  };
  if (auth) office.auth = auth;
  if (file) Object.assign(office, documentFile(office.context.document, file));
  if ("DialogApi" in sets) {
    // displayDialogAsync (DialogApi 1.1): `dialog(url)` plays the dialog's part, returning
    // {message} (what the page sends with messageParent), {event} (12006 closed...) or {error} (opening failed).
    office.context.ui.displayDialogAsync = (url, options, callback) => {
      office.dialogs.push({ url, options });
      const outcome = dialog?.(url) ?? { event: 12006 };
      if (outcome.error) {
        callback({ status: "failed", error: { code: outcome.error, message: "Dialog failed" } });
        return;
      }
      const handlers = {};
      const opened = { closed: false, addEventHandler: (type, handler) => { handlers[type] = handler; }, close() { this.closed = true; } };
      callback({ status: "succeeded", value: opened });
      queueMicrotask(() => {
        if (outcome.message !== undefined) handlers.dialogMessageReceived?.({ message: outcome.message, origin: new URL(url).origin });
        else handlers.dialogEventReceived?.({ error: outcome.event });
      });
    };
  }
  return office;
}

// Office's common error codes for getting the file (office.js's OSF.DDA.ErrorCodeManager).
const FILE_ERRORS = {
  11000: ["Memory Limit Exceeded", "Call closeAsync on the current File before retrieving another."],
  11001: ["Network problem", "A network problem has prevented retrieval of the file."],
  11002: ["Invalid value", "The specified slice size is not supported."],
  1009: ["Unsupported file type", "The specified file type is not supported."],
  5001: ["Internal Error", "An internal error has occurred."],
};
const failure = (code) => ({ status: "failed", error: { code, name: FILE_ERRORS[code][0], message: FILE_ERRORS[code][1] } });

/**
 * Document.getFileAsync as Microsoft documents it (Office.File, Office.Slice, Office.GetFileOptions):
 * the open document's `bytes` in slices of `sliceSize` (at most and by default 4194304), each slice's
 * `data` an array of byte values; at most two files in memory (a third getFileAsync fails until one
 * is closed with File.closeAsync); every callback later, never during the call. `failSlice` makes
 * reading that slice fail with a network problem (11001). Returns `{files}`: what was asked, for tests
 * (`open`, the files not closed yet; `slices`, the indexes read in order).
 */
function documentFile(document, { bytes = new Uint8Array([0x50, 0x4b, 3, 4]), failSlice = null, types = ["compressed", "pdf", "text"] } = {}) {
  const files = { open: 0, opened: 0, closed: 0, slices: [] };
  const later = (callback, result) => setTimeout(() => callback?.(result), 0);
  document.getFileAsync = (fileType, options, callback) => {
    if (typeof options === "function") [options, callback] = [{}, options];
    const sliceSize = options?.sliceSize ?? 4194304;
    if (!types.includes(fileType)) return later(callback, failure(1009));
    if (!Number.isInteger(sliceSize) || sliceSize <= 0 || sliceSize > 4194304) return later(callback, failure(11002));
    if (files.open >= 2) return later(callback, failure(11000));
    files.open += 1;
    files.opened += 1;
    let closed = false;
    const file = {
      size: bytes.length,
      sliceCount: Math.max(1, Math.ceil(bytes.length / sliceSize)),
      getSliceAsync(index, done) {
        if (closed || !Number.isInteger(index) || index < 0 || index >= file.sliceCount) return later(done, failure(5001));
        if (index === failSlice) return later(done, failure(11001));
        files.slices.push(index);
        const data = Array.from(bytes.slice(index * sliceSize, (index + 1) * sliceSize));
        return later(done, { status: "succeeded", value: { data, index, size: data.length } });
      },
      closeAsync(done) {
        if (!closed) {
          closed = true;
          files.open -= 1;
          files.closed += 1;
        }
        later(done, { status: "succeeded", value: undefined });
      },
    };
    return later(callback, { status: "succeeded", value: file });
  };
  return { files };
}

/**
 * Word with one document. `sets` gives WordApi's version: createDocument needs 1.3 (it is absent
 * below), Document.insertFileFromBase64 1.5. Content controls are given by tag as their text; each
 * records what was written into it, in order: ["text", value] and ["break", type]. The body's
 * `paragraphs` (text) can be searched: see bodySearch; `selected` is what was last selected.
 */
export function fakeWord({ sets = { WordApi: "1.1" }, controls = {}, paragraphs = [] } = {}) {
  const word = { created: [], inserted: [], controls: {}, selected: null, searches: [] };
  const version = sets.WordApi ?? "1.1";
  for (const [tag, texts] of Object.entries(controls)) word.controls[tag] = texts.map((text) => ({ text, written: [] }));
  word.run = async (batch) => {
    const context = requestContext();
    const application = {};
    if (atLeast(version, "1.3")) {
      application.createDocument = (base64) => ({
        open: () => context.queue(() => word.created.push(base64)),
      });
    }
    const document = {
      contentControls: {
        getByTag: (tag) => context.loadable({ items: (word.controls[tag] ?? []).map((control) => contentControl(context, control)) }, ["items"]),
      },
      body: {
        insertFileFromBase64: (base64, location) => context.queue(() => word.inserted.push({ into: "body", base64, location })),
        search: (text, options) => bodySearch(context, word, paragraphs, text, options),
      },
    };
    if (atLeast(version, "1.5")) {
      document.insertFileFromBase64 = (base64, location, options) => context.queue(() => {
        if (!["Replace", "Start", "End"].includes(location)) throw new RichApiError("InvalidArgument", "The argument is invalid or missing.");
        word.inserted.push({ into: "document", base64, location, options });
      });
    }
    return batch({ ...context, application, document });
  };
  return word;
}

/**
 * Body.search (WordApi 1.1) as documented: a RangeCollection whose items are readable after
 * load("items") and sync(); a search text over 255 characters fails at sync() with
 * SearchStringInvalidOrTooLong; "^^" finds a caret ("^" starts a special character); a match lies
 * within one paragraph; matchCase as asked (case-insensitive by default). Each range's select()
 * sets `word.selected` to {paragraph, offset, text} at the next sync.
 */
function bodySearch(context, word, paragraphs, text, { matchCase = false } = {}) {
  word.searches.push({ text, matchCase });
  context.queue(() => {
    if (typeof text !== "string" || text.length === 0 || text.length > 255) {
      throw new RichApiError("SearchStringInvalidOrTooLong", "The search string is invalid or too long.");
    }
  });
  const wanted = String(text).replaceAll("^^", "^");
  const fold = (value) => (matchCase ? value : value.toLowerCase());
  const items = [];
  if (String(text).length <= 255 && wanted) {
    paragraphs.forEach((paragraph, index) => {
      for (let at = fold(paragraph).indexOf(fold(wanted)); at !== -1; at = fold(paragraph).indexOf(fold(wanted), at + 1)) {
        const found = { paragraph: index, offset: at, text: paragraph.slice(at, at + wanted.length) };
        items.push({ text: found.text, select: () => context.queue(() => { word.selected = found; }) });
      }
    });
  }
  return context.loadable({ items }, ["items"]);
}

function contentControl(context, control) {
  const locations = ["Replace", "Start", "End", "Before", "After"];
  return {
    insertText(text, location) {
      context.queue(() => {
        if (!locations.includes(location)) throw new RichApiError("InvalidArgument", "The argument is invalid or missing.");
        if (location === "Replace") control.written = [];
        control.written.push(["text", text]);
      });
    },
    insertBreak(type, location) {
      context.queue(() => {
        if (!["Start", "End", "Before", "After"].includes(location)) throw new RichApiError("InvalidArgument", "The argument is invalid or missing.");
        control.written.push(["break", type]);
      });
    },
  };
}

/**
 * Excel with one workbook. `platform` "OfficeOnline" or "iOS" refuses to insert worksheets holding
 * a chart, PivotTable, comment or slicer, with UnsupportedFeature, as Microsoft's "Work with
 * workbooks" page says; so does every platform below ExcelApi 1.13 (the call is absent). The
 * workbook inserted is described by `files[base64]`, or by `describe(base64)` for any other:
 * {sheets: [{name, tables: [{name, headers}]}]}; its bytes are searched for chart parts the way
 * the zip's member names appear in it. It runs in Node and in a browser (the end-to-end tests).
 * `tables` are the workbook's own: [{name, sheet, headers, formulas, values}].
 */
export function fakeExcel({ platform = "PC", sets = { ExcelApi: "1.17" }, files = {}, describe = () => null, tables = [], names = [] } = {}) {
  const version = sets.ExcelApi ?? "1.1";
  const excel = { sheets: [], tables: [], names: new Map(names.map((name) => [name, { name }])), charts: [], added: [], activated: null, protections: [] };
  for (const table of tables) addTable(excel, table.sheet, table);
  excel.run = async (batch) => {
    const context = requestContext();
    const workbook = {
      worksheets: { getItem: (id) => worksheet(context, excel, excel.sheets.find((sheet) => sheet.id === id)) },
      tables: {
        getItemOrNullObject: (name) => tableProxy(context, excel, excel.tables.find((table) => table.name === name)),
        getItem: (name) => tableProxy(context, excel, excel.tables.find((table) => table.name === name), { orNull: false }),
      },
      names: {
        getItemOrNullObject: (name) => context.loadable({ isNullObject: !excel.names.has(name), name }, ["isNullObject"]),
        add: (name, range) => context.queue(() => {
          if (excel.names.has(name)) throw new RichApiError("ItemAlreadyExists", "The resource already exists.");
          excel.names.set(name, { name, scope: "workbook", sheet: range.sheet, address: range.address });
        }),
      },
    };
    if (atLeast(version, "1.13")) {
      workbook.insertWorksheetsFromBase64 = (base64, options) => {
        const result = { };
        context.queue(() => {
          const bytes = atob(base64);
          if ((platform === "OfficeOnline" || platform === "iOS") && /xl\/(charts|pivotTables|comments|slicers)\//.test(bytes)) {
            throw new RichApiError("UnsupportedFeature", "The operation failed because the source worksheet contains one or more unsupported features.");
          }
          const file = files[base64] ?? describe(base64);
          if (!file) throw new RichApiError("InvalidArgument", "The argument is invalid or missing or has an incorrect format.");
          excel.insertedWith = options;
          result.value = file.sheets.map((sheet) => {
            const added = addSheet(excel, sheet.name);
            for (const table of sheet.tables ?? []) addTable(excel, added.name, table);
            return added.id;
          });
        });
        return result;
      };
    }
    return batch({ ...context, workbook });
  };
  return excel;
}

function addSheet(excel, wanted) {
  let name = wanted;
  for (let n = 2; excel.sheets.some((sheet) => sheet.name === name); n += 1) name = `${wanted} (${n})`;
  const sheet = { id: `{${excel.sheets.length + 1}}`, name, names: new Map(), charts: [], print: {} };
  excel.sheets.push(sheet);
  return sheet;
}

function addTable(excel, sheetName, { name, headers, formulas = [headers.map(() => "")], values = null, protection = null }) {
  let unique = name;
  for (let n = 2; excel.tables.some((table) => table.name === unique); n += 1) unique = `${name}${n}`;
  if (!excel.sheets.some((sheet) => sheet.name === sheetName)) addSheet(excel, sheetName);
  // The sheet protected: {options, password}; as in Excel, a table on it cannot grow or be written.
  if (protection) excel.sheets.find((sheet) => sheet.name === sheetName).protection = protection;
  excel.tables.push({ name: unique, sheet: sheetName, headers, formulas, values: values ?? formulas, rows: [] });
}

function rangeOf(sheet, address) {
  return { sheet: sheet.name, address };
}

function worksheet(context, excel, sheet) {
  const names = {
    add: (name, range) => context.queue(() => {
      if (sheet.names.has(name)) throw new RichApiError("ItemAlreadyExists", "The resource already exists.");
      sheet.names.set(name, { name, scope: sheet.name, address: range.address });
    }),
  };
  return context.loadable({
    name: sheet.name,
    id: sheet.id,
    names,
    activate: () => context.queue(() => { excel.activated = sheet.name; }),
    getRange: (address) => rangeOf(sheet, address),
    charts: {
      add(type, source, seriesBy) {
        const chart = { type, source: source.address, seriesBy, title: { text: "" }, position: null };
        context.queue(() => sheet.charts.push(chart));
        return { title: chart.title, setPosition: (from, to) => { chart.position = [from, to]; } };
      },
    },
    get tables() {
      return context.loadable({
        items: excel.tables.filter((table) => table.sheet === sheet.name).map((table) => tableProxy(context, excel, table)),
      }, ["items"]);
    },
    protection: context.loadable({
      protected: Boolean(sheet.protection),
      options: sheet.protection?.options ?? {},
      unprotect: (password) => context.queue(() => {
        if (sheet.protection?.password && sheet.protection.password !== password) {
          throw new RichApiError("InvalidArgument", "The password you supplied is not correct.");
        }
        sheet.protection = null;
        excel.protections.push(["unprotect", sheet.name]);
      }),
      protect: (options, password) => context.queue(() => {
        if (sheet.protection) throw new RichApiError("InvalidOperation", "The worksheet is already protected.");
        if (Object.values(options ?? {}).some((value) => value == null)) throw new RichApiError("GeneralException", "An internal error has occurred.");
        sheet.protection = { options, password };
        excel.protections.push(["protect", sheet.name, options]);
      }),
    }, ["protected", "options"]),
    pageLayout: {
      setPrintTitleRows: (rows) => context.queue(() => { sheet.print.titles = rows; }),
      setPrintArea: (area) => context.queue(() => { sheet.print.area = area; }),
    },
  }, ["name"]);
}

function unprotected(excel, table) {
  if (excel.sheets.find((sheet) => sheet.name === table.sheet).protection) {
    throw new RichApiError("AccessDenied", "The cell or chart you're trying to change is on a protected sheet.");
  }
}

function tableProxy(context, excel, table, { orNull = true } = {}) {
  if (!table) {
    if (!orNull) throw new RichApiError("ItemNotFound", "The requested resource doesn't exist.");
    return context.loadable({ isNullObject: true }, ["isNullObject"]);
  }
  return context.loadable({
    isNullObject: false,
    name: table.name,
    get worksheet() { return worksheet(context, excel, excel.sheets.find((sheet) => sheet.name === table.sheet)); },
    getHeaderRowRange: () => context.loadable({ values: [table.headers] }, ["values"]),
    getDataBodyRange: () => context.loadable({ formulas: table.formulas, values: table.values }, ["formulas", "values"]),
    rows: {
      add: (index, values) => context.queue(() => { unprotected(excel, table); excel.added.push({ table: table.name, values }); }),
      getItemAt: (i) => ({ getRange: () => ({ set values(values) { context.queue(() => { unprotected(excel, table); excel.added.push({ table: table.name, row: i, values }); }); } }) }),
    },
  }, ["isNullObject", "name"]);
}
