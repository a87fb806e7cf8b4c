// Which Office application the pane runs in, if any.

/**
 * Resolve to the host the pane runs in: "word", "excel" or "browser". Everything waits on
 * Office.onReady; without office.js (offline, or a plain browser) the pane is a web page, and so
 * it is when onReady has not answered within `timeout` ms.
 */
export function officeHost(Office = globalThis.Office, timeout = 5000) {
  if (typeof Office?.onReady !== "function") return Promise.resolve("browser");
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve("browser"), timeout); });
  const ready = Office.onReady().then((info) => {
    const types = Office.HostType ?? {};
    if (info?.host && info.host === types.Word) return "word";
    if (info?.host && info.host === types.Excel) return "excel";
    return "browser";
  }, () => "browser");
  return Promise.race([ready, late]).finally(() => clearTimeout(timer));
}
