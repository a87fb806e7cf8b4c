// Which Office application the pane runs in, if any.

/**
 * Resolve to the host the pane runs in: "word", "excel" or "browser". Office.onReady alone decides:
 * outside Office it resolves with a null host ("Initialize your Office Add-in", Microsoft Learn:
 * info.host and info.platform are null when the add-in runs in a plain browser). Office on the web
 * can take many seconds to answer; the pane stays in its loading state meanwhile and never guesses
 * by a timer, which would leave a slow Word or Excel in browser mode for the whole session.
 * Without office.js (offline, blocked) the pane is a web page.
 */
export async function officeHost(Office = globalThis.Office) {
  if (typeof Office?.onReady !== "function") return "browser";
  let info;
  try {
    info = await Office.onReady();
  } catch {
    return "browser";
  }
  const types = Office.HostType ?? {};
  if (info?.host && info.host === types.Word) return "word";
  if (info?.host && info.host === types.Excel) return "excel";
  return "browser";
}
