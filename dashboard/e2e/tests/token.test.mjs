// The dashboard in the embedded (paste-a-token) mode against the demo organisation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { axeViolations, launchBrowser, newSession, watchedPage } from "../support/browser.mjs";
import { graphql } from "../support/server.mjs";
import { assertNoProblems, demoContext, openPage } from "./context.mjs";

const demo = demoContext();
const { url, tokens } = demo;
const A = demo.devopsTenant;
let browser;
let tenants; // every tenant, as the admin sees them: [{ ouId, name }]
let B; // a tenant the DevOps user of A may not see

const MONEY = /\$\d{1,3}(,\d{3})*\.\d\d/;

before(async () => {
  browser = await launchBrowser();
  const data = await graphql(url, tokens.admin, "{ tenants(first: 100) { edges { node { ouId name } } } }");
  tenants = data.tenants.edges.map((e) => e.node);
  B = tenants.find((t) => t.ouId !== A);
  assert.ok(B, "the demo has a second tenant");
});

after(async () => {
  await browser?.close();
});

async function session(token, options) {
  const context = await newSession(browser, { token, ...options });
  const watched = await watchedPage(context);
  return { context, ...watched };
}

describe("signing in with a pasted token", () => {
  it("sends a signed-out visitor to the sign-in page and back, signed in", async () => {
    const s = await session();
    try {
      await s.page.goto(`${url}/tenants/${A}`);
      await s.page.waitForURL(/\/signin\?returnTo=/);
      const field = s.page.getByLabel("Access token");
      await field.fill("not a token");
      await s.page.getByRole("button", { name: "Sign in" }).click();
      await s.page.getByRole("alert").filter({ hasText: "JSON Web Token" }).waitFor();
      // Exactly the line the demo prints.
      await field.fill(demo.printed.devops);
      await s.page.getByRole("button", { name: "Sign in" }).click();
      await s.page.waitForURL(`${url}/tenants/${A}`);
      await s.page.locator('[data-testid="finops"][data-drawn="true"]').waitFor();
      assert.deepEqual(await axeViolations(s.page), []);
      await s.page.getByRole("button", { name: "Sign out" }).click();
      await s.page.waitForURL(/\/signin/);
      await assertNoProblems(s);
    } finally {
      await s.context.close();
    }
  });
});

