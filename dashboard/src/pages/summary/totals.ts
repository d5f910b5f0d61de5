import { sumDecimals } from "../../format/decimal";

export interface Amount {
  amount: string;
  currency: string;
}

/** Adds amounts per currency, exactly; currencies in order of first appearance. */
export function totalsByCurrency(amounts: readonly Amount[]): Amount[] {
  const groups = new Map<string, string[]>();
  for (const a of amounts) {
    const list = groups.get(a.currency) ?? [];
    list.push(a.amount);
    groups.set(a.currency, list);
  }
  return [...groups].map(([currency, list]) => ({ currency, amount: sumDecimals(list) }));
}
