// Can this browser run the pane? A classic script, loaded from <head> before the pane's module
// script, and written in ES5 only (var and function; no arrow functions, template strings,
// let/const, classes or spread) so that it parses where the pane cannot.
//
// Volume-licensed Office 2016 and 2019 on Windows show add-ins in Internet Explorer 11 (Trident)
// or in the original Microsoft Edge (EdgeHTML 18). Neither runs the pane: IE 11 has no module
// scripts, and EdgeHTML cannot parse `?.`, `??` or `??=`, so the module never starts and the
// pane would say "Loading the toolkit…" forever. Where the checks below fail, the loading
// message is replaced with a message saying what to use instead.
//
// The checks stand for the syntax and the calls the pane uses: module scripts ('noModule' in
// HTMLScriptElement.prototype), Promise.allSettled, String.prototype.replaceAll and
// Element.prototype.replaceChildren. A browser with all of them (Chrome and Edge 86+, Safari 14+)
// also parses `?.`, `??` and `??=`; IE 11 and EdgeHTML 18 have none of them.
//
// The message is an element of its own that takes the place of #loading: the module, should it
// ever start here, finds no #loading to remove or to write its failure into.

(function (window, document) {
  "use strict";

  function has(object, name) {
    return Boolean(object) && typeof object[name] === "function";
  }

  function canRunThePane() {
    try {
      return Boolean(window.HTMLScriptElement) && "noModule" in window.HTMLScriptElement.prototype &&
        has(window.Promise, "allSettled") &&
        has(window.String && window.String.prototype, "replaceAll") &&
        has(window.Element && window.Element.prototype, "replaceChildren");
    } catch (error) {
      return false;
    }
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.appendChild(document.createTextNode(text));
    return p;
  }

  function showUnsupported() {
    var loading = document.getElementById("loading");
    if (!loading || !loading.parentNode || document.getElementById("unsupported")) return;
    var message = document.createElement("div");
    message.id = "unsupported";
    message.className = "banner";
    message.setAttribute("data-tone", "warn");
    message.setAttribute("data-unsupported", "");
    message.setAttribute("role", "alert");
    var title = document.createElement("strong");
    title.appendChild(document.createTextNode("This version of Office can't run the Freelance Toolkit."));
    message.appendChild(title);
    message.appendChild(paragraph(
      "It shows add-ins in an old browser engine (Internet Explorer or the original Microsoft Edge), " +
      "which the toolkit doesn't support."));
    message.appendChild(paragraph(
      "Use Word or Excel with a Microsoft 365 subscription (they show add-ins with Microsoft Edge WebView2), " +
      "Office on the web, or Office on Mac."));
    message.appendChild(paragraph("Not sure which Office you have, or can't change it? Ask your IT department."));
    loading.parentNode.replaceChild(message, loading);
    // The heading said "Getting ready…", which would stay there for good.
    var heading = document.getElementById("view-title");
    if (heading) heading.textContent = "Not available in this Office";
  }

  if (canRunThePane()) return;
  // Said at once, for the module (should it start) to see before the page has loaded.
  document.documentElement.setAttribute("data-cannot-run", "");
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showUnsupported);
  } else {
    showUnsupported();
  }
})(window, document);
