// The synthetic workload of `npm run compare`: calendars served on loopback with a set latency each,
// and a stand-in for Slack that answers after a set delay. Real HTTP servers on 127.0.0.1, so the
// strategies run through the real fetcher and poster.
import { createServer, type Server } from "node:http";
import { type LoopbackServer, listen as listenOnLoopback } from "../src/demo/servers.ts";
import { prng } from "../test/support/prng.ts";

/** A running loopback server. */
export type Served = LoopbackServer;

/** Like the demo's servers, with connections kept alive across both strategies' runs. */
function listen(server: Server): Promise<Served> {
  server.keepAliveTimeout = 60_000;
  return listenOnLoopback(server);
}

const stamp = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** A number from a feed id, to seed its past events: the same feed gets the same text every run. */
function seedOf(feedId: string): number {
  let hash = 2166136261;
  for (let i = 0; i < feedId.length; i += 1) hash = Math.imul(hash ^ feedId.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * A calendar of one meeting starting at `dueAt`, whose reminder is due in the run's window (so every
 * feed ends in a post), `series` live weekly series, and `past` events that can no longer occur, as
 * a calendar used for years holds them: nine in ten one-off meetings of the three years before,
 * one in ten a weekly series that ended (UNTIL or COUNT) at least a month before `dueAt`. About
 * 135 bytes per past event.
 */
export function syntheticCalendar(feedId: string, dueAt: Date, series: number, past = 0): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ical-slack-reminder//bench//EN"];
  const event = (uid: string, start: Date, summary: string, rule?: string) => {
    const end = new Date(start.getTime() + 30 * 60_000);
    lines.push("BEGIN:VEVENT", `UID:${uid}`, `DTSTAMP:${stamp(start)}`, `DTSTART:${stamp(start)}`, `DTEND:${stamp(end)}`);
    if (rule) lines.push(rule);
    lines.push(`SUMMARY:${summary}`, `DESCRIPTION:Agenda for ${summary}: notes\\, links and dial-in details.`, "END:VEVENT");
  };
  event(`${feedId}-due@bench`, dueAt, `Meeting of ${feedId}`);
  for (let i = 0; i < series; i += 1) {
    // Series that began weeks ago at odd hours, so they are expanded but not due.
    const start = new Date(dueAt.getTime() - (14 + i) * 86_400_000 + (3 + (i % 5)) * 3_600_000);
    event(`${feedId}-${i}@bench`, start, `Series ${i} of ${feedId}`, "RRULE:FREQ=WEEKLY;COUNT=20");
  }
  const random = prng(seedOf(feedId));
  const DAY = 86_400_000;
  for (let i = 0; i < past; i += 1) {
    // Whole quarter hours between 3 years and 31 days before the due meeting.
    const daysBefore = 31 + Math.floor(random() * 3 * 365);
    const day = Math.floor((dueAt.getTime() - daysBefore * DAY) / DAY) * DAY;
    const start = new Date(day + (7 + Math.floor(random() * 44) / 4) * 3_600_000);
    lines.push("BEGIN:VEVENT", `UID:${feedId}-p${i}@bench`, `DTSTAMP:${stamp(start)}`, `DTSTART:${stamp(start)}`, "DURATION:PT30M");
    if (i % 10 === 9) {
      const weeks = 2 + Math.floor(random() * 20);
      const last = new Date(start.getTime() + (weeks - 1) * 7 * DAY);
      // Ends a month before the due meeting at the latest, so nothing of it can be due.
      lines.push(
        last.getTime() < dueAt.getTime() - 31 * DAY && i % 20 === 9
          ? `RRULE:FREQ=WEEKLY;UNTIL=${stamp(last)}`
          : `RRULE:FREQ=WEEKLY;COUNT=${Math.min(weeks, Math.floor((daysBefore - 31) / 7) + 1)}`,
      );
    }
    lines.push(`SUMMARY:Review ${i}`, "END:VEVENT");
  }
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

/** One server per feed host: real feeds sit on different hosts, each with its own connections. */
export async function serveFeeds(
  calendars: readonly { body: string; latencyMs: number }[],
  hosts: number,
): Promise<{ urls: string[]; close(): Promise<void> }> {
  const servers: Served[] = [];
  for (let h = 0; h < hosts; h += 1) {
    servers.push(
      await listen(
        createServer((request, response) => {
          const index = Number(/\/feed-(\d+)\.ics/.exec(request.url ?? "")?.[1] ?? -1);
          const calendar = calendars[index];
          if (!calendar) {
            response.writeHead(404).end("not found");
            return;
          }
          setTimeout(() => {
            response.writeHead(200, { "content-type": "text/calendar; charset=utf-8" }).end(calendar.body);
          }, calendar.latencyMs);
        }),
      ),
    );
  }
  return {
    urls: calendars.map((_, i) => `${servers[i % hosts]?.url}/feed-${i}.ics`),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** A stand-in for Slack's incoming webhooks answering `ok` after `latencyMs`. */
export async function serveSlack(latencyMs: number): Promise<Served & { posts: () => number }> {
  let posts = 0;
  const served = await listen(
    createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        posts += 1;
        setTimeout(() => response.writeHead(200, { "content-type": "text/plain" }).end("ok"), latencyMs);
      });
    }),
  );
  return { ...served, posts: () => posts };
}

/** Latencies spread evenly over [min, max], in a shuffled but repeatable order. */
export function spreadLatencies(count: number, min: number, max: number): number[] {
  const even = Array.from({ length: count }, (_, i) => Math.round(count === 1 ? max : min + ((max - min) * i) / (count - 1)));
  let state = 42;
  for (let i = even.length - 1; i > 0; i -= 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [even[i], even[j]] = [even[j] as number, even[i] as number];
  }
  return even;
}

/** What the workload process is asked to serve. */
export interface WorkloadSpec {
  feeds: number;
  hosts: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  slackLatencyMs: number;
  /** Live weekly series in each calendar besides the due meeting. */
  series: number;
  /** Past events in each calendar: one-offs and ended series that can no longer occur. */
  pastEvents: number;
  /** ISO instant of the meeting each calendar has due. */
  dueAt: string;
}

/** Where the workload process serves. */
export interface WorkloadAddresses {
  feeds: string[];
  slack: string;
  /** Average calendar size in bytes. */
  calendarBytes: number;
}
