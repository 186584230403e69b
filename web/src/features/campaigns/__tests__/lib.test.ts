import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFT, fitParameters, fromCampaign, toBody } from '../lib/draft';
import { insertAt, mergeToken, renderSample, templateSlots, unknownFields } from '../lib/merge';
import { bars } from '../lib/stats';
import { actions, isLive, isRefreshing, RECEIPTS_TAIL_MS } from '../lib/status';

describe('merge fields', () => {
  it('builds tokens with a clean fallback', () => {
    expect(mergeToken('contact.first_name')).toBe('{{contact.first_name}}');
    expect(mergeToken('contact.first_name', ' amigo ')).toBe('{{contact.first_name|amigo}}');
    expect(mergeToken('contact.first_name', 'a}|b{')).toBe('{{contact.first_name|ab}}');
  });

  it('inserts at the caret or over the selection', () => {
    expect(insertAt('Hola , bienvenido', '{{x}}', 5, 5)).toEqual({ text: 'Hola {{x}}, bienvenido', caret: 10 });
    expect(insertAt('Hola NOMBRE', '{{x}}', 5, 11)).toEqual({ text: 'Hola {{x}}', caret: 10 });
    expect(insertAt('Hola', '{{x}}', null, null)).toEqual({ text: 'Hola{{x}}', caret: 9 });
  });

  it('renders a sample like the API: value, else fallback, else empty', () => {
    const contact = { first_name: 'María', phone: '+57300', 'custom.plan': 'oro' };
    expect(renderSample('Hola {{contact.first_name|amigo}} de {{brand.name}}', contact, { name: 'Demo' })).toBe('Hola María de Demo');
    expect(renderSample('Hola {{contact.last_name|amigo}}', contact, {})).toBe('Hola amigo');
    expect(renderSample('Plan {{contact.custom.plan}} {{contact.email}}.', contact, {})).toBe('Plan oro .');
  });

  it('flags fields the API would refuse', () => {
    expect(unknownFields('{{contact.frist_name}} {{contact.first_name}} {{contact.custom.x}} {{brand.name}} {{brand.phone}}')).toEqual(['contact.frist_name', 'brand.phone']);
    // no prefix: it would go out literally
    expect(unknownFields('Hola {{name}}, {{ nombre | amigo }} {{contact.first_name|amigo}}')).toEqual(['name', 'nombre']);
  });

  it('counts a template body’s parameters', () => {
    expect(templateSlots('Hola {{1}}, tu pedido {{2}} llegó')).toBe(2);
    expect(templateSlots(null)).toBe(0);
  });
});

describe('draft ↔ API body', () => {
  it('sends only the channel’s content and no blank optional fields', () => {
    const body = toBody({ ...EMPTY_DRAFT, name: ' Promo ', channel: 'email', audienceKind: 'segment', audienceId: 's1', emailSubject: 'Hola', emailHtml: '<p>x</p>', smsText: 'ignored' });
    expect(body).toEqual({ name: 'Promo', channel: 'email', audience: { kind: 'segment', id: 's1' }, content: { subject: 'Hola', html: '<p>x</p>' } });
  });

  it('people audiences carry person ids; WhatsApp a template', () => {
    const body = toBody({ ...EMPTY_DRAFT, name: 'W', channel: 'whatsapp', accountId: 'demo-whatsapp', audienceKind: 'people',
      people: [{ id: 'p1', name: 'Ana' }], templateName: 'bienvenida', templateLanguage: 'es', templateParameters: ['{{contact.first_name}}'] });
    expect(body).toEqual({ name: 'W', channel: 'whatsapp', account_id: 'demo-whatsapp', audience: { kind: 'people', person_ids: ['p1'] },
      content: { template: { name: 'bienvenida', language: 'es', parameters: ['{{contact.first_name}}'] } } });
  });

  it('reads a stored campaign back into the form', () => {
    const draft = fromCampaign({ name: 'S', channel: 'sms', account_id: 'demo-twilio', audience: { kind: 'list', id: 'l1' }, content: { text: 'Hola' } });
    expect(draft).toMatchObject({ name: 'S', channel: 'sms', accountId: 'demo-twilio', audienceKind: 'list', audienceId: 'l1', smsText: 'Hola' });
    expect(toBody(draft)).toEqual({ name: 'S', channel: 'sms', account_id: 'demo-twilio', audience: { kind: 'list', id: 'l1' }, content: { text: 'Hola' } });
  });

  it('asks NPS on SMS / WhatsApp only, and reads it back', () => {
    const sms = toBody({ ...EMPTY_DRAFT, name: 'N', channel: 'sms', audienceKind: 'list', audienceId: 'l1', smsText: 'Del 0 al 10', nps: true });
    expect(sms.content).toEqual({ text: 'Del 0 al 10', nps: true });
    expect(fromCampaign({ ...sms, content: sms.content }).nps).toBe(true);
    expect(toBody({ ...EMPTY_DRAFT, name: 'E', channel: 'email', emailSubject: 'x', emailHtml: '<p>x</p>', nps: true }).content).not.toHaveProperty('nps');
    expect(toBody({ ...EMPTY_DRAFT, name: 'S', channel: 'sms', smsText: 'x' }).content).not.toHaveProperty('nps');
  });

  it('fits the parameters to the template, keeping what was typed', () => {
    expect(fitParameters(['a', 'b', 'c'], 2)).toEqual(['a', 'b']);
    expect(fitParameters(['a'], 3)).toEqual(['a', '', '']);
  });
});

describe('statuses and stats', () => {
  it('allows what the API allows', () => {
    expect(actions.remove({ status: 'draft' })).toBe(true);
    expect(actions.remove({ status: 'cancelled', started_at: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(actions.pause({ status: 'sending' })).toBe(true);
    expect(actions.resume({ status: 'sending' })).toBe(false);
    expect(actions.cancel({ status: 'completed' })).toBe(false);
    expect(actions.archive({ status: 'sending' })).toBe(false);
    expect(isLive('sending')).toBe(true);
    expect(isLive('completed')).toBe(false);
  });

  it('turns counters into bars with shares of the recipients', () => {
    const b = bars({ recipients: 4, sent: 3, delivered: 1, skipped: 1 }, 'sms');
    expect(b.find((x) => x.key === 'sent')).toEqual({ key: 'sent', count: 3, percent: 75 });
    expect(b.find((x) => x.key === 'read')).toBeUndefined();
    expect(bars({}, 'whatsapp').every((x) => x.percent === 0)).toBe(true);
  });
});

describe('refreshing', () => {
  it('polls while sending and for a while after completion, for the receipts', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(isRefreshing({ status: 'sending' }, now)).toBe(true);
    expect(isRefreshing({ status: 'completed', completed_at: new Date(now - 1000).toISOString() }, now)).toBe(true);
    expect(isRefreshing({ status: 'completed', completed_at: new Date(now - RECEIPTS_TAIL_MS - 1).toISOString() }, now)).toBe(false);
    expect(isRefreshing({ status: 'draft' }, now)).toBe(false);
    expect(isRefreshing(undefined, now)).toBe(false);
  });
});
