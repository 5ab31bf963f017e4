// ical.js (Mozilla's calendar library) as `npm run bench:calendar` runs it: parse, then expand into
// the starts of the occurrences in [from, to).
import ICAL from "ical.js";

/** A calendar library behind one call: read the feed text, then expand it over [from, to). */
export interface Library {
  /** Reads the text once; the result is expanded afterwards. */
  parse(ics: string): unknown;
  /** Epoch-ms starts of the occurrences starting in [from, to). */
  expand(parsed: unknown, from: Date, to: Date): number[];
}

interface IcalJsCalendar {
  events: ICAL.Event[];
}

/** ical.js returns cancelled events and instances like any other; our engine leaves them out. */
const cancelled = (event: ICAL.Event) => event.component.getFirstPropertyValue("status") === "CANCELLED";

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
        if (cancelled(event)) continue;
        const start = event.startDate.toJSDate().getTime();
        if (start >= fromMs && start < toMs) starts.push(start);
        continue;
      }
      const iterator = event.iterator();
      for (let next = iterator.next(); next; next = iterator.next()) {
        // The walk stops at the window's end by RECURRENCE-ID; an instance counts where an
        // override moved it, which may be into the window from years before, or out of it.
        if (next.toJSDate().getTime() >= toMs) break;
        const details = event.getOccurrenceDetails(next);
        if (cancelled(details.item)) continue;
        const start = details.startDate.toJSDate().getTime();
        if (start >= fromMs && start < toMs) starts.push(start);
      }
    }
    return starts.sort((a, b) => a - b);
  },
};
