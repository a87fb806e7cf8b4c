// The HTTP API client: JSON in and out, every failure an ApiError carrying the field errors. When the
// server signs users in (Entra ID mode), each request carries an access token (see auth.js).

import { createSignIn } from "./auth.js";
import { inWords } from "./paths.js";

/** A failed request: `status` (0 when the server was not reached), `message`, and `errors` [{field, message}]. */
export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }
}

/**
 * Return the API client; `fetchImpl` is injected so tests can answer for the server. `office` is
 * the Office namespace that signs the user in when the server asks for it (null outside Office);
 * `signIn` is the token source (default: Office's SSO, with the dialog fallback where
 * `canUseDialog`).
 */
export function createApi(fetchImpl = globalThis.fetch.bind(globalThis), { office = null, canUseDialog = false, signIn = null } = {}) {
  const tokens = signIn ?? createSignIn(office, { canUseDialog });
  async function send(path, options, token) {
    const authorized = token ? { headers: { ...options.headers, Authorization: `Bearer ${token}` } } : {};
    try {
      return await fetchImpl(path, { credentials: "same-origin", ...options, ...authorized });
    } catch (error) {
      if (error?.name === "AbortError") throw error;
      throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
    }
  }

  // GET /api/config, read once (and again after a failure): whether requests need a token.
  let config = null;
  function settings() {
    config ??= send("/api/config", { headers: { Accept: "application/json" } }).then(async (response) => {
      if (!response.ok) throw await errorOf(response);
      return response.json();
    });
    config.catch(() => { config = null; });
    return config;
  }

  // One token request at a time, shared by the requests that overlap it (Office on the web refuses
  // a second getAccessToken while one is running: 13008); dropped once the request settles.
  const pending = new Map();
  function token(current, { graph = false, authChallenge, fresh = false, refused } = {}) {
    if (!current.identity) return null;
    if (authChallenge || fresh) return tokens.token(current, { graph, authChallenge, fresh, refused });
    const key = graph ? "graph" : "api";
    if (!pending.has(key)) pending.set(key, tokens.token(current, { graph }).finally(() => pending.delete(key)));
    return pending.get(key);
  }

  async function request(path, options = {}, { graph = false } = {}) {
    const current = await settings();
    const first = await token(current, { graph });
    let response = await send(path, options, first);
    if (response.status === 401 && current.identity) {
      // A claims challenge (MFA, Continuous Access Evaluation) asks for those claims; any other 401
      // asks for a fresh token, never the one just refused. Either way, once.
      const claims = (await bodyOf(response.clone()))?.claims;
      const authChallenge = typeof claims === "string" && claims ? claims : undefined;
      response = await send(path, options, await token(current, { graph, authChallenge, fresh: !authChallenge, refused: first }));
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  const json = async (path, options, how) => (await request(path, options, how)).json();
  const post = (path, body) => json(path, {
    method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body),
  });

  return {
    /** The server's client configuration `{identity}`: null in local mode, `{client_id, scopes}` when users sign in. */
    config: settings,
    /**
     * The templates, shipped and this company's: [{id, title, kind, format, version, number, source,
     * fields, schema_url, created_at?, created_by?}].
     */
    templates: async () => (await json("/api/templates")).items,
    /** The JSON Schema of a template's data. */
    schema: (templateId) => json(templatePath(templateId)),
    /**
     * The JSON Schema of `template`'s data, from its `schema_url` when that is a path of this server
     * (the request carries the user's token: it never goes elsewhere), else by its id.
     */
    schemaOf: (template) => json(ownApiPath(template.schema_url) ?? templatePath(template.id)),
    /**
     * Publish a .docx as a company template: `{id, title, file, filename?, schema?}`, `file` its bytes
     * (or a Blob), `schema` an optional JSON Schema file (a Blob) or text. Return the new template's
     * summary with its `schema` and `warnings`; a 409 ApiError when the id is taken, 422 listing
     * every problem of the document.
     */
    publishTemplate: (fields) => json("/api/templates", { method: "POST", body: templateForm(fields), headers: { Accept: "application/json" } }),
    /** Publish a new version of the company template `id` (fields as publishTemplate); return its summary. */
    publishVersion: (id, fields) => json(templatePath(id), { method: "PUT", body: templateForm({ id, ...fields }), headers: { Accept: "application/json" } }),
    /** The versions of a company template, newest first: [{number, version, created_at, created_by}]. */
    templateVersions: async (id) => (await json(`${templatePath(id)}/versions`)).items,
    /** Retire a company template: it is no longer offered; the documents made from it are kept. */
    retireTemplate: async (id) => {
      await request(templatePath(id), { method: "DELETE", headers: { Accept: "application/json" } });
    },
    /** Return a preview of a template filled with `data` (sample data when null) as .docx bytes (ArrayBuffer). */
    preview: async (id, data = null) => (await request(`${templatePath(id)}/preview`, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: `${DOCX}, application/json` }, body: JSON.stringify(data ?? {}),
    })).arrayBuffer(),
    /** Generate a document; return its record {id, filename, download_url, sha256, size, ...}. */
    generate: (template, data, format) => post("/api/documents", format ? { template, data, format } : { template, data }),
    /**
     * Search the documents library: `{q, kind, status, freelancer, client, from, to, page, per_page}` (each
     * optional); return `{items, page, per_page, total}`, newest first.
     */
    documents: (filters = {}) => json(`/api/documents?${filled(filters)}`),
    /** Move a contract to `status` (dated `date`, default today); return its record with the history. */
    changeStatus: (record, status, date = null) => json(`/api/documents/${encodeURIComponent(record.id)}`, {
      method: "PATCH", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(date ? { status, date } : { status }),
    }),
    /**
     * A new document from a record's data, linked to it: as it was, with the template version it was made
     * with, or with `changes` (a JSON merge patch of its data) by the template's newest. Return its record.
     */
    regenerate: (record, changes = null) => (changes
      ? post(`/api/documents/${encodeURIComponent(record.id)}/regenerate`, { changes })
      : json(`/api/documents/${encodeURIComponent(record.id)}/regenerate`, { method: "POST", headers: { Accept: "application/json" } })),
    /** A document's record with the data it was made from (and a contract's history). */
    document: (id) => json(`/api/documents/${encodeURIComponent(id)}`),
    /** Which records a file is (a File or Blob): `{sha256, matches: [{found_as, document}]}`. */
    verify: (file) => {
      const form = new FormData();
      form.append("file", file, file.name || "document");
      return json("/api/documents/verify", { method: "POST", body: form, headers: { Accept: "application/json" } });
    },
    /** Return a generated document's bytes as an ArrayBuffer. */
    file: async (record) => (await request(record.download_url)).arrayBuffer(),
    /** Search active roster freelancers matching `q`; `signal` cancels a search overtaken by typing. */
    searchFreelancers: async (q, { signal, perPage = 8 } = {}) => {
      const query = new URLSearchParams({ q, status: "active", per_page: String(perPage) });
      return (await json(`/api/freelancers?${query}`, { signal })).items;
    },
    freelancer: (id) => json(`/api/freelancers/${encodeURIComponent(id)}`),
    /** One page of the roster for `filters` ({q, status, skill, country}, each optional): `{items, page, per_page, total}`. */
    roster: (filters = {}, { page = 1, perPage = 20 } = {}) => json(`/api/freelancers?${filled({ ...filters, page, per_page: perPage })}`),
    /** Add a freelancer (name and email suffice); return the record. A 409 ApiError when the email is taken. */
    addFreelancer: (details) => post("/api/freelancers", details),
    /** Change some of a freelancer's fields (null clears one); return the record. */
    changeFreelancer: (id, changes) => json(`/api/freelancers/${encodeURIComponent(id)}`, {
      method: "PATCH", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(changes),
    }),
    /** Put back a freelancer removed in the last 30 days; return the record (409 when the email was given again). */
    restoreFreelancer: (id) => json(`/api/freelancers/${encodeURIComponent(id)}/restore`, { method: "POST", headers: { Accept: "application/json" } }),
    /** Remove a freelancer from the roster, restorable for 30 days (the documents made for them keep their details). */
    removeFreelancer: async (id) => {
      await request(`/api/freelancers/${encodeURIComponent(id)}`, { method: "DELETE", headers: { Accept: "application/json" } });
    },
    /**
     * Import a roster file (a File or Blob): `{dryRun, rateUnit}`. Return `{created, updated, unchanged,
     * dry_run, ignored_columns}`; a 400 ApiError lists each problem row (`{row, column, message}`).
     */
    importRoster: (file, { dryRun = false, rateUnit = "" } = {}) => {
      const form = new FormData();
      form.append("file", file, file.name || "roster.csv");
      const query = filled({ dry_run: dryRun ? "1" : "", rate_unit: rateUnit });
      return json(`/api/freelancers/import?${query}`, { method: "POST", body: form, headers: { Accept: "application/json" } });
    },
    /** The roster the `filters` find, as `format` (xlsx or csv): `{bytes, filename}`. */
    exportRoster: async (filters = {}, format = "xlsx") => {
      const response = await request(`/api/freelancers/export?${filled({ ...filters, format })}`);
      return { bytes: await response.arrayBuffer(), filename: attachmentName(response) ?? `roster.${format}` };
    },
    /** The JSON Schema of a roster record's fields (from the OpenAPI document: one source of the fields). */
    rosterSchema: async () => {
      const document = await json("/api/openapi.json");
      return { ...document.components.schemas.RosterFreelancer, $defs: document.components.schemas };
    },
    /** Return how many roster freelancers match `filter` ({q, skill, country, status}, each optional). */
    countFreelancers: async (filter, { signal } = {}) => {
      const query = new URLSearchParams({ ...filter, per_page: "1" });
      return (await json(`/api/freelancers?${query}`, { signal })).total;
    },
    /**
     * Start a batch: `template`'s document for each freelancer of `freelancer_ids` (or each one the
     * `roster` filter matches), from the shared `data` (without freelancer), as `format` if given.
     * Return the Batch {id, status, total, pending, running, done, failed, cancelled, failures,
     * zip_url, ...}; a 422 ApiError names each problem (e.g. "freelancer_ids[3]", "data.client.name").
     */
    startBatch: (request) => post("/api/batches", request),
    /** Return a batch and how far it got (as startBatch does). */
    batch: (id) => json(batchPath(id)),
    /** Return a page of the batches, newest first: `{items, page, per_page, total}`. */
    batches: ({ page = 1, perPage = 20 } = {}) =>
      json(`/api/batches?${new URLSearchParams({ page: String(page), per_page: String(perPage) })}`),
    /** Cancel a batch's documents not started (those being made finish); return the batch. */
    cancelBatch: (id) => json(batchPath(id), { method: "DELETE", headers: { Accept: "application/json" } }),
    /** Return a finished batch's zip, `{bytes, filename}` (bytes an ArrayBuffer); a 409 ApiError while it runs. */
    batchZip: async (batch) => {
      const response = await request(ownApiPath(batch.zip_url) ?? `${batchPath(batch.id)}/zip`);
      return { bytes: await response.arrayBuffer(), filename: attachmentName(response) ?? `${batch.template} batch.zip` };
    },
    /** Return a short-lived signed address of a finished batch's zip, `{url, expires_at}`, that needs no token. */
    batchLink: (batch) => json(`${batchPath(batch.id)}/link`, { method: "POST", headers: { Accept: "application/json" } }),
    /** Save a finished batch's zip to the user's OneDrive (Entra ID mode); return `{web_url}`. */
    saveBatchToOneDrive: (batch) => json(`${batchPath(batch.id)}/onedrive`,
      { method: "POST", headers: { Accept: "application/json" } }, { graph: true }),
    /** Save a generated document to the user's OneDrive (Entra ID mode); return `{web_url}`. */
    saveToOneDrive: (record) => json(`/api/documents/${encodeURIComponent(record.id)}/onedrive`,
      { method: "POST", headers: { Accept: "application/json" } }, { graph: true }),
    /**
     * Return a short-lived signed address of a document's file (as PDF, for a record from `asPdf`),
     * `{url, expires_at}`, that needs no token.
     */
    link: (record) => json(`/api/documents/${encodeURIComponent(record.id)}/link${record.as === "pdf" ? "?format=pdf" : ""}`,
      { method: "POST", headers: { Accept: "application/json" } }),
    /** Return how to insert a generated workbook into Excel: its sheets without charts and names, and those to add. */
    insertion: (record) => json(`/api/documents/${encodeURIComponent(record.id)}/insertion`),
    /**
     * Programme insight for `{from, to, group_by}` (each optional): totals per currency, groups,
     * median days to engage, active freelancers, SOWs per month, demand by skill, NDAs expiring.
     */
    insights: (period = {}) => json(`/api/insights?${insightsQuery(period)}`),
    /** The programme dashboard (.xlsx) for `period`: `{bytes, filename}` (bytes an ArrayBuffer). */
    dashboard: async (period = {}) => {
      const response = await request(`/api/insights/workbook?${insightsQuery(period)}`);
      return { bytes: await response.arrayBuffer(), filename: attachmentName(response) ?? "Programme dashboard.xlsx" };
    },
    /** Return how to insert the programme dashboard into Excel, as `insertion` does for a tracker. */
    dashboardInsertion: (period = {}) => json(`/api/insights/insertion?${insightsQuery(period)}`),
    /** Return the summary of a budget tracker (.xlsx bytes): totals, remaining, % used, lines over budget. */
    budgetSummary: (bytes, filename = "budget.xlsx") => {
      const form = new FormData();
      form.append("file", new Blob([bytes], { type: XLSX }), filename);
      return json("/api/budgets/summary", { method: "POST", body: form, headers: { Accept: "application/json" } });
    },
  };
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

