// The NDA view: the contract form, mutual or one-way (then: which party discloses).

import { mountContract } from "./contract.js";

export function mountNda(section, env) {
  const form = section.querySelector("form");
  const discloser = form.querySelector("[data-discloser]");
  const kind = () => form.querySelector("input[name=nda_kind]:checked").value;

  function showKind() {
    const oneWay = kind() === "nda-one-way";
    discloser.hidden = !oneWay;
    discloser.disabled = !oneWay;
  }

  const { limits } = mountContract(form, env, {
    template: kind,
    // Editing a recorded NDA: its kind first, for the form to show its fields.
    onEdit(record) {
      const chosen = form.querySelector(`input[name=nda_kind][value="${record.template}"]`);
      if (chosen) chosen.checked = true;
      showKind();
    },
  });
  form.querySelector("[data-nda-kind]").addEventListener("change", () => {
    showKind();
    limits.refresh();
  });
  showKind();
}
