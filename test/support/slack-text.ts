/** Every mrkdwn text object in a Slack payload, however deeply its blocks nest them. */
export function mrkdwnObjects(payload: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (record.type === "mrkdwn") found.push(record);
      Object.values(record).forEach(visit);
    }
  };
  visit(payload);
  return found;
}