describe("each page renders real data, in one request", () => {
  let s;
  before(async () => {
    s = await session(tokens.admin);
  });
  after(async () => s.context.close());

  it("Summary lists every tenant with cost, trend, budget, savings and requests", async () => {
    await openPage(s, url, "/");
    const rows = s.page.locator("tbody tr[data-tenant]");
    assert.equal(await rows.count(), tenants.length);
    const first = rows.first();
    assert.match(await first.locator("td").first().innerText(), MONEY);
    assert.equal(await first.locator(".sparkline path.sparkline-line").count(), 1);
    assert.match(await s.page.getByTestId("summary-total").innerText(), MONEY);
    assert.deepEqual(s.graphqlOps, ["Summary"]);
    assert.deepEqual(await axeViolations(s.page), []);
    await assertNoProblems(s);
  });

  it("Tenant FinOps draws the trend and every breakdown", async () => {
    await openPage(s, url, `/tenants/${A}`);
    assert.ok(await s.page.locator('[data-testid="finops"] .chart .recharts-line-curve').count() >= 2);
    // The forecast band after the last actual day, with its interval level in the legend and caption.
    const trend = s.page.locator('[data-testid="finops"] .chart[data-forecast-level]');
    const level = await trend.getAttribute("data-forecast-level");
    assert.match(level, /^(80|95)$/);
    assert.equal(await trend.locator(".recharts-area-area").count(), 1, "the forecast band is drawn");
    assert.match(await trend.locator(".recharts-legend-wrapper").innerText(), new RegExp(`Forecast interval \\(${level} %\\)`));
    assert.match(await s.page.getByTestId("finops-forecast").innerText(), new RegExp(`${level} % prediction interval`));
    for (const id of ["by-service", "by-account", "by-region", "by-tag"]) {
      assert.ok((await s.page.locator(`[data-testid="${id}"] tbody tr`).count()) > 0, `${id} has rows`);
    }
    assert.match(await s.page.locator('[data-testid="by-service"] tbody tr td').first().innerText(), MONEY);
    assert.match(await s.page.getByTestId("finops-total").innerText(), MONEY);
    const mark = await s.page.evaluate(() => performance.getEntriesByName("finops-drawn").length);
    assert.equal(mark, 1, "the page marks when it is drawn");
    assert.deepEqual(s.graphqlOps, ["TenantFinops"]);
    assert.deepEqual(await axeViolations(s.page), []);

    // Another month: the same document with its period.
    const picker = s.page.getByLabel("Month", { exact: true });
    const previous = await picker.locator("option").nth(1);
    const [value, label] = [await previous.getAttribute("value"), await previous.innerText()];
    await picker.selectOption(value);
    await s.page.waitForURL(new RegExp(`month=${value}`));
    await s.page.getByTestId("finops-total").filter({ hasText: label }).waitFor();
    await s.page.locator('[data-testid="finops"][data-drawn="true"]').waitFor();
    assert.match(await s.page.getByTestId("finops-total").innerText(), MONEY);
    assert.deepEqual(s.graphqlOps, ["TenantFinops", "TenantFinops"]);
    await assertNoProblems(s);
  });

  it("Pending approvals shows the demo's requests with their cost impact", async () => {
    await openPage(s, url, `/tenants/${A}/approvals`);
    const open = s.page.locator('[data-testid="open-requests"] article');
    assert.ok((await open.count()) >= 1);
    assert.match(await open.first().innerText(), MONEY);
    assert.ok((await s.page.locator('[data-testid="decided-requests"] article').count()) >= 1);
    await s.page.locator('[data-live="live"]').waitFor();
    assert.deepEqual(s.graphqlOps, ["PendingApprovals"]);
    assert.deepEqual(await axeViolations(s.page), []);
    await assertNoProblems(s);
  });

  it("Report previews the month's figures", async () => {
    await openPage(s, url, `/tenants/${A}/report`);
    assert.match(await s.page.getByTestId("report-total").innerText(), MONEY);
    assert.ok((await s.page.locator('[data-testid="report"] table tbody tr').count()) > 0);
    assert.deepEqual(s.graphqlOps, ["Report"]);
    assert.deepEqual(await axeViolations(s.page), []);
    await assertNoProblems(s);
  });

  it("Inventory lists resources with cost, utilisation and recommendations", async () => {
    await openPage(s, url, `/tenants/${A}/inventory`);
    const rows = s.page.locator(".inventory-table tbody tr[data-resource-id]");
    const total = Number((await s.page.locator(".pager span").first().innerText()).match(/\d+/)[0]);
    assert.ok(total > 0);
    assert.equal(await rows.count(), Math.min(25, total));
    assert.match(await rows.first().innerText(), MONEY);
    assert.ok((await s.page.locator(".inventory-table .recommendation .badge").count()) > 0);
    assert.match(await s.page.getByTestId("savings-total").innerText(), MONEY);
    assert.deepEqual(s.graphqlOps, ["Inventory"]);
    assert.deepEqual(await axeViolations(s.page), []);
    await assertNoProblems(s);
  });
});

describe("tenant isolation", () => {
  it("a DevOps user of tenant A never sees tenant B", async () => {
    const s = await session(tokens.devops);
    try {
      await openPage(s, url, "/");
      const shown = await s.page.locator("tbody tr[data-tenant]").evaluateAll((rows) => rows.map((r) => r.dataset.tenant));
      assert.deepEqual(shown, [A]);
      for (const section of ["", "/approvals", "/report", "/inventory"]) {
        await openPage(s, url, `/tenants/${B.ouId}${section}`, { drawn: false });
        await s.page.getByRole("alert").filter({ hasText: "No tenant" }).waitFor();
        const text = await s.page.locator("main").innerText();
        assert.ok(!text.includes(B.name), `B's name is not shown on ${section || "/"}`);
        assert.equal(await s.page.locator('[data-drawn="true"]').count(), 0);
      }
      await assertNoProblems(s);
    } finally {
      await s.context.close();
    }
  });
});