// A query of the values given, empty ones left out.
const filled = (values) => new URLSearchParams(Object.entries(values).filter(([, value]) => value !== undefined && value !== null && value !== ""));

// The query of an insights request: the period and breakdown given, empty ones left out.
const insightsQuery = ({ from, to, group_by: groupBy } = {}) => filled({ from, to, group_by: groupBy });
const templatePath = (id) => `/api/templates/${encodeURIComponent(id)}`;
const batchPath = (id) => `/api/batches/${encodeURIComponent(id)}`;

// The file name a download is to be saved as (Content-Disposition: attachment; filename="..."), or null.
function attachmentName(response) {
  return /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? null;
}

// A path under /api/ of this server ("/api/templates/x"), or null: never "//host/..." nor "https://...".
function ownApiPath(url) {
  return typeof url === "string" && /^\/api\/[^/\\]/.test(url) ? url : null;
}

// The multipart body of publishing a template: the document, its id and title, the schema if any.
function templateForm({ id, title, file, filename, schema }) {
  const form = new FormData();
  form.append("file", file instanceof Blob ? file : new Blob([file], { type: DOCX }), filename ?? `${id}.docx`);
  if (id) form.append("id", id);
  if (title) form.append("title", title);
  if (schema instanceof Blob) form.append("schema", schema, schema.name || "schema.json");
  else if (schema) form.append("schema", schema);
  return form;
}

async function bodyOf(response) {
  try {
    return await response.json();
  } catch {
    return null; // Not JSON (a proxy's error page).
  }
}

async function errorOf(response) {
  const body = await bodyOf(response);
  const message = body?.error || `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  // What reaches a person is worded for one; the field paths stay the API's, to place each error.
  const errors = Array.isArray(body?.errors) ? body.errors.map((problem) => ({ ...problem, message: inWords(problem.message) })) : [];
  return new ApiError(response.status, inWords(message), errors);
}

/** Return an ArrayBuffer's bytes as base64, the form Office's insert...FromBase64 methods take. */
export function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
