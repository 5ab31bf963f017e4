import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FeedFetchError } from "../../src/errors.ts";
import { isForbiddenAddress, isPublicAddress } from "../../src/feeds/addresses.ts";
import { createFeedFetcher, type FeedFetcherOptions } from "../../src/feeds/fetch.ts";
import { calendarServer, redirectServer } from "../support/hostile.ts";

const ics = readFileSync("test/fixtures/standup-at-1500z.ics", "utf8");

describe("redirect guard", () => {
  const servers: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(server: T): T => (servers.push(server), server);
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** A fetcher that takes the feed's own host for a public address, as a real calendar host would be. */
  function publicFeedFetcher(overrides: Partial<FeedFetcherOptions> = {}) {
    return createFeedFetcher({
      timeoutMs: 1000,
      maxBytes: 1024 * 1024,
      attempts: 1,
      resolve: async () => ["93.184.215.14"],
      ...overrides,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<FeedFetchError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeedFetchError);
    return error as FeedFetchError;
  }

  it.each([
    ["127.0.0.1", false],
    ["127.1.2.3", false],
    ["::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["::7f00:1", false],
    ["[::127.0.0.1]", false],
    ["::a9fe:a9fe", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["fe80::1", false],
    ["fc00::1", false],
    ["fd00:ec2::254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["::", false],
    ["93.184.215.14", true],
    ["2606:2800:220:1::1", true],
  ])("classifies %s as public: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it("never allows the metadata services, in any spelling", () => {
    for (const address of [
      "169.254.169.254",
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
      "::a9fe:a9fe",
      "fd00:ec2::254",
      "[fd00:ec2::254]",
    ]) {
      expect(isForbiddenAddress(address)).toBe(true);
    }
  });

  it.each([
    ["loopback by name", (port: number) => `http://localhost:${port}/team.ics`],
    ["loopback as a decimal number", (port: number) => `http://2130706433:${port}/team.ics`],
    ["loopback in octal", (port: number) => `http://0177.0.0.1:${port}/team.ics`],
    ["loopback in hex, short form", (port: number) => `http://0x7f.1:${port}/team.ics`],
    ["IPv6 loopback", (port: number) => `http://[::1]:${port}/team.ics`],
    ["IPv4-mapped IPv6 loopback", (port: number) => `http://[::ffff:127.0.0.1]:${port}/team.ics`],
    ["a private address", () => "http://10.0.0.7/team.ics"],
    ["the metadata service", () => "http://169.254.169.254/latest/meta-data/"],
    ["the IPv6 metadata service", () => "http://[fd00:ec2::254]/latest/meta-data/"],
    ["a unique-local address", () => "http://[fd12:3456::1]/team.ics"],
  ])("refuses a redirect from a public feed to %s, before any request reaches it", async (_, target) => {
    // Prepare: an internal calendar the redirect aims at
    const internal = track(await calendarServer(ics));
    const port = Number(new URL(internal.url).port);
    const feed = track(await redirectServer(target(port)));

    // Act
    const error = await failure(publicFeedFetcher().fetchFeed({ id: "team", url: `${feed.url}/team.ics` }));

    // Assess
    expect(error.message).toMatch(
      /redirected to .*, an internal address; refused: a calendar server's redirect may not lead into the network/,
    );
    expect(internal.requests).toHaveLength(0);
  });

  it("checks the address a name resolves to when connecting, so a name for an internal address is refused too", async () => {
    // Prepare: a name (not a literal) that DNS answers with loopback
    const internal = track(await calendarServer(ics));
    const feed = track(await redirectServer(`http://localhost:${new URL(internal.url).port}/team.ics`));

    // Act
    const error = await failure(publicFeedFetcher().fetchFeed({ id: "team", url: `${feed.url}/team.ics` }));

    // Assess: refused by the lookup at connect time, not by reading the name
    expect(error.message).toMatch(/an internal address; refused/);
    expect((error.cause as { name?: string } | undefined)?.name).toBe("InternalAddressError");
    expect(internal.requests).toHaveLength(0);
  });

  it("follows redirects between internal addresses when the configured feed is itself internal", async () => {
    // Prepare: the owner configured a loopback (VPC) calendar server
    const internal = track(await calendarServer(ics));
    const feed = track(await redirectServer(`${internal.url}/team.ics`));

    // Act
    const body = await createFeedFetcher({ timeoutMs: 1000, maxBytes: 1024 * 1024, attempts: 1 }).fetchFeed({
      id: "team",
      url: `${feed.url}/team.ics`,
    });

    // Assess
    expect(body.unchanged).not.toBe(true);
    expect(internal.requests).toHaveLength(1);
  });

  it("never follows a redirect to the Lambda runtime API or the metadata service, even from an internal feed", async () => {
    // Prepare
    const runtime = track(await calendarServer(ics));
    const runtimeApi = `127.0.0.1:${new URL(runtime.url).port}`;
    const toRuntime = track(await redirectServer(`http://${runtimeApi}/2018-06-01/runtime/invocation/next`));
    const toMetadata = track(await redirectServer("http://169.254.169.254/latest/api/token"));
    const fetcher = createFeedFetcher({ timeoutMs: 1000, maxBytes: 1024 * 1024, attempts: 1, runtimeApi });

    // Act
    const runtimeError = await failure(fetcher.fetchFeed({ id: "a", url: `${toRuntime.url}/a.ics` }));
    const metadataError = await failure(fetcher.fetchFeed({ id: "b", url: `${toMetadata.url}/b.ics` }));

    // Assess
    expect(runtimeError.message).toMatch(/an internal address; refused/);
    expect(metadataError.message).toMatch(/redirected to 169\.254\.169\.254, an internal address; refused/);
    expect(runtime.requests).toHaveLength(0);
  });
});
