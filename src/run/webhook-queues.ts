import type { Reminder } from "../reminders/reminder.ts";

/**
 * Hands each feed's reminders to its webhook as soon as they are known and waits for all of them
 * at the end. Ordering, pacing and coalescing per webhook live in the delivery layer
 * (`src/slack/delivery.ts`): reminders handed over while a post to the same webhook is in flight,
 * or waiting for its turn, go out together in the next message; different webhooks post in
 * parallel. Handing over at once, rather than holding batches here, lets late arrivals join a
 * message that is still waiting for its turn.
 */
export class WebhookQueues {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #send: (webhook: string, reminders: Reminder[]) => Promise<void>;

  constructor(send: (webhook: string, reminders: Reminder[]) => Promise<void>) {
    this.#send = send;
  }

  /** Adds reminders for `webhook`; they are posted as soon as the webhook is free. */
  enqueue(webhook: string, reminders: readonly Reminder[]): void {
    if (reminders.length === 0) return;
    const sending = this.#send(webhook, [...reminders]).finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  /** Resolves once every queued reminder has been handed to `send` and `send` has finished. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }
}
