// The HTTP API client: JSON in and out, every failure an ApiError carrying the field errors.

/** A failed request: `status` (0 when the server was not reached), `message`, and `errors` [{field, message}]. */
export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }
}

/** Return the API client; `fetchImpl` is injected so tests can answer for the server. */
export function createApi(fetchImpl = globalThis.fetch.bind(globalThis)) {
  async function request(path, options = {}) {
    let response;
    try {
      response = await fetchImpl(path, { credentials: "same-origin", ...options });
    } catch (error) {
      if (error?.name === "AbortError") throw error;
      throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  const json = async (path, options) => (await request(path, options)).json();
  const post = (path, body) => json(path, {
    method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body),
  });

  return {
    /** The templates: [{id, title, kind, format, version, fields, schema_url}]. */
    templates: async () => (await json("/api/templates")).items,
    /** The JSON Schema of a template's data. */
    schema: (templateId) => json(`/api/templates/${encodeURIComponent(templateId)}`),
    /** Generate a document; return its record {id, filename, download_url, sha256, size, ...}. */
    generate: (template, data, format) => post("/api/documents", format ? { template, data, format } : { template, data }),
    /** Return a generated document's bytes as an ArrayBuffer. */
    file: async (record) => (await request(record.download_url)).arrayBuffer(),
    /** Search active roster freelancers matching `q`; `signal` cancels a search overtaken by typing. */
    searchFreelancers: async (q, { signal, perPage = 8 } = {}) => {
      const query = new URLSearchParams({ q, status: "active", per_page: String(perPage) });
      return (await json(`/api/freelancers?${query}`, { signal })).items;
    },
    freelancer: (id) => json(`/api/freelancers/${encodeURIComponent(id)}`),
    /** Return the summary of a budget tracker (.xlsx bytes): totals, remaining, % used, lines over budget. */
    budgetSummary: (bytes, filename = "budget.xlsx") => {
      const form = new FormData();
      form.append("file", new Blob([bytes], { type: XLSX }), filename);
      return json("/api/budgets/summary", { method: "POST", body: form, headers: { Accept: "application/json" } });
    },
  };
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): say what happened in general terms.
  }
  const message = body?.error || `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  return new ApiError(response.status, message, Array.isArray(body?.errors) ? body.errors : []);
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
