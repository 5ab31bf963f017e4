// The two libraries the calendar benchmark compares, each behind the same call: read the feed text,
// then expand it into the starts of the occurrences in [from, to).
import ICAL from "ical.js";
import { occurrencesOf, parseCalendar } from "../src/calendar/expand.ts";

export interface Library {
  /** Reads the text once; the result is expanded afterwards. */
  parse(ics: string): unknown;
  /** Epoch-ms starts of the occurrences starting in [from, to). */
  expand(parsed: unknown, from: Date, to: Date): number[];
}

/** Our engine: node-ical reads the properties, our layer expands (src/calendar). */
export const nodeIcalEngine: Library = {
  parse: (ics) => parseCalendar(ics),
  expand: (parsed, from, to) =>
    occurrencesOf(parsed as ReturnType<typeof parseCalendar>, { from, to, timezone: "Europe/Berlin" }).occurrences.map(
      (o) => o.start.getTime(),
    ),
};

interface IcalJsCalendar {
  events: ICAL.Event[];
}

/**
 * ical.js (Mozilla's): registers the feed's VTIMEZONEs, relates RECURRENCE-ID exceptions to their
 * series, and walks each series' iterator up to the window's end, as its documentation shows.
 */
export const icalJs: Library = {
  parse: (ics) => {
    const root = new ICAL.Component(ICAL.parse(ics) as unknown[]);
    for (const zone of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
    const byUid = new Map<string, ICAL.Event>();
    const exceptions: ICAL.Event[] = [];
    const events: ICAL.Event[] = [];
    for (const component of root.getAllSubcomponents("vevent")) {
      // Without `exceptions`, each Event scans every sibling VEVENT for its exceptions (quadratic):
      // relate them once, below, as ical.js's documentation suggests for large calendars.
      const event = new ICAL.Event(component, { exceptions: [] });
      if (event.isRecurrenceException()) exceptions.push(event);
      else {
        byUid.set(event.uid, event);
        events.push(event);
      }
    }
    for (const exception of exceptions) byUid.get(exception.uid)?.relateException(exception);
    return { events } satisfies IcalJsCalendar;
  },
  expand: (parsed, from, to) => {
    const starts: number[] = [];
    const fromMs = from.getTime();
    const toMs = to.getTime();
    for (const event of (parsed as IcalJsCalendar).events) {
      if (!event.isRecurring()) {
        const start = event.startDate.toJSDate().getTime();
        if (start >= fromMs && start < toMs) starts.push(start);
        continue;
      }
      const iterator = event.iterator();
      for (let next = iterator.next(); next; next = iterator.next()) {
        const start = next.toJSDate().getTime();
        if (start >= toMs) break;
        if (start < fromMs) continue;
        const details = event.getOccurrenceDetails(next);
        starts.push(details.startDate.toJSDate().getTime());
      }
    }
    return starts.sort((a, b) => a - b);
  },
};

export const LIBRARIES: Record<string, Library> = { "node-ical (our engine)": nodeIcalEngine, "ical.js": icalJs };
