// The statement of work view: the contract form plus the fee model and its running total.

import { feeSummary } from "../money.js";
import { mountContract } from "./contract.js";

export function mountSow(section, env) {
  const form = section.querySelector("form");
  const model = form.querySelector("[data-fee-model]");
  const currency = form.elements["fee.currency"];
  const total = form.querySelector("[data-fee-total]");

  function showFeeFields() {
    const fixed = model.value === "fixed";
    for (const group of form.querySelectorAll("[data-fee]")) {
      const shown = (group.dataset.fee === "fixed") === fixed;
      group.hidden = !shown;
      group.disabled = !shown;
    }
    form.querySelector("[data-fee=rate] [data-units-label]").textContent = model.value === "daily" ? "Estimated days" : "Estimated hours";
  }

  function updateTotal() {
    const value = (name) => form.elements[name]?.value ?? "";
    const fee = { model: model.value, currency: currency.value.trim().toUpperCase(), amount: value("fee.amount"),
      rate: value("fee.rate"), estimated_units: value("fee.estimated_units"), cap: value("fee.cap") };
    const amounts = [...form.querySelectorAll("[data-milestone-amount]")].map((input) => input.value);
    const locale = form.elements.locale?.value || "en-US";
    const summary = feeSummary(fee, amounts, locale);
    total.textContent = fee.currency.length === 3 ? summary.text : "Enter the currency to see the total.";
    total.dataset.tone = fee.currency.length === 3 ? summary.tone : "none";
  }

  const { lists } = mountContract(form, env, {
    template: () => "sow",
    needsNda: true,
    onInput: updateTotal,
    onFreelancer(freelancer) {
      if (!freelancer) return;
      if (!currency.value && freelancer.currency) currency.value = freelancer.currency;
      const rate = form.elements["fee.rate"];
      if (model.value !== "fixed" && !rate.value && freelancer.rate != null) rate.value = freelancer.rate;
      updateTotal();
    },
  });
  lists.milestones.add();
  model.addEventListener("change", () => {
    showFeeFields();
    updateTotal();
  });
  showFeeFields();
  updateTotal();
}
