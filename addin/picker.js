// The freelancer picker: a combobox that searches the roster as you type (debounced) and a listbox
// of matches chosen with the arrow keys and Enter, or the mouse (WAI-ARIA combobox pattern).

import { idOf } from "./forms.js";
import { formatMoney } from "./money.js";

/** Return "Angstrom Design LLC · $85.00/hour" for a roster freelancer (the parts it has). */
export function describeFreelancer(freelancer, locale = "en-US") {
  const parts = [];
  if (freelancer.business_name) parts.push(freelancer.business_name);
  if (freelancer.rate != null && freelancer.currency) {
    parts.push(formatMoney(freelancer.rate, freelancer.currency, locale) + (freelancer.rate_unit ? `/${freelancer.rate_unit}` : ""));
  } else if (freelancer.currency) {
    parts.push(freelancer.currency);
  }
  return parts.join(" · ");
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((word) => word[0].toUpperCase()).join("");
}

/**
 * Build a picker in `slot` from the #tpl-picker template.
 * `search(q, {signal})` returns freelancers; `onPick(freelancer | null)` hears each choice.
 * With `multiple`, the search stays open after a pick (each pick adds a line).
 * Return `{pick(freelancer), clear(), input}`.
 */
export function createPicker(slot, { search, onPick, label = "Freelancer", multiple = false, delay = 250 }) {
  const doc = slot.ownerDocument;
  slot.replaceChildren(doc.getElementById("tpl-picker").content.firstElementChild.cloneNode(true));
  const root = slot.firstElementChild;
  const input = root.querySelector("[role=combobox]");
  const listbox = root.querySelector("[role=listbox]");
  const status = root.querySelector(".picker-status");
  const picked = root.querySelector(".picked");
  const labelElement = root.querySelector("[data-picker-label]");
  labelElement.textContent = label;
  labelElement.htmlFor = idOf(input, "picker");
  input.setAttribute("aria-controls", idOf(listbox, "listbox"));
  listbox.setAttribute("aria-label", `${label}: matches`);

  let results = [];
  let active = -1;
  let timer = null;
  let pending = null;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const options = [...listbox.children];
    active = options.length ? (index + options.length) % options.length : -1;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView?.({ block: "nearest" });
    }
  }

  function render(query) {
    listbox.replaceChildren(...results.map((freelancer, i) => {
      const option = doc.createElement("li");
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.id = `${listbox.id}-${i}`;
      const name = doc.createElement("span");
      name.className = "option-name";
      name.textContent = freelancer.name;
      const meta = doc.createElement("span");
      meta.className = "option-meta";
      meta.textContent = describeFreelancer(freelancer);
      option.append(name, meta);
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(i));
      return option;
    }));
    const open = results.length > 0;
    listbox.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    active = -1;
    input.removeAttribute("aria-activedescendant");
    status.textContent = open
      ? `${results.length} ${results.length === 1 ? "match" : "matches"}: use the arrow keys and Enter to choose.`
      : `No active freelancer on the roster matches “${query}”.`;
  }

  async function lookUp(query) {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    status.textContent = "Searching the roster…";
    try {
      results = await search(query, { signal: controller.signal });
    } catch (error) {
      if (error?.name === "AbortError") return;
      results = [];
      close();
      status.textContent = error.message;
      return;
    }
    if (pending === controller && input.value.trim() === query) render(query);
  }

  function choose(index) {
    const freelancer = results[index];
    if (!freelancer) return;
    close();
    if (multiple) {
      input.value = "";
      status.textContent = `Added ${freelancer.name}.`;
    } else {
      show(freelancer);
    }
    onPick(freelancer);
  }

  function show(freelancer) {
    root.querySelector(".avatar").textContent = initials(freelancer.name);
    root.querySelector(".picked-name").textContent = freelancer.name;
    root.querySelector(".picked-meta").textContent = describeFreelancer(freelancer);
    root.querySelector("[data-picked-email]").textContent = freelancer.email ?? "";
    picked.hidden = false;
    root.querySelector(".combo").hidden = true;
    labelElement.hidden = true;
    // Said to screen readers; the card shows it to everyone else.
    status.classList.add("visually-hidden");
    status.textContent = `${freelancer.name} chosen.`;
  }

  function clear({ focus = false } = {}) {
    picked.hidden = true;
    root.querySelector(".combo").hidden = false;
    labelElement.hidden = false;
    input.value = "";
    results = [];
    close();
    status.classList.remove("visually-hidden");
    status.textContent = "";
    if (focus) input.focus();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (!query) {
      pending?.abort();
      results = [];
      close();
      status.textContent = "";
      return;
    }
    timer = setTimeout(() => lookUp(query), delay);
  });

  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open && results.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      highlight(active + (event.key === "ArrowDown" ? 1 : active < 0 ? 0 : -1));
    } else if (event.key === "Enter") {
      // Enter in the search never submits the form.
      event.preventDefault();
      if (open) choose(active >= 0 ? active : results.length === 1 ? 0 : -1);
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else if (input.value) {
        input.value = "";
      }
    }
  });

  input.addEventListener("blur", () => close());
  root.querySelector("[data-change]").addEventListener("click", () => {
    clear({ focus: true });
    onPick(null);
  });

  return { pick: show, clear, input };
}
