// Talking to the runtime directly (not through the UI): sign-in tokens, signed provider
// webhooks in the providers' real formats, the fake providers' outbox.
import { createHmac, randomUUID } from 'node:crypto';

export const DEMO_PASSWORD = 'Demo-pass-2026';
export const META_APP = 'demo-meta-app';
export const META_SECRET = 'demo-meta-secret';
export const DEMO_WHATSAPP = { phoneNumberId: '100000000000001', wabaId: '200000000000001' };

export async function apiLogin(baseUrl, email, password = DEMO_PASSWORD) {
  const response = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login ${email}: ${response.status} ${await response.text()}`);
  const tokens = await response.json();
  return { authorization: `Bearer ${tokens.id_token}` };
}

export async function apiCall(baseUrl, headers, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export function metaSignature(raw, secret = META_SECRET) {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export function uniqueWaId() {
  return `57300${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

/** A WhatsApp Cloud API `messages` webhook with one customer text (fake_providers.whatsapp_message_payload). */
export function whatsappTextPayload({ waId, name, text, messageId = `wamid.WEB${randomUUID().slice(0, 10)}`, account = DEMO_WHATSAPP }) {
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550000000', phone_number_id: account.phoneNumberId },
    contacts: [{ profile: { name }, wa_id: waId }],
    messages: [{ from: waId, id: messageId, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
  };
  return { object: 'whatsapp_business_account', entry: [{ id: account.wabaId, changes: [{ value, field: 'messages' }] }] };
}

/** POST a Meta webhook signed with the app secret, as Meta signs it. */
export async function postMetaWebhook(baseUrl, payload, secret = META_SECRET) {
  const raw = JSON.stringify(payload);
  const response = await fetch(`${baseUrl}/webhooks/meta/${META_APP}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(raw, secret) },
    body: raw,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

export async function outbox(baseUrl, provider) {
  const response = await fetch(`${baseUrl}/_local/outbox?provider=${encodeURIComponent(provider)}`);
  return (await response.json()).items;
}