describe("inventory", () => {
  it("filters, sorts and pages; opens a request from a recommendation", async () => {
    const s = await session(tokens.devops);
    try {
      await openPage(s, url, `/tenants/${A}/inventory?size=10`);
      const rows = s.page.locator(".inventory-table tbody tr[data-resource-id]");
      assert.equal(await rows.count(), 10);
      const firstPage = await rows.first().getAttribute("data-resource-id");

      const firstRow = () => rows.first().getAttribute("data-resource-id");
      // Waits until the table is drawn with rows the predicate accepts (the URL changes first).
      const drawnWith = async (predicate, arg) => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const { drawn, ids } = await s.page.evaluate(() => ({
            drawn: Boolean(document.querySelector('[data-testid="inventory"][data-drawn="true"]')),
            ids: [...document.querySelectorAll(".inventory-table tbody tr[data-resource-id]")].map((r) => r.dataset.resourceId),
          }));
          if (drawn && predicate(ids, arg)) return ids;
          if (Date.now() > deadline) throw new Error(`the inventory did not show the rows expected: ${ids.slice(0, 5)}`);
          await s.page.waitForTimeout(50);
        }
      };

      await s.page.getByRole("button", { name: "Next page" }).click();
      await s.page.waitForURL(/after=/);
      await drawnWith((ids, first) => ids.length > 0 && !ids.includes(first), firstPage);
      await s.page.getByRole("button", { name: "Previous page" }).click();
      await s.page.waitForURL((u) => !u.searchParams.has("after"));
      await drawnWith((ids, first) => ids[0] === first, firstPage);
      assert.equal(await firstRow(), firstPage);

      await s.page.getByLabel("Kind").selectOption("EBS_VOLUME");
      await s.page.getByRole("button", { name: "Apply filters" }).click();
      await s.page.waitForURL(/kind=EBS_VOLUME/);
      await drawnWith((ids) => ids.length > 0 && ids.every((id) => id.startsWith("vol-")));

      await s.page.getByRole("button", { name: "Clear" }).click();
      await s.page.waitForURL((u) => !u.searchParams.has("kind"));
      await drawnWith((ids) => ids.some((id) => !id.startsWith("vol-")));
      await s.page.getByRole("button", { name: /^Resource/ }).click();
      await s.page.waitForURL(/sort=NAME/);
      await s.page.locator('th[aria-sort="ascending"]').filter({ hasText: "Resource" }).waitFor();
      await drawnWith(() => true);
      const names = await s.page
        .locator(".inventory-table tbody tr[data-resource-id] th")
        .evaluateAll((ths) => ths.map((th) => th.firstChild?.textContent ?? ""));
      const named = names.filter((n) => n && n !== "(no name)");
      assert.ok(named.length > 1);
      assert.ok(named[0] <= named.at(-1), `names ascending: ${named[0]} … ${named.at(-1)}`);

      // Back to the default order: the costliest first, where recommendations are.
      await openPage(s, url, `/tenants/${A}/inventory`);
      const button = s.page.getByRole("button", { name: /^Open request for / }).first();
      await button.click();
      await s.page.getByRole("status").filter({ hasText: "request opened" }).waitFor();
      const opened = await graphql(
        url,
        tokens.devops,
        `query($t: ID!) { tenant(id: $t) { workflowRequests(status: [PENDING, AWAITING_ADMIN]) { edges { node { kind recommendationId } } } } }`,
        { t: A },
      );
      assert.ok(opened.tenant.workflowRequests.edges.some((e) => e.node.recommendationId), "the request names its recommendation");
      await assertNoProblems(s);
    } finally {
      await s.context.close();
    }
  });
});

