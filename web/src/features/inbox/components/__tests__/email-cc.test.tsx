import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import type { Message } from '../../api/types';
import { ccOf, parseCc, replyAllCc } from '../email-cc';
import { MessageBubble } from '../message-bubble';

const inbound = {
  details: {
    email: {
      to: [{ address: 'soporte@demo.local' }, { address: 'Ventas@Cliente.example', name: 'Ventas' }],
      cc: [{ address: 'jefa@cliente.example', name: 'Jefa' }, { address: 'SOPORTE@demo.local' }, { address: 'ventas@cliente.example' }],
    },
  },
} as Pick<Message, 'details'>;

describe('e-mail copies', () => {
  it('reply-all: the other To and CC recipients, once, without the customer and the brand\'s mailbox', () => {
    expect(replyAllCc(inbound, ['compras@cliente.example', 'soporte@demo.local'])).toEqual(['Ventas@Cliente.example', 'jefa@cliente.example']);
    expect(replyAllCc(undefined, [])).toEqual([]);
    expect(replyAllCc({ details: {} }, [])).toEqual([]);
  });

  it('reads CC from inbound ({address, name}) and plain details, and splits the typed field', () => {
    expect(ccOf(inbound)).toEqual(['jefa@cliente.example', 'SOPORTE@demo.local', 'ventas@cliente.example']);
    expect(ccOf({ details: { email: { cc: ['a@x.co'] } } })).toEqual(['a@x.co']);
    expect(ccOf({ details: { text: 'x' } })).toEqual([]);
    expect(parseCc(' a@x.co,b@x.co;  c@x.co d@x.co , ')).toEqual(['a@x.co', 'b@x.co', 'c@x.co', 'd@x.co']);
  });

  it('the thread shows "CC: …" on an e-mail message', () => {
    const message = {
      id: 'm1', conversation_id: 'c1', direction: 'out', type: 'text', text: 'Son 100 €.', status: 'sent', author: { kind: 'user', name: 'Ana' },
      timestamp: '2026-12-07T10:00:00Z', attachments: [], details: { email: { cc: [{ address: 'jefa@cliente.example' }, { address: 'conta@cliente.example' }] } },
      status_times: {},
    } as unknown as Message;
    render(<I18nProvider initial="es"><ul><MessageBubble message={message} /></ul></I18nProvider>);
    expect(screen.getByText('CC: jefa@cliente.example, conta@cliente.example')).toBeInTheDocument();
  });
});
