// support.js, the classic script that runs before the pane's module: in a browser that can run the
// pane it does nothing; in one that cannot (Internet Explorer 11, EdgeHTML: the webviews of
// volume-licensed Office 2016/2019) the "Loading the toolkit" message becomes one saying what to use.
// The real taskpane.html in jsdom, with support.js loaded from its <script src> as a browser would.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSDOM, ResourceLoader } from "jsdom";

const HTML = readFileSync(new URL("../taskpane.html", import.meta.url), "utf8");
const SUPPORT = readFileSync(new URL("../support.js", import.meta.url));

// What the pane uses that IE 11 and EdgeHTML 18 lack; jsdom has all but `noModule`.
const FEATURES = {
  noModule: (window) => window.HTMLScriptElement.prototype,
  allSettled: (window) => window.Promise,
  replaceAll: (window) => window.String.prototype,
  replaceChildren: (window) => window.Element.prototype,
};

/** Serves /addin/support.js and nothing else (office.js is not loaded; jsdom runs no module scripts). */
class PaneFiles extends ResourceLoader {
  constructor() {
    super();
    this.asked = [];
  }

  fetch(url) {
    const path = new URL(url).pathname;
    this.asked.push(path);
    return path === "/addin/support.js" ? Promise.resolve(SUPPORT) : null;
  }
}

/** Load the pane in a browser that has every feature but `missing`; resolve once support.js has run. */
async function pane(missing = []) {
  const resources = new PaneFiles();
  const dom = new JSDOM(HTML, {
    url: "https://localhost:3000/taskpane.html?view=sow",
    runScripts: "dangerously",
    resources,
    beforeParse(window) {
      // A modern browser: module scripts exist (jsdom itself runs none, so it lacks the property).
      Object.defineProperty(window.HTMLScriptElement.prototype, "noModule", {
        configurable: true, get() { return false; }, set() {},
      });
      for (const name of missing) {
        const holder = FEATURES[name](window);
        assert.ok(name in holder, `jsdom has ${name} to take away`);
        delete holder[name];
      }
    },
  });
  await new Promise((resolve) => dom.window.addEventListener("load", resolve));
  assert.deepEqual(resources.asked.filter((path) => path === "/addin/support.js"), ["/addin/support.js"]);
  return dom.window;
}

function assertUnsupported(window) {
  const { document } = window;
  assert.equal(document.getElementById("loading"), null, "the loading message is gone");
  const message = document.getElementById("unsupported");
  assert.ok(message, "a message takes its place");
  assert.equal(message.parentElement, document.getElementById("main"));
  assert.equal(message.getAttribute("role"), "alert");
  assert.ok(message.hasAttribute("data-unsupported"));
  const text = message.textContent;
  assert.match(text, /can't run the Freelance Toolkit/);
  assert.match(text, /old browser engine/);
  assert.match(text, /Microsoft 365 subscription/);
  assert.match(text, /WebView2/);
  assert.match(text, /Office on the web/);
  assert.match(text, /Office on Mac/);
  assert.match(text, /IT department/);
  assert.doesNotMatch(text, /Loading/);
  assert.equal(document.getElementById("view-title").textContent, "Not available in this Office");
  assert.equal(document.querySelectorAll("[data-unsupported]").length, 1);
}

test("taskpane.html loads support.js first, as a classic script that blocks, before the module", () => {
  const { document } = new JSDOM(HTML).window;
  const scripts = [...document.head.querySelectorAll("script")];
  const support = scripts.findIndex((script) => script.getAttribute("src") === "/addin/support.js");
  const module = scripts.findIndex((script) => script.type === "module");
  assert.equal(support, 0, "support.js is the first script");
  assert.ok(module > support, "the module script comes after it");
  const tag = scripts[support];
  assert.ok(!tag.hasAttribute("type") && !tag.async && !tag.defer && !tag.noModule, tag.outerHTML);
});

test("in a browser that has what the pane uses, support.js leaves the loading message alone", async () => {
  const window = await pane();
  const { document } = window;
  assert.equal(document.getElementById("loading").textContent, "Loading the toolkit…");
  assert.equal(document.getElementById("unsupported"), null);
  assert.equal(document.querySelector("[data-unsupported]"), null);
  assert.ok(!document.documentElement.hasAttribute("data-cannot-run"));
  assert.equal(document.getElementById("view-title").textContent, "Getting ready…");
});

test("in Internet Explorer 11 (none of it) the loading message becomes one saying what to use", async () => {
  const window = await pane(Object.keys(FEATURES));
  assertUnsupported(window);
  assert.ok(window.document.documentElement.hasAttribute("data-cannot-run"), "the module, should it start, stops (taskpane.js)");
});

test("in EdgeHTML 18 (module scripts, but neither allSettled, replaceAll nor replaceChildren) too", async () => {
  assertUnsupported(await pane(["allSettled", "replaceAll", "replaceChildren"]));
});

for (const name of Object.keys(FEATURES)) {
  test(`a browser without ${name} alone is told too`, async () => {
    assertUnsupported(await pane([name]));
  });
}

test("the module's own failure handler cannot overwrite the message: there is no #loading left", async () => {
  const window = await pane(Object.keys(FEATURES));
  // What taskpane.js does when start() fails (it does not parse in IE 11 or EdgeHTML, but if it ran):
  const loading = window.document.getElementById("loading");
  if (loading) loading.textContent = "The toolkit could not start: …";
  assertUnsupported(window);
});

test("run from <head> while the page is still being parsed, support.js waits for #loading", async () => {
  // As in a browser, the script runs before <body> exists. jsdom runs inline scripts while it parses
  // (the real page has none: its CSP forbids them), so here support.js is inlined where it is loaded.
  const inline = HTML.replace('<script src="/addin/support.js"></script>',
    () => `<script>window.loadingWhenRun = document.getElementById("loading");\n${SUPPORT}</script>`);
  assert.notEqual(inline, HTML);
  const { window } = new JSDOM(inline, {
    runScripts: "dangerously",
    beforeParse(window) {
      delete window.Promise.allSettled;
    },
  });
  assert.equal(window.loadingWhenRun, null, "support.js ran before #loading was parsed");
  await new Promise((resolve) => window.addEventListener("load", resolve));
  assertUnsupported(window);
});

test("run once the page has loaded (the DOM already there), support.js replaces the message at once", async () => {
  const { window } = new JSDOM(HTML, { runScripts: "outside-only" });
  await new Promise((resolve) => window.addEventListener("load", resolve));
  delete window.Promise.allSettled;
  assert.equal(window.document.readyState, "complete");
  window.eval(SUPPORT.toString());
  assertUnsupported(window);
  window.eval(SUPPORT.toString());
  assert.equal(window.document.querySelectorAll("#unsupported").length, 1, "a second run adds nothing");
});

test("support.js is ES5: no let/const, arrow functions, template strings, classes, spread or ?. ??", () => {
  const code = SUPPORT.toString()
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
  for (const [what, pattern] of [
    ["let/const", /\b(?:let|const)\b/],
    ["an arrow function", /=>/],
    ["a template string", /`/],
    ["a class", /\bclass\b/],
    ["async/await", /\b(?:async|await)\b/],
    ["for…of", /\bfor\s*\([^)]*\bof\b/],
    ["spread or rest", /\.\.\./],
    ["optional chaining or ??", /\?\.|\?\?/],
    ["an import or export", /^\s*(?:import|export)\b/m],
  ]) {
    assert.doesNotMatch(code, pattern, `support.js has ${what}`);
  }
});
