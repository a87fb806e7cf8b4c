// Money as the API has it: decimal strings ("4750.50"), added and multiplied exactly (BigInt
// millionths, never floating point), shown in the currency's own format.

const DIGITS = 6;
const ONE = 10n ** BigInt(DIGITS);

/** Return a decimal string as millionths (BigInt), or null when it is not a plain positive decimal. */
export function parseAmount(text) {
  const match = /^\s*(\d{1,15})(?:\.(\d{0,6}))?\s*$/.exec(text ?? "");
  if (!match) return null;
  return BigInt(match[1]) * ONE + BigInt((match[2] ?? "").padEnd(DIGITS, "0"));
}

/** Return millionths as a decimal string without trailing zeros: 4750500000n -> "4750.5". */
export function amountText(micros) {
  const sign = micros < 0n ? "-" : "";
  const size = micros < 0n ? -micros : micros;
  const fraction = (size % ONE).toString().padStart(DIGITS, "0").replace(/0+$/, "");
  return `${sign}${size / ONE}${fraction ? "." + fraction : ""}`;
}

/** Return the product of two amounts in millionths (exact for up to six decimal places in all). */
export function multiply(a, b) {
  return (a * b) / ONE;
}

/** Return `amount` (millionths or a decimal string) in `currency`'s format, e.g. "$12,250.50". */
export function formatMoney(amount, currency, locale = "en-US") {
  const text = typeof amount === "bigint" ? amountText(amount) : String(amount);
  try {
    // A string keeps every digit: Intl formats it as an exact decimal.
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(text);
  } catch {
    return currency ? `${text} ${currency}` : text;
  }
}

/**
 * Return how a fee stands against its milestones: `{tone, text}` with tone "ok", "warn" or "none".
 * `fee` holds the form's strings (model, currency, amount, rate, estimated_units, cap).
 */
export function feeSummary(fee, milestoneAmounts, locale = "en-US") {
  const money = (value) => formatMoney(value, fee.currency, locale);
  const amounts = milestoneAmounts.map(parseAmount).filter((value) => value !== null);
  const scheduled = amounts.reduce((total, value) => total + value, 0n);
  if (fee.model === "fixed") {
    const amount = parseAmount(fee.amount);
    if (amount === null) return { tone: "none", text: `Milestones add up to ${money(scheduled)}. Enter the fixed fee.` };
    if (scheduled === amount) return { tone: "ok", text: `Fixed fee ${money(amount)}: the milestones add up to it.` };
    const gap = amount - scheduled;
    return {
      tone: "warn",
      text: `Fixed fee ${money(amount)}; milestones add up to ${money(scheduled)} ` +
        (gap > 0n ? `(${money(gap)} still to schedule).` : `(${money(-gap)} over the fee).`),
    };
  }
  const rate = parseAmount(fee.rate);
  const units = parseAmount(fee.estimated_units);
  if (rate === null || units === null) return { tone: "none", text: "Enter the rate and the estimated units to see the total." };
  const unit = fee.model === "daily" ? "days" : "hours";
  const estimate = multiply(rate, units);
  let text = `Estimated ${amountText(units)} ${unit} × ${money(rate)} = ${money(estimate)}`;
  const cap = parseAmount(fee.cap);
  if (cap !== null && cap < estimate) return { tone: "warn", text: `${text}, above the cap of ${money(cap)}.` };
  if (cap !== null) text += ` (cap ${money(cap)})`;
  if (cap !== null && scheduled > cap) return { tone: "warn", text: `${text}; milestones add up to ${money(scheduled)}, above the cap.` };
  return { tone: "ok", text: `${text}.` };
}
