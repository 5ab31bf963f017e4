import type { Occurrence } from "../calendar/occurrence.ts";

/** A video-call link found in an event, and the service it belongs to. */
export interface JoinLink {
  service: "Google Meet" | "Zoom" | "Microsoft Teams" | "Webex" | "GoTo Meeting" | "Jitsi Meet";
  url: string;
}

/**
 * Meeting URLs as the three services write them into invitations: Meet's `xxx-yyyy-zzz` codes,
 * Zoom's `/j/<id>` (and `/my/`, `/w/`, `/s/`) on any vanity sub-domain, Teams' `meetup-join`,
 * its short `teams.microsoft.com/meet/<id>` and `teams.live.com/meet` links; Webex's personal
 * rooms (`/meet/`, `/join/`) and meetings (`/<site>/j.php?MTID=`, `/wbxmjs/joinservice/`) on any
 * `webex.com` site, GoTo Meeting's `meet.goto.com` and `global.gotomeeting.com/join/` links, and
 * rooms on `meet.jit.si`. Only https, and only these hosts: anything else an event carries is
 * shown as text, never as a button.
 */
const PATTERNS: readonly { service: JoinLink["service"]; pattern: RegExp }[] = [
  { service: "Google Meet", pattern: /https:\/\/meet\.google\.com\/[a-z]{3,4}-[a-z]{4}-[a-z]{3,4}(?:\?[^\s<>"']*)?/i },
  {
    service: "Zoom",
    pattern: /https:\/\/(?:[a-z0-9-]+\.)?zoom(?:gov)?\.(?:us|com)\/(?:j|my|w|s)\/[^\s<>"']+/i,
  },
  {
    service: "Microsoft Teams",
    pattern: /https:\/\/(?:teams\.microsoft\.com\/l\/meetup-join|teams\.microsoft\.com\/meet|teams\.live\.com\/meet)\/[^\s<>"']+/i,
  },
  {
    service: "Webex",
    pattern: /https:\/\/(?:[a-z0-9-]+\.)+webex\.com\/(?:meet\/|join\/|[a-z0-9-]+\/j\.php\?MTID=|wbxmjs\/joinservice\/)[^\s<>"']+/i,
  },
  {
    service: "GoTo Meeting",
    pattern: /https:\/\/(?:meet\.goto\.com\/[^\s<>"']+|global\.gotomeeting\.com\/join\/\d+)/i,
  },
  { service: "Jitsi Meet", pattern: /https:\/\/meet\.jit\.si\/[^\s<>"'/?#]+/i },
];

/** Trailing punctuation that ends a sentence rather than a URL ("join at https://…/j/1)."). */
const TRAILING = /[).,;:!?\]}*_]+$/;

/**
 * The join link of an occurrence, looked for where calendars put it: Google's
 * `X-GOOGLE-CONFERENCE`, then `URL`, `LOCATION` and `DESCRIPTION` (Outlook and Zoom invitations).
 * `undefined` when there is none.
 */
export function findJoinLink(
  occurrence: Pick<Occurrence, "url" | "location" | "description"> & { conference?: string | undefined },
): JoinLink | undefined {
  const places = [occurrence.conference, occurrence.url, occurrence.location, occurrence.description];
  for (const text of places) {
    if (!text) continue;
    for (const { service, pattern } of PATTERNS) {
      const match = pattern.exec(text);
      // A link copied from an HTML description's href writes its `&` as `&amp;` (Zoom's `&pwd=`).
      if (match) return { service, url: match[0].replace(TRAILING, "").replaceAll("&amp;", "&") };
    }
  }
  return undefined;
}

/** How invitations name each service where they put the meeting in LOCATION ("Microsoft Teams Meeting"). */
const SERVICE_NAMES: Record<JoinLink["service"], RegExp> = {
  "Google Meet": /\bgoogle meet\b/gi,
  Zoom: /\bzoom(?: meeting)?\b/gi,
  "Microsoft Teams": /\b(?:microsoft teams(?: meeting)?|teams meeting)\b/gi,
  Webex: /\b(?:cisco )?webex(?: meeting)?\b/gi,
  "GoTo Meeting": /\bgoto ?meeting\b/gi,
  "Jitsi Meet": /\bjitsi(?: meet)?\b/gi,
};

/**
 * Whether a location says no more than the join link does: the link itself, the service's name
 * ("Microsoft Teams Meeting", as Outlook writes it), or both ("Microsoft Teams Meeting;
 * https://teams…"). Shown, it would only repeat the Join line; a room beside them is more.
 */
export function onlyTheMeeting(location: string, join: JoinLink | undefined): boolean {
  if (!join) return false;
  const rest = location.replaceAll(join.url, "").replaceAll(join.url.replaceAll("&", "&amp;"), "").replace(SERVICE_NAMES[join.service], "");
  return /^[\s;,|·–-]*$/.test(rest);
}
