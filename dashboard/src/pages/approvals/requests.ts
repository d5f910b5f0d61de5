import type { WorkflowRequestCardFragment } from "../../api/generated";
import { formatMoney } from "../../format/money";

export type Card = WorkflowRequestCardFragment;

export const OPEN_STATUSES: ReadonlySet<string> = new Set(["PENDING", "AWAITING_ADMIN"]);

export interface Lists {
  open: Card[];
  decided: Card[];
}

function newestFirst(a: Card, b: Card): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/**
 * Folds one request as it is now (from a subscription event or a mutation's answer) into the
 * page's lists. An older version than the one shown is ignored (events may arrive out of order).
 */
export function applyUpdate(lists: Lists, update: Card, decidedLimit = 20): Lists {
  const shown = [...lists.open, ...lists.decided].find((c) => c.id === update.id);
  if (shown && shown.version > update.version) return lists;
  const open = lists.open.filter((c) => c.id !== update.id);
  const decided = lists.decided.filter((c) => c.id !== update.id);
  if (OPEN_STATUSES.has(update.status)) {
    open.push(update);
    open.sort(newestFirst);
  } else {
    decided.unshift(update);
    decided.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }
  return { open, decided: decided.slice(0, decidedLimit) };
}

/** What the request asks for, in words. */
export function describeChange(r: Card): string {
  switch (r.kind) {
    case "PROVISION":
      return `Provision ${r.instanceCount ?? 1} × ${r.instanceType ?? "?"}${r.region ? ` in ${r.region}` : ""}`;
    case "RESIZE":
      return `Resize ${r.resource?.name ?? r.resourceRef ?? "a resource"} from ${r.currentType ?? "?"} to ${r.instanceType ?? "?"}`;
    case "TERMINATE":
      return `Terminate ${r.resource?.name ?? r.resourceRef ?? "a resource"}${r.currentType ? ` (${r.currentType})` : ""}`;
    case "BUDGET_CHANGE":
      return `Set the monthly budget to ${r.budget ? formatMoney(r.budget.amount, r.budget.currency) : "?"}`;
    default:
      return r.kind;
  }
}

const STATUS_TEXT: Record<string, string> = {
  PENDING: "Waiting for a manager",
  AWAITING_ADMIN: "Waiting for an admin",
  APPROVED: "Approved",
  REJECTED: "Rejected",
  CANCELLED: "Cancelled",
};

export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status;
}

/** Short, stable label of a request for headings and announcements. */
export function requestLabel(r: Card): string {
  return `${r.kind.replace("_", " ").toLowerCase()} by ${r.requester}`;
}
