// The floor under `npm run -s bench:scale`: a process that does only what any run over the same
// feeds must do on the wire, and nothing else. For each feed, at the same concurrency: its download
// (undici's `request` on an Agent, a connection per feed host, the body read whole), one post of a
// 1 KB message to the feed's webhook (undici's `request` on one keep-alive Agent), and the three
// X-Ray datagrams of its subsegments (fetch, parse, notify). No configuration, calendar, message,
// ledger, log or trace code runs, and no module beyond undici and p-map is loaded.
//
// Run by bench/scale.ts as `node <heap flags> --import bench/resource-usage.ts bench/io-floor.ts
// <plan.json>`; prints `{"downloaded":N,"posted":N}` as its last line.
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import pMap from "p-map";
import { Agent, request } from "../src/feeds/undici.ts";

/** What the floor is asked to do. */
export interface FloorPlan {
  feeds: string[];
  /** The webhook each feed posts to, by index. */
  webhooks: string[];
  concurrency: number;
  /** `host:port` of the X-Ray stand-in. */
  xray: string;
}

const HEADER = '{"format":"json","version":1}\n';

/** A subsegment document the size of a run's (ids, times, annotations, two metadata values). */
function subsegmentDocument(name: string, index: number): string {
  const id = (index * 7919 + name.length).toString(16).padStart(16, "0");
  return JSON.stringify({
    name,
    id,
    start_time: Date.now() / 1000,
    end_time: Date.now() / 1000,
    type: "subsegment",
    parent_id: "53995c3f42cd8ad8",
    trace_id: "1-5759e988-bd862e3fe1be46a994272793",
    metadata: { default: { bytes: 26_000, status: 200 } },
  });
}

/** A reminder-sized Slack message: a section, a context line and a fallback text. */
const MESSAGE = JSON.stringify({
  text: `Meeting in 10 minutes: ${"Weekly planning ".repeat(4)}`,
  blocks: [
    {
      type: "section",
      text: { type: "mrkdwn", text: `*Weekly planning*\n${"Agenda for the meeting: notes, links and dial-in. ".repeat(12)}` },
    },
    { type: "context", elements: [{ type: "mrkdwn", text: ":calendar: feed" }] },
  ],
});

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as FloorPlan;
  const colon = plan.xray.lastIndexOf(":");
  const host = plan.xray.slice(0, colon);
  const port = Number(plan.xray.slice(colon + 1));
  const socket = createSocket("udp4");
  const send = (document: string) => new Promise<void>((resolve) => socket.send(HEADER + document, port, host, () => resolve()));
  const feeds = new Agent({ connections: 2 });
  const slack = new Agent({ keepAliveTimeout: 30_000 });
  let downloaded = 0;
  let posted = 0;
  await pMap(
    plan.feeds.map((url, index) => ({ url, index })),
    async ({ url, index }) => {
      const answer = await request(new URL(url), { dispatcher: feeds, method: "GET" });
      const bytes = new Uint8Array(await answer.body.arrayBuffer());
      if (answer.statusCode === 200 && bytes.length > 0) downloaded += 1;
      await send(subsegmentDocument(`fetch:feed-${index}`, index));
      await send(subsegmentDocument(`parse:feed-${index}`, index));
      const post = await request(new URL(plan.webhooks[index] ?? ""), {
        dispatcher: slack,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: MESSAGE,
      });
      await post.body.text();
      if (post.statusCode === 200) posted += 1;
      await send(subsegmentDocument(`notify:hook-${index}`, index));
    },
    { concurrency: plan.concurrency },
  );
  socket.close();
  await once(socket, "close");
  await Promise.all([feeds.close(), slack.close()]);
  process.stdout.write(`${JSON.stringify({ downloaded, posted })}\n`);
}

await main();