describe("pending approvals", () => {
  it("a manager approves and another browser's page updates live", async () => {
    const watcher = await session(tokens.devops);
    const manager = await session(tokens.manager);
    try {
      await openPage(watcher, url, `/tenants/${A}/approvals`);
      await watcher.page.locator('[data-live="live"]').waitFor();
      await openPage(manager, url, `/tenants/${A}/approvals`);
      const card = manager.page
        .locator('[data-testid="open-requests"] article[data-status="PENDING"]')
        .filter({ has: manager.page.getByRole("button", { name: "Approve" }) })
        .first();
      const id = await card.getAttribute("data-request-id");
      const version = Number(await card.locator("dt:text-is('Version') + dd").innerText());
      await card.getByLabel(/Comment/).fill("Approved from the end-to-end test");
      await card.getByRole("button", { name: "Approve" }).click();

      // The other browser was not reloaded: the request changed there by itself.
      const moved = watcher.page.locator(`article[data-request-id="${id}"]:not([data-status="PENDING"])`);
      await moved.waitFor({ timeout: 15_000 });
      const status = await moved.getAttribute("data-status");
      assert.match(status, /^(APPROVED|AWAITING_ADMIN)$/);
      assert.equal(Number(await moved.locator("dt:text-is('Version') + dd").innerText()), version + 1);
      if (status === "APPROVED") {
        assert.equal(await moved.evaluate((el) => el.closest("[data-testid]")?.dataset.testid), "decided-requests");
      }
      assert.match(await watcher.page.getByTestId("announcement").innerText(), /approved|admin/i);
      assert.deepEqual(watcher.graphqlOps, ["PendingApprovals"], "no reload");
      await assertNoProblems(watcher);
      await assertNoProblems(manager);
    } finally {
      await watcher.context.close();
      await manager.context.close();
    }
  });

  it("a stale decision gets CONFLICT: the page says so and reloads", async () => {
    const created = await graphql(
      url,
      tokens.devops,
      `mutation($t: ID!) { createWorkflowRequest(tenantId: $t, change: { provision: { instanceType: "t3.micro", count: 1, region: "us-east-1" } }, justification: "conflict test") { request { id version } } }`,
      { t: A },
    );
    const { id, version } = created.createWorkflowRequest.request;
    const manager = await session(tokens.manager);
    try {
      // No live updates in this browser: it keeps the version it loaded.
      await manager.page.routeWebSocket(/\/graphql\/ws/, () => {});
      await openPage(manager, url, `/tenants/${A}/approvals`);
      const card = manager.page.locator(`article[data-request-id="${id}"]`);
      await card.waitFor();
      await graphql(url, tokens.manager, `mutation($id: ID!, $v: Int!) { approveWorkflowRequest(id: $id, expectedVersion: $v) { request { status } } }`, {
        id,
        v: version,
      });
      await card.getByRole("button", { name: "Approve" }).click();
      await manager.page.getByTestId("conflict").waitFor();
      assert.match(await manager.page.getByTestId("conflict").innerText(), /changed since you loaded it/);
      await manager.page.locator(`[data-testid="decided-requests"] article[data-request-id="${id}"]`).waitFor();
      assert.deepEqual(manager.graphqlOps, ["PendingApprovals", "ApproveRequest", "PendingApprovals"]);
      await assertNoProblems(manager);
    } finally {
      await manager.context.close();
    }
  });
  it("rejecting needs a reason; a requester cancels their own request", async () => {
    const open = async (instanceType) =>
      (
        await graphql(
          url,
          tokens.devops,
          `mutation($t: ID!, $c: WorkflowChangeInput!) { createWorkflowRequest(tenantId: $t, change: $c, justification: "e2e") { request { id } } }`,
          { t: A, c: { provision: { instanceType, count: 1, region: "us-east-1" } } },
        )
      ).createWorkflowRequest.request.id;
    const toReject = await open("t3.small");
    const toCancel = await open("t3.nano");
    const manager = await session(tokens.manager);
    const devops = await session(tokens.devops);
    try {
      await openPage(manager, url, `/tenants/${A}/approvals`);
      const card = manager.page.locator(`article[data-request-id="${toReject}"]`);
      await card.getByRole("button", { name: "Reject" }).click();
      await card.getByRole("alert").filter({ hasText: "Give a reason" }).waitFor();
      await card.getByLabel(/Comment/).fill("Not this quarter");
      await card.getByRole("button", { name: "Reject" }).click();
      await manager.page.locator(`[data-testid="decided-requests"] article[data-request-id="${toReject}"][data-status="REJECTED"]`).waitFor();

      await openPage(devops, url, `/tenants/${A}/approvals`);
      const own = devops.page.locator(`article[data-request-id="${toCancel}"]`);
      assert.equal(await own.getByRole("button", { name: "Approve" }).count(), 0, "nobody decides their own request");
      await own.getByRole("button", { name: "Cancel request" }).click();
      await devops.page.locator(`[data-testid="decided-requests"] article[data-request-id="${toCancel}"][data-status="CANCELLED"]`).waitFor();
      // The manager's page heard of it.
      await manager.page.locator(`article[data-request-id="${toCancel}"][data-status="CANCELLED"]`).waitFor();
      await assertNoProblems(manager);
      await assertNoProblems(devops);
    } finally {
      await manager.context.close();
      await devops.context.close();
    }
  });
});

