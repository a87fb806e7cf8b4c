// The "Freelancer details" view (Word): refill the freelancer fields of the open contract.

import { createPicker } from "../picker.js";
import { refillFreelancer } from "../word.js";
import { setStatus, whileBusy } from "../ui.js";

export function mountDetails(section, env) {
  const form = section.querySelector("form");
  if (env.host !== "word") {
    form.hidden = true;
    section.querySelector("[data-host-missing]").hidden = false;
    return;
  }
  const status = form.querySelector("[data-status]");
  const button = form.querySelector("[data-action=refill]");
  let chosen = null;
  const picker = createPicker(form.querySelector("[data-slot=freelancer-roster]"), {
    label: "Freelancer in this contract",
    search: env.api.searchFreelancers,
    onPick(freelancer) {
      chosen = freelancer;
      setStatus(status, "");
    },
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!chosen) {
      setStatus(status, "Choose the freelancer first: search the roster above.", "error");
      picker.input.focus();
      return;
    }
    whileBusy(button, async () => {
      setStatus(status, "Updating the document…", "busy");
      try {
        const freelancer = await env.api.freelancer(chosen.id);
        const result = await env.Word.run((context) => refillFreelancer(context, freelancer));
        setStatus(status, ...outcome(result, freelancer));
      } catch (error) {
        setStatus(status, `Nothing was changed: ${error.message}`, "error");
      }
    });
  });
}

/** Return [text, tone] saying what a refill did. */
export function outcome(result, freelancer) {
  if (result.controls === 0 && result.keptAsIs.length === 0) {
    return ["This document has no freelancer fields to update. Generate the contract with the toolkit first: " +
      "its freelancer details are tagged so they can be refilled.", "error"];
  }
  const names = result.fields.map((tag) => tag.slice("freelancer.".length).replaceAll("_", " "));
  let text = `Updated ${result.controls} ${result.controls === 1 ? "field" : "fields"} with ${freelancer.name}'s details` +
    (names.length ? ` (${names.join(", ")}).` : ".");
  if (result.keptAsIs.length) {
    const kept = result.keptAsIs.map((tag) => tag.slice("freelancer.".length).replaceAll("_", " "));
    text += ` Left as they were, since the roster has no value: ${kept.join(", ")}.`;
  }
  return [text, "ok"];
}
