import { describe, expect, it } from "vitest";
import { applyUpdate, describeChange, type Card } from "./requests";

function card(id: string, status: string, version: number, createdAt = "2026-11-01T00:00:00Z"): Card {
  return {
    id,
    kind: "PROVISION",
    status,
    version,
    tenantOuId: "ou-a",
    requester: "devops@example.com",
    requesterRole: "DEVOPS",
    justification: null,
    createdAt,
    updatedAt: `2026-11-0${version}T00:00:00Z`,
    instanceType: "m6i.large",
    instanceCount: 2,
    region: "us-east-1",
    currentType: null,
    resourceRef: null,
    resource: null,
    budget: null,
    costImpact: {
      currentMonthlyCost: { amount: "0", currency: "USD" },
      proposedMonthlyCost: { amount: "140.16", currency: "USD" },
      monthlyDelta: { amount: "140.16", currency: "USD" },
      priceSource: "CATALOG",
    },
    approvalThreshold: { amount: "1000", currency: "USD" },
    needsAdminApproval: false,
    decisions: [],
    recommendationId: null,
    viewerCanDecide: true,
    viewerCanCancel: false,
  } as Card;
}

describe("applyUpdate", () => {
  it("moves a decided request from open to decided", () => {
    const lists = { open: [card("1", "PENDING", 1), card("2", "PENDING", 1, "2026-11-02T00:00:00Z")], decided: [] };
    const next = applyUpdate(lists, card("1", "APPROVED", 2));
    expect(next.open.map((c) => c.id)).toEqual(["2"]);
    expect(next.decided.map((c) => [c.id, c.status])).toEqual([["1", "APPROVED"]]);
  });
  it("adds a new open request, newest first", () => {
    const next = applyUpdate({ open: [card("1", "PENDING", 1)], decided: [] }, card("9", "PENDING", 1, "2026-11-09T00:00:00Z"));
    expect(next.open.map((c) => c.id)).toEqual(["9", "1"]);
  });
  it("ignores an event older than what is shown", () => {
    const lists = { open: [], decided: [card("1", "APPROVED", 3)] };
    expect(applyUpdate(lists, card("1", "PENDING", 1))).toBe(lists);
  });
  it("keeps AWAITING_ADMIN among the open ones", () => {
    const next = applyUpdate({ open: [card("1", "PENDING", 1)], decided: [] }, card("1", "AWAITING_ADMIN", 2));
    expect(next.open.map((c) => c.status)).toEqual(["AWAITING_ADMIN"]);
  });
});

describe("describeChange", () => {
  it("says what a provision asks for", () => {
    expect(describeChange(card("1", "PENDING", 1))).toBe("Provision 2 × m6i.large in us-east-1");
  });
});
