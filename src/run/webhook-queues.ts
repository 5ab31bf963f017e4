import type { Reminder } from "../reminders/reminder.ts";

/**
 * One queue per webhook. Reminders that arrive while a post to the same webhook is in flight wait
 * and go out together in the next message, so a webhook sees its posts one at a time and in order,
 * while different webhooks post in parallel.
 */
export class WebhookQueues {
  readonly #pending = new Map<string, Reminder[]>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #send: (webhook: string, reminders: Reminder[]) => Promise<void>;

  constructor(send: (webhook: string, reminders: Reminder[]) => Promise<void>) {
    this.#send = send;
  }

  /** Adds reminders for `webhook`; they are posted as soon as the webhook is free. */
  enqueue(webhook: string, reminders: readonly Reminder[]): void {
    if (reminders.length === 0) return;
    const pending = this.#pending.get(webhook) ?? [];
    pending.push(...reminders);
    this.#pending.set(webhook, pending);
    if (!this.#running.has(webhook)) this.#running.set(webhook, this.#flush(webhook));
  }

  async #flush(webhook: string): Promise<void> {
    try {
      for (;;) {
        const batch = this.#pending.get(webhook) ?? [];
        if (batch.length === 0) break;
        this.#pending.set(webhook, []);
        await this.#send(webhook, batch);
      }
    } finally {
      this.#running.delete(webhook);
    }
  }

  /** Resolves once every queued reminder has been handed to `send`. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }
}
