// The open document as a file, through Office's common API (requirement set File): Word and Excel hand
// it over in slices, which the pane reads one after the other and puts back together.

/** The largest slice Office hands over, and its default: 4 MB (Office.GetFileOptions.sliceSize). */
export const SLICE_SIZE = 4194304;

/** Return whether this Office can hand over the open document (Document.getFileAsync). */
export function canReadDocument(office) {
  return typeof office?.context?.document?.getFileAsync === "function";
}

/** A refusal of Office's, with its `code` (e.g. 11000, a file still open, 11001 a network problem). */
export class DocumentFileError extends Error {
  constructor(error, app = "Office") {
    super(`${app} could not hand over the document: ${error?.message ?? "it did not say why"}`);
    this.name = "DocumentFileError";
    this.code = error?.code ?? null;
  }
}

/**
 * Resolve to the open document's bytes (a Uint8Array of the .docx, Office.FileType.Compressed). The
 * slices are read one at a time (Office refuses a call while the previous one runs: 5100) and in
 * order; the file is closed whether or not reading succeeded, as Office keeps at most two files in
 * memory and refuses getFileAsync beyond them. Rejects with a DocumentFileError.
 */
export async function readDocument(office, { sliceSize = SLICE_SIZE } = {}) {
  const failed = office.AsyncResultStatus?.Failed ?? "failed";
  const app = { word: "Word", excel: "Excel" }[String(office.context?.host ?? "").toLowerCase()] ?? "Office";
  const call = (start) => new Promise((resolve, reject) => {
    start((result) => (result.status === failed ? reject(new DocumentFileError(result.error, app)) : resolve(result.value)));
  });
  const file = await call((done) => office.context.document.getFileAsync(office.FileType.Compressed, { sliceSize }, done));
  try {
    const slices = [];
    for (let index = 0; index < file.sliceCount; index += 1) {
      slices.push((await call((done) => file.getSliceAsync(index, done))).data);
    }
    return joined(slices, file.size, app);
  } finally {
    await new Promise((resolve) => file.closeAsync(() => resolve()));
  }
}

function joined(slices, size, app) {
  const length = slices.reduce((total, slice) => total + slice.length, 0);
  if (typeof size === "number" && length !== size) {
    throw new DocumentFileError({ message: `it gave ${length} of the file's ${size} bytes. Try again.` }, app);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const slice of slices) {
    bytes.set(slice, offset);
    offset += slice.length;
  }
  return bytes;
}