describe("report", () => {
  it("downloads the month's PDF", async () => {
    const s = await session(tokens.devops, { acceptDownloads: true });
    try {
      await openPage(s, url, `/tenants/${A}/report`);
      const months = await s.page.getByLabel("Month", { exact: true }).locator("option").evaluateAll((os) => os.map((o) => o.value));
      await s.page.getByLabel("Month", { exact: true }).selectOption(months[1]);
      await s.page.waitForURL(new RegExp(`month=${months[1]}`));
      await s.page.locator('[data-testid="report"][data-drawn="true"]').waitFor();
      assert.match(await s.page.getByTestId("report-total").innerText(), MONEY);
      const [download] = await Promise.all([
        s.page.waitForEvent("download"),
        s.page.getByRole("button", { name: "Download PDF" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `consoleai-${A}-${months[1]}.pdf`);
      const bytes = readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
      assert.ok(bytes.length > 2000, `a real PDF (${bytes.length} bytes)`);
      await s.page.getByRole("status").filter({ hasText: "Downloaded" }).waitFor();
      await assertNoProblems(s);
    } finally {
      await s.context.close();
    }
  });
});

describe("keyboard", () => {
  it("skip link, navigation and sorting work from the keyboard, with visible focus", async () => {
    const s = await session(tokens.devops);
    try {
      await openPage(s, url, `/tenants/${A}`);
      await s.page.keyboard.press("Tab");
      assert.equal(await s.page.evaluate(() => document.activeElement?.textContent), "Skip to content");
      await s.page.keyboard.press("Enter");
      assert.equal(await s.page.evaluate(() => document.activeElement?.id), "main", "the skip link moves focus to the content");
      // Tab from the top to the Inventory link, checking focus is visible on the way.
      await openPage(s, url, `/tenants/${A}`);
      let reached = false;
      for (let i = 0; i < 12 && !reached; i++) {
        await s.page.keyboard.press("Tab");
        const focus = await s.page.evaluate(() => {
          const el = document.activeElement;
          const style = el ? getComputedStyle(el) : null;
          return { text: el?.textContent ?? "", outline: style ? style.outlineStyle : "none", tag: el?.tagName };
        });
        if (focus.tag === "A" || focus.tag === "BUTTON") assert.notEqual(focus.outline, "none", `focus visible on ${focus.text}`);
        reached = focus.text === "Inventory";
      }
      assert.ok(reached, "the Inventory link is reachable with Tab");
      await s.page.keyboard.press("Enter");
      await s.page.waitForURL(/\/inventory$/);
      await s.page.locator('[data-testid="inventory"][data-drawn="true"]').waitFor();
      const sort = s.page.getByRole("button", { name: /^Cost, 30 days/ });
      await sort.focus();
      await s.page.keyboard.press("Enter");
      await s.page.waitForURL(/dir=ASC/);
      assert.equal(await s.page.locator('th[aria-sort="ascending"]').innerText().then((t) => t.startsWith("Cost")), true);
      await assertNoProblems(s);
    } finally {
      await s.context.close();
    }
  });

  it("the sign-in page passes the accessibility check", async () => {
    const s = await session();
    try {
      await s.page.goto(`${url}/signin`);
      await s.page.getByLabel("Access token").waitFor();
      assert.deepEqual(await axeViolations(s.page), []);
      await assertNoProblems(s);
    } finally {
      await s.context.close();
    }
  });
});
