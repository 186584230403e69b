/**
 * E-mail copies (CC): reading them from a message's details (inbound: `{address, name}` as the
 * parser stores them; ours the same shape), the reply-all default, and the composer's field.
 */
import type { Message } from '../api/types';

type Recipient = string | { address?: string | null; name?: string | null };

function addressesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return (list as Recipient[])
    .map((r) => (typeof r === 'string' ? r : (r?.address ?? '')))
    .map((a) => a.trim())
    .filter(Boolean);
}

function emailDetails(message: Pick<Message, 'details'>): Record<string, unknown> {
  const details = (message.details ?? {}) as Record<string, unknown>;
  const email = details.email;
  return email && typeof email === 'object' ? (email as Record<string, unknown>) : {};
}

/** The CC addresses of an e-mail message (empty for other messages). */
export function ccOf(message: Pick<Message, 'details'>): string[] {
  return addressesOf(emailDetails(message).cc);
}

/**
 * Reply-all: the other recipients of the customer's last e-mail (its To and CC), without the
 * customer (the reply's To) and the brand's own mailbox, each once.
 */
export function replyAllCc(
  lastInbound: Pick<Message, 'details'> | undefined,
  exclude: (string | null | undefined)[],
): string[] {
  if (!lastInbound) return [];
  const email = emailDetails(lastInbound);
  const skip = new Set(exclude.filter((a): a is string => Boolean(a)).map((a) => a.trim().toLowerCase()));
  const out: string[] = [];
  for (const address of [...addressesOf(email.to), ...addressesOf(email.cc)]) {
    const key = address.toLowerCase();
    if (skip.has(key) || out.some((a) => a.toLowerCase() === key)) continue;
    out.push(address);
  }
  return out;
}

/** The composer's CC field: addresses separated by commas, semicolons or spaces. */
export function parseCc(value: string): string[] {
  return value.split(/[,;\s]+/).map((a) => a.trim()).filter(Boolean);
}
