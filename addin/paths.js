// Field paths as the API names them ("milestones[1].amount"): reading, writing, and placing errors.
// Form inputs are named by these same paths, so an API error finds its input by name.

/** Return the steps of `path`: "milestones[1].amount" -> ["milestones", 1, "amount"]. */
export function parsePath(path) {
  const steps = [];
  for (const match of String(path).matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    steps.push(match[1] !== undefined ? Number(match[1]) : match[2]);
  }
  return steps;
}

/** Return `steps` as a path: ["milestones", 1, "amount"] -> "milestones[1].amount". */
export function formatPath(steps) {
  return steps.reduce((path, step) =>
    typeof step === "number" ? `${path}[${step}]` : path ? `${path}.${step}` : step, "");
}

// Names a path must never step through: company templates name their own fields, and a field
// called "__proto__" would otherwise write into every object of the pane.
const UNSAFE_STEPS = new Set(["__proto__", "constructor", "prototype"]);

/** Return whether `path` steps through none of the names an object inherits its behaviour from. */
export function isSafePath(path) {
  return parsePath(path).every((step) => !UNSAFE_STEPS.has(step));
}

/**
 * Set `value` at `path` in `target`, making the objects and arrays on the way; return `target`.
 * An unsafe path (see isSafePath) sets nothing.
 */
export function setPath(target, path, value) {
  const steps = parsePath(path);
  if (steps.some((step) => UNSAFE_STEPS.has(step))) return target;
  let node = target;
  steps.forEach((step, i) => {
    if (i === steps.length - 1) {
      node[step] = value;
      return;
    }
    node[step] ??= typeof steps[i + 1] === "number" ? [] : {};
    node = node[step];
  });
  return target;
}

/** Return the value at `path` in `source`, or undefined. */
export function getPath(source, path) {
  return parsePath(path).reduce((node, step) => (node == null ? undefined : node[step]), source);
}

/** Return `path` and each enclosing path, innermost first: "a[1].b" -> ["a[1].b", "a[1]", "a"]. */
export function ancestors(path) {
  const steps = parsePath(path);
  return steps.map((_, i) => formatPath(steps.slice(0, steps.length - i)));
}

/**
 * Place each API error `{field, message}` at the innermost of its paths that `hasTarget(path)` accepts.
 * Return `{placed: Map(path -> [messages]), unmatched: [errors]}`; unmatched errors go to a summary.
 */
export function placeErrors(errors, hasTarget) {
  const placed = new Map();
  const unmatched = [];
  for (const error of errors ?? []) {
    const target = error.field ? ancestors(error.field).find(hasTarget) : undefined;
    if (target === undefined) {
      unmatched.push(error);
    } else {
      placed.set(target, [...(placed.get(target) ?? []), error.message]);
    }
  }
  return { placed, unmatched };
}

const STEP_WORDS = { freelancer_id: "freelancer", freelancer_ids: "freelancers" };

/** Return a path as a person reads it: "milestones[1].amount" -> "Milestones 2, amount". */
export function describePath(path) {
  if (!path || path === "(body)") return "The request";
  const words = [];
  for (const step of parsePath(path)) {
    if (typeof step === "number") words[words.length - 1] += ` ${step + 1}`;
    else words.push(STEP_WORDS[step] ?? step.replaceAll("_", " "));
  }
  const text = words.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Where the API's words for a contract's freelancer name its fields as a program does: said as a person would.
// Only these whole phrases: a name quoted in a message (a template's tag, an import's header) stays as it is.
const API_WORDS = [
  [/\bthere is no freelancer '[^']*' in the roster/g, "this freelancer is no longer on the roster: pick them again"],
  [/\bgive either freelancer or freelancer_id, not both/g, "pick a freelancer from the roster or type their details, not both"],
  [/\(or a freelancer_id from the roster\)/g, "(or a freelancer from the roster)"],
  [/, or give freelancer_id\b/g, ", or pick one from the roster"],
];

/** Return an API message as a person reads it: the phrases naming the API's fields said in words. */
export function inWords(message) {
  return API_WORDS.reduce((text, [pattern, words]) => text.replace(pattern, words), String(message ?? ""));
}
