import { GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ClaimLostError, LedgerError } from "../../src/errors.ts";
import { createDynamoLedger } from "../../src/ledger/dynamodb.ts";
import { DeliveryClaims } from "../../src/slack/claims.ts";
import { type LocalDynamo, startDynamo } from "../support/dynalite.ts";

describe("DynamoDB ledger (dynalite on 127.0.0.1)", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startDynamo();
  });

  afterAll(async () => {
    await dynamo.close();
  });

  async function ledger() {
    const table = await dynamo.createLedgerTable();
    return { table, ledger: createDynamoLedger({ table, client: dynamo.client }) };
  }

  it("lets only one run claim a reminder", async () => {
    // Prepare
    const { ledger: store } = await ledger();

    // Act
    const [first, second] = await Promise.all([
      store.claim(["team#a@x#2026-03-12T15:00:00.000Z#10m", "team#b@x#2026-03-12T15:00:00.000Z#10m"], 60_000),
      store.claim(["team#a@x#2026-03-12T15:00:00.000Z#10m"], 60_000),
    ]);

    // Assess
    expect(first.size + second.size).toBe(2);
    expect([...first, ...second].sort()).toEqual(["team#a@x#2026-03-12T15:00:00.000Z#10m", "team#b@x#2026-03-12T15:00:00.000Z#10m"]);
  });

  it("never gives out a delivered reminder again, even after its claim's time", async () => {
    // Prepare
    const { ledger: store } = await ledger();
    await store.claim(["r1"], 1_000);
    await store.done(["r1"]);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 60 * 60_000);

    // Act
    const again = await store.claim(["r1"], 60_000);

    // Assess
    vi.useRealTimers();
    expect(again.size).toBe(0);
  });

  it("gives a released claim to the next run", async () => {
    // Prepare
    const { ledger: store } = await ledger();
    await store.claim(["r1"], 60_000);

    // Act
    await store.release(["r1"]);
    const again = await store.claim(["r1"], 60_000);

    // Assess
    expect([...again]).toEqual(["r1"]);
  });

  it("gives a claim whose run ran out of time to the next run", async () => {
    // Prepare: a run claimed with 30 s left, then died without marking or releasing
    const { ledger: store } = await ledger();
    await store.claim(["r1"], 30_000);
    const whileHeld = await store.claim(["r1"], 30_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);

    // Act
    const afterwards = await store.claim(["r1"], 30_000);

    // Assess
    vi.useRealTimers();
    expect(whileHeld.size).toBe(0);
    expect([...afterwards]).toEqual(["r1"]);
  });

  it("lets only the first of two runs holding one reminder mark it as being sent, and never deletes what another run delivered", async () => {
    // Prepare: run A's claim lapses (a clock ahead of A's, or A ran long) and run B claims the reminder
    const { table, ledger: ofA } = await ledger();
    const store = createDynamoLedger({ table, client: dynamo.client });
    await ofA.claim(["r1"], 30_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    const b = await store.claim(["r1"], 30_000);

    // Act: B marks it and posts; A, late, tries to mark it, and gives back what it still holds
    const runA = new DeliveryClaims(ofA, () => 30_000);
    await store.sending(["r1"], Date.now() + 30_000);
    const a = await runA.sending(["r1"], Date.now() + 30_000);
    await runA.release(["r1"]);
    const whileSending = await store.states(["r1"]);
    await store.done(["r1"]);
    await store.release(["r1"]);
    const states = await store.states(["r1"]);
    vi.useRealTimers();

    // Assess: A may not post it nor release B's record, and B's delivery stands
    expect([...b]).toEqual(["r1"]);
    expect(a).toBeInstanceOf(ClaimLostError);
    expect((a as Error).message).toMatch(/no longer this run's: its claim lapsed and another run took them over/);
    expect(whileSending.get("r1")).toMatchObject({ state: "sending" });
    expect(states.get("r1")).toEqual({ state: "delivered" });
  });

  it("keeps a lapsed claim taken over by another container from the run that lost it, before and after the other marks it", async () => {
    // Prepare: run A (one container) claims; its claim lapses and run B (another container) takes both over
    const table = await dynamo.createLedgerTable();
    const a = createDynamoLedger({ table, client: dynamo.client });
    const b = createDynamoLedger({ table, client: dynamo.client });
    await a.claim(["r1", "r2"], 30_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    const taken = await b.claim(["r1", "r2"], 30_000);

    // Act: A, late, tries to mark r1 before B has; B marks r2 and A gives both back (its post never left)
    const late = await a.sending(["r1"], Date.now() + 30_000).catch((error: unknown) => error);
    await b.sending(["r2"], Date.now() + 30_000);
    await a.release(["r1", "r2"]);
    const afterRelease = await b.states(["r1", "r2"]);
    const lateDone = await a.done(["r2"]).catch((error: unknown) => error);
    await b.sending(["r1"], Date.now() + 30_000);
    await b.done(["r1", "r2"]);
    const states = await b.states(["r1", "r2"]);
    vi.useRealTimers();

    // Assess: A posts neither and undoes none of B's records; B delivers both
    expect([...taken].sort()).toEqual(["r1", "r2"]);
    expect(late).toBeInstanceOf(ClaimLostError);
    expect(afterRelease.get("r1")).toMatchObject({ state: "claimed" });
    expect(afterRelease.get("r2")).toMatchObject({ state: "sending" });
    expect(lateDone).toBeInstanceOf(LedgerError);
    expect([...states.values()]).toEqual([{ state: "delivered" }, { state: "delivered" }]);
  });

  it("takes a run's own writes again, as the SDK retries one whose answer was lost, and however long after its claim the run writes", async () => {
    // Prepare: a run with no deadline of Lambda's claims, marks, and goes on claiming 17 minutes later
    const { ledger: store } = await ledger();
    await store.claim(["r1"], 60_000);
    await store.sending(["r1"], Date.now() + 60_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 17 * 60_000);
    await store.claim(["r2"], 60_000);

    // Act: the same "sending" again (a retried request), then "delivered" long after the claim
    const again = await store.sending(["r1"], Date.now() + 60_000).catch((error: unknown) => error);
    await store.done(["r1"]);
    const states = await store.states(["r1"]);
    vi.useRealTimers();

    // Assess
    expect(again).toBeUndefined();
    expect(states.get("r1")).toEqual({ state: "delivered" });
  });

  it("never brings back a released reminder with a late write", async () => {
    // Prepare: a claim given back (its post certainly did not reach Slack)
    const { ledger: store } = await ledger();
    await store.claim(["r1", "r2"], 60_000);
    await store.release(["r1", "r2"]);

    // Act: writes that arrive after the release
    const sending = await store.sending(["r1"], Date.now() + 60_000).catch((error: unknown) => error);
    const done = await store.done(["r2"]).catch((error: unknown) => error);
    const states = await store.states(["r1", "r2"]);

    // Assess: both free for the next run's catch-up
    expect(sending).toBeInstanceOf(ClaimLostError);
    expect(done).toBeInstanceOf(LedgerError);
    expect([...states.values()]).toEqual([{ state: "free" }, { state: "free" }]);
  });

  it("keeps records in the Powertools Idempotency layout, with no calendar text", async () => {
    // Prepare
    const { table, ledger: store } = await ledger();

    // Act
    await store.claim(["team#secret-standup@x#2026-03-12T15:00:00.000Z#10m"], 60_000);
    await store.done(["team#secret-standup@x#2026-03-12T15:00:00.000Z#10m"]);

    // Assess
    const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: table }));
    expect(Items).toHaveLength(1);
    const item = Items[0] ?? {};
    expect(item.id?.S).toMatch(/^ical-slack-reminder#/);
    expect(item.status?.S).toBe("COMPLETED");
    expect(Number(item.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400);
    expect(JSON.stringify(item)).not.toContain("standup");
    const got = await dynamo.client.send(new GetItemCommand({ TableName: table, Key: { id: { S: item.id?.S ?? "" } } }));
    expect(got.Item?.status?.S).toBe("COMPLETED");
  });

  it("never gives out a reminder being sent, even after its claim lapsed, and tells each state apart", async () => {
    // Prepare: r1 delivered, r2 posted by a run that then died, r3 claimed only, r4 refused by Slack
    const { ledger: store } = await ledger();
    await store.claim(["r1", "r2", "r3", "r4"], 30_000);
    await store.done(["r1"]);
    await store.sending(["r2"], Date.now() + 30_000);
    await store.rejected(["r4"]);
    const during = await store.states(["r2", "r3"]);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);

    // Act
    const again = await store.claim(["r1", "r2", "r4"], 30_000);
    const after = await store.states(["r1", "r2", "r3", "r4", "r5"]);

    // Assess
    vi.useRealTimers();
    expect(again.size).toBe(0);
    expect(during.get("r2")).toMatchObject({ state: "sending", until: expect.any(Number) });
    expect(during.get("r3")).toMatchObject({ state: "claimed", until: expect.any(Number) });
    expect(Object.fromEntries([...after].map(([id, state]) => [id, state.state]))).toEqual({
      r1: "delivered",
      r2: "sending",
      r3: "free",
      r4: "rejected",
      r5: "free",
    });
  });

  it("says a throttled table catches up next run, rather than that it may not exist", async () => {
    // Prepare: a table DynamoDB throttles on every request
    const throttled = Object.assign(new Error("The level of configured provisioned throughput for the table was exceeded"), {
      name: "ProvisionedThroughputExceededException",
    });
    const client = {
      send: async () => Promise.reject(throttled),
      config: dynamo.client.config,
      middlewareStack: dynamo.client.middlewareStack,
    };
    const store = createDynamoLedger({ table: "busy", client: client as unknown as typeof dynamo.client });

    // Act
    const error = await store.claim(["r1"], 60_000).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as Error).message).toMatch(/DynamoDB is throttling the table: the next run catches up/);
  });

  it("names the table when it cannot be used", async () => {
    // Prepare
    const store = createDynamoLedger({ table: "no-such-table", client: dynamo.client });

    // Act
    const claiming = store.claim(["r1"], 60_000);

    // Assess
    await expect(claiming).rejects.toBeInstanceOf(LedgerError);
    await expect(claiming).rejects.toThrow(/ledger table "no-such-table"/);
  });
});
