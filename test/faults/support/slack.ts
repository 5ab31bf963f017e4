import type { ServerResponse } from "node:http";
import { type Loopback, startLoopback } from "../../support/loopback.ts";
import { channelOf, type DeliveryAccount, entriesOf } from "./account.ts";

/** One post the suite's Slack received. */
export interface SuitePost {
  path: string;
  channel: string;
  payload: { text: string; blocks?: unknown[] };
  /** The reminder entries in it (see `entriesOf`). */
  entries: string[];
  /** Slack took it (answered 2xx, or took it and never answered); false when it refused it. */
  posted: boolean;
}

/**
 * How Slack answers one post: at once, after `afterMs` (as a Slack under load does), or never
 * (`hold`: the response is kept until the case ends it).
 */
export type SlackAnswer =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { afterMs: number; status: number; body?: string }
  | { hold: true };

export type SlackBehaviour = (post: SuitePost, index: number) => SlackAnswer;

/** The suite's one stand-in for Slack's incoming webhooks, shared by every case. */
export interface SuiteSlack extends Loopback {
  /** The webhook URL of `channel` ("team/channel"); its last segment is a secret that must never show. */
  webhook(channel: string): string;
  /** How Slack answers posts to `channel` from now on (default: 200 "ok"). */
  behave(channel: string, behaviour: SlackBehaviour): void;
  /** Posts received on `channel`, in order of arrival, refused ones included. */
  posts(channel: string): SuitePost[];
  /** Responses held open on `channel`; a case answers or destroys them. */
  held(channel: string): ServerResponse[];
}

/** The secret last segment of every webhook URL of the suite. */
export const WEBHOOK_SECRET = "hooksecret";

/**
 * Why Slack would refuse this payload with 400 `invalid_blocks`, or undefined: at most 50 blocks,
 * a section's text and a button's URL at most 3,000 characters, action ids unique.
 * https://api.slack.com/reference/block-kit/blocks
 */
function invalidBlocks(payload: { blocks?: unknown[] }): string | undefined {
  const blocks = (payload.blocks ?? []) as { type: string; text?: { text?: string }; accessory?: { url?: string; action_id?: string } }[];
  if (blocks.length > 50) return `${blocks.length} blocks`;
  const actions = new Set<string>();
  for (const block of blocks) {
    if ((block.text?.text?.length ?? 0) > 3_000) return `a section of ${block.text?.text?.length} characters`;
    const { url, action_id: action } = block.accessory ?? {};
    if (url !== undefined && url.length > 3_000) return `a button URL of ${url.length} characters`;
    if (action !== undefined) {
      if (actions.has(action)) return `action_id ${action} twice`;
      actions.add(action);
    }
  }
  return undefined;
}

/**
 * Starts the suite's Slack. Every post is checked against Slack's limits first (a message past
 * them is refused with 400 invalid_blocks, as Slack does), then answered as its channel's
 * behaviour says; what Slack took goes into `account`.
 */
export async function startSuiteSlack(account: DeliveryAccount): Promise<SuiteSlack> {
  const behaviours = new Map<string, SlackBehaviour>();
  const posts = new Map<string, SuitePost[]>();
  const held = new Map<string, ServerResponse[]>();
  const list = <T>(map: Map<string, T[]>, channel: string): T[] => {
    let entries = map.get(channel);
    if (!entries) {
      entries = [];
      map.set(channel, entries);
    }
    return entries;
  };

  const server = await startLoopback((request, response, body) => {
    const path = request.url ?? "/";
    const channel = channelOf(path);
    let payload: SuitePost["payload"];
    try {
      payload = JSON.parse(body) as SuitePost["payload"];
    } catch {
      response.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
      return;
    }
    const post: SuitePost = { path, channel, payload, entries: entriesOf(channel, payload), posted: false };
    const received = list(posts, channel);
    received.push(post);
    if (invalidBlocks(payload)) {
      response.writeHead(400, { "content-type": "text/plain" }).end("invalid_blocks");
      return;
    }
    const answer = (behaviours.get(channel) ?? (() => ({ status: 200, body: "ok" })))(post, received.length - 1);
    if ("hold" in answer) {
      post.posted = true;
      list(held, channel).push(response);
    } else {
      post.posted = answer.status >= 200 && answer.status < 300;
      const reply = () =>
        response
          .writeHead(answer.status, { "content-type": "text/plain", ...("headers" in answer ? answer.headers : {}) })
          .end(answer.body ?? "");
      if ("afterMs" in answer) setTimeout(reply, answer.afterMs);
      else reply();
    }
    if (post.posted) account.record(path, payload);
  });

  return {
    ...server,
    webhook: (channel) => `${server.url}/services/${channel}/${WEBHOOK_SECRET}`,
    behave: (channel, behaviour) => void behaviours.set(channel, behaviour),
    posts: (channel) => list(posts, channel),
    held: (channel) => list(held, channel),
    async close() {
      for (const responses of held.values()) for (const response of responses) response.destroy();
      await server.close();
    },
  };
}
