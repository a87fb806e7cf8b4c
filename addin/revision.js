// Editing a document: what changed between the data it was made from and what the form now holds, as
// the JSON merge patch (RFC 7396) that POST /api/documents/<id>/regenerate takes.

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
// A form leaves an empty text or list out: to it, they are the same as nothing.
const orNull = (value) => (value === undefined || value === "" || (Array.isArray(value) && !value.length) ? null : value);
// Values compared as data: an object's keys in any order.
const canonical = (value) => JSON.stringify(value, (_, inner) => (isObject(inner)
  ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, inner[key]])) : inner));

/**
 * Return the merge patch that turns `from` into `to`: each changed value, null for what `to` leaves out,
 * objects patched key by key, lists replaced whole. Only the paths `known(path)` accepts are compared:
 * a field the form does not show is kept as it was, not removed.
 */
export function mergePatch(from, to, known = () => true, path = "") {
  const patch = {};
  for (const key of new Set([...Object.keys(from ?? {}), ...Object.keys(to ?? {})])) {
    const at = path ? `${path}.${key}` : key;
    if (!known(at)) continue;
    const before = orNull(from?.[key]);
    const after = orNull(to?.[key]);
    if (isObject(before) && isObject(after)) {
      const inner = mergePatch(before, after, known, at);
      if (Object.keys(inner).length) patch[key] = inner;
    } else if (canonical(before) !== canonical(after)) {
      patch[key] = after;
    }
  }
  return patch;
}

/**
 * Return the changes that make a contract recorded with `recorded` data into one of `data` (what the
 * form sends). The record keeps the roster freelancer's details as they were when it was made: the same
 * roster freelancer changes nothing, another is filled from the roster afresh, details typed instead
 * replace the roster's (see the API's regenerate).
 */
export function contractChanges(recorded, data, known) {
  const from = { ...recorded };
  const to = { ...data };
  if (to.freelancer_id && to.freelancer_id === from.freelancer_id) {
    for (const side of [from, to]) {
      delete side.freelancer;
      delete side.freelancer_id;
    }
  } else if (to.freelancer_id) {
    delete from.freelancer;
  } else if (from.freelancer_id) {
    // Details typed instead of a roster freelancer: none of the roster's record stays, shown or not.
    return mergePatch(from, to, (path) => path.startsWith("freelancer.") || known(path));
  }
  return mergePatch(from, to, known);
}
