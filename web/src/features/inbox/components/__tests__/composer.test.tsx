import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api-client';
import { I18nProvider } from '@/lib/i18n';
import type { QuickReply, WhatsAppTemplate } from '../../api/types';
import { Composer, replySubject, type ComposerProps } from '../composer';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const replies: QuickReply[] = [
  { id: 'q1', shortcut: 'saludo', title: 'Saludo', text: '¡Hola {{contact.first_name}}!', attachments: [], merge_fields: ['contact.first_name'] },
  { id: 'q2', shortcut: 'horario', title: 'Horario', text: 'Atendemos de 8 a 18.', attachments: [], merge_fields: [] },
];
const templates: WhatsAppTemplate[] = [
  { id: 'demo-whatsapp.seguimiento.es', account_id: 'demo-whatsapp', name: 'seguimiento', language: 'es', category: 'utility', body: 'Hola {{1}}, seguimos con {{2}}.', parameters: 2, header_parameters: 0, status: 'approved' },
];

function setup(overrides: Partial<ComposerProps> = {}, conversation: Partial<ComposerProps['conversation']> = {}) {
  const props: ComposerProps = {
    conversation: {
      id: `c-${Math.random()}`,
      channel: 'whatsapp',
      status: 'open',
      account_id: 'demo-whatsapp',
      window_expires_at: new Date(NOW + 5 * 3600_000).toISOString(),
      reply_window_expires_at: null,
      ...conversation,
    },
    quickReplies: replies,
    templates,
    mentionables: [{ id: 'u2', name: 'Alejandra Agente' }, { id: 'u3', name: 'Sofía Supervisora' }],
    loadPreview: vi.fn(async (id: string) => ({ text: id === 'q1' ? '¡Hola Camila!' : 'Atendemos de 8 a 18.', attachments: [] })),
    onSend: vi.fn(async () => ({})),
    onNote: vi.fn(async () => ({})),
    now: NOW,
    ...overrides,
  };
  const user = userEvent.setup();
  render(
    <I18nProvider initial="es">
      <Composer {...props} />
    </I18nProvider>,
  );
  return { props, user, box: screen.getByRole('textbox', { name: 'Mensaje' }) };
}

describe('Composer', () => {
  it('sends text with Enter and clears the box; Shift+Enter is a new line', async () => {
    const { props, user, box } = setup();
    await user.type(box, 'Hola{Shift>}{Enter}{/Shift}mundo{Enter}');
    expect(props.onSend).toHaveBeenCalledWith({ text: 'Hola\nmundo', attachments: [] });
    await waitFor(() => expect(box).toHaveValue(''));
    expect(screen.getByText('Mensaje enviado.')).toBeInTheDocument();
  });

  it('an inserted e-mail template fills the box and sends its subject and HTML with the reply, once', async () => {
    const email = { subject: 'Hola Camila', html: '<p>Hola Camila</p>' };
    const onSend = vi.fn(async () => ({}));
    const props: ComposerProps = {
      conversation: { id: `c-${Math.random()}`, channel: 'email', status: 'open', account_id: 'demo-email', window_expires_at: null, reply_window_expires_at: null },
      quickReplies: [], templates: [], mentionables: [], loadPreview: vi.fn(), onSend, onNote: vi.fn(), now: NOW, inserted: null,
    };
    const user = userEvent.setup();
    const view = render(<I18nProvider initial="es"><Composer {...props} /></I18nProvider>);
    const box = screen.getByRole('textbox', { name: 'Mensaje' });
    expect(box).toHaveValue('');
    // the picker (beside the composer) renders the template for this conversation and hands it over
    view.rerender(<I18nProvider initial="es"><Composer {...props} inserted={{ seq: 1, text: 'Hola Camila, seguimos.', email }} /></I18nProvider>);
    expect(box).toHaveValue('Hola Camila, seguimos.');
    expect(screen.getByText(/asunto «Hola Camila»/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Enviar' }));
    expect(onSend).toHaveBeenCalledWith({ text: 'Hola Camila, seguimos.', attachments: [], email });
    await waitFor(() => expect(box).toHaveValue(''));
    await user.type(box, 'Otra cosa{Enter}');
    expect(onSend).toHaveBeenLastCalledWith({ text: 'Otra cosa', attachments: [] }); // the template went with one reply only
  });

  it('an e-mail reply offers the thread\'s subject as "Re: …"; only an edited subject goes with the reply', async () => {
    const { props, user, box } = setup({}, { channel: 'email', account_id: 'demo-email', window_expires_at: null, subject: 'Pedido 1234' });
    const subject = screen.getByRole('textbox', { name: 'Asunto' });
    expect(subject).toHaveValue('Re: Pedido 1234');
    await user.type(box, 'Ya salió.{Enter}');
    // untouched: the API threads the reply under the conversation's subject itself
    expect(props.onSend).toHaveBeenLastCalledWith({ text: 'Ya salió.', attachments: [] });
    await user.clear(subject);
    await user.type(subject, 'Factura del pedido 1234');
    await user.type(box, 'Adjunto la factura.{Enter}');
    expect(props.onSend).toHaveBeenLastCalledWith({ text: 'Adjunto la factura.', attachments: [], email: { subject: 'Factura del pedido 1234', html: null } });
    await waitFor(() => expect(subject).toHaveValue('Re: Pedido 1234'));
  });

  it('an e-mail reply pre-fills reply-all copies; the CC typed goes as email.cc, a refused address shows next to the field', async () => {
    const onSend = vi.fn(async (_body: unknown) => ({}));
    const conversation: ComposerProps['conversation'] = { id: `c-${Math.random()}`, channel: 'email', status: 'open', account_id: 'demo-email', window_expires_at: null, reply_window_expires_at: null, subject: 'Cotización' };
    const props: ComposerProps = {
      conversation, quickReplies: [], templates: [], mentionables: [], loadPreview: vi.fn(), onSend, onNote: vi.fn(), now: NOW, replyAll: [],
    };
    const user = userEvent.setup();
    const view = render(<I18nProvider initial="es"><Composer {...props} /></I18nProvider>);
    const cc = screen.getByRole('textbox', { name: 'CC' });
    expect(cc).toHaveValue('');
    // the thread's messages arrive: reply-all fills the field
    view.rerender(<I18nProvider initial="es"><Composer {...props} replyAll={['jefa@cliente.example', 'conta@cliente.example']} /></I18nProvider>);
    expect(cc).toHaveValue('jefa@cliente.example, conta@cliente.example');
    const box = screen.getByRole('textbox', { name: 'Mensaje' });
    await user.type(box, 'Son 100 €.{Enter}');
    expect(onSend).toHaveBeenLastCalledWith({ text: 'Son 100 €.', attachments: [], email: { subject: null, html: null, cc: ['jefa@cliente.example', 'conta@cliente.example'] } });
    // the agent edits the copies: a suppressed one is refused by the API and named beside the CC field
    onSend.mockRejectedValueOnce(new ApiError(422, { error: { code: 'cc_suppressed', message: 'Estas direcciones están suprimidas: rebote@x.co. / These addresses are suppressed: rebote@x.co.', details: [{ field: 'email.cc', error: 'suppressed', address: 'rebote@x.co' }] } }));
    await user.clear(cc);
    await user.type(cc, 'rebote@x.co; otra@x.co');
    await user.type(box, 'Copia.{Enter}');
    expect(onSend).toHaveBeenLastCalledWith({ text: 'Copia.', attachments: [], email: { subject: null, html: null, cc: ['rebote@x.co', 'otra@x.co'] } });
    expect(await screen.findAllByText(/Estas direcciones están suprimidas: rebote@x.co\./)).not.toHaveLength(0);
    expect(cc).toHaveAccessibleDescription(/Estas direcciones están suprimidas/);
    expect(box).toHaveValue('Copia.'); // nothing lost
    // emptied: no copies go
    await user.clear(cc);
    await user.type(box, '{Enter}');
    expect(onSend).toHaveBeenLastCalledWith({ text: 'Copia.', attachments: [] });
  });

  it('keeps one "Re:" and offers no subject outside e-mail', () => {
    expect(replySubject('RE: Pedido')).toBe('RE: Pedido');
    expect(replySubject('  ')).toBe('');
    setup();
    expect(screen.queryByRole('textbox', { name: 'Asunto' })).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'CC' })).not.toBeInTheDocument();
  });

  it('lists quick replies on "/", previews the merge fields and inserts the preview', async () => {
    const { props, user, box } = setup();
    await user.type(box, '/sal');
    const listbox = screen.getByRole('listbox', { name: 'Respuestas rápidas' });
    expect(listbox).toHaveTextContent('/saludo');
    expect(listbox).not.toHaveTextContent('/horario');
    await screen.findByText('¡Hola Camila!');
    expect(props.loadPreview).toHaveBeenCalledWith('q1');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(box).toHaveValue('¡Hola Camila!'));
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    expect(props.onSend).not.toHaveBeenCalled();
  });

  it('keeps what was typed and shows the API message next to the field when sending fails', async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(422, { error: { code: 'validation_error', message: 'El texto es muy largo. / The text is too long.', details: [] } });
    });
    const { user, box } = setup({ onSend });
    await user.type(box, 'Un texto importante{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('El texto es muy largo.');
    expect(box).toHaveValue('Un texto importante');
    expect(box).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows the WhatsApp window countdown while it is open', () => {
    setup();
    expect(screen.getByText('La ventana de 24 h de WhatsApp cierra en 5 h.')).toBeInTheDocument();
    expect(screen.queryByRole('combobox', { name: 'Plantilla de WhatsApp' })).not.toBeInTheDocument();
  });

  it('sends an approved template with its parameters when the WhatsApp window is closed', async () => {
    const onSend = vi.fn(async () => ({}));
    const user = userEvent.setup();
    render(
      <I18nProvider initial="es">
        <Composer conversation={{ id: 'closed-window', channel: 'whatsapp', status: 'open', account_id: 'demo-whatsapp', window_expires_at: null, reply_window_expires_at: null }}
          quickReplies={replies} templates={templates} mentionables={[]} loadPreview={vi.fn()} onSend={onSend} onNote={vi.fn()} now={NOW} />
      </I18nProvider>,
    );
    expect(screen.getByText(/ventana de 24 h de WhatsApp está cerrada/)).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Mensaje' })).not.toBeInTheDocument();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Plantilla de WhatsApp' }), 'demo-whatsapp.seguimiento.es');
    await user.type(screen.getByRole('textbox', { name: 'Parámetro 1' }), 'Camila');
    await user.type(screen.getByRole('textbox', { name: 'Parámetro 2' }), 'tu pedido');
    await user.click(screen.getByRole('button', { name: 'Enviar plantilla' }));
    expect(onSend).toHaveBeenCalledWith({ text: null, attachments: [], template: { name: 'seguimiento', language: 'es', parameters: ['Camila', 'tu pedido'] } });
  });

  it('notes mode: @ suggests teammates and the note carries their ids', async () => {
    const { props, user } = setup();
    await user.click(screen.getByRole('radio', { name: 'Nota interna' }));
    const box = screen.getByRole('textbox', { name: 'Nota interna' });
    await user.type(box, 'Revisa esto @ale');
    expect(screen.getByRole('listbox', { name: 'Mencionar a' })).toHaveTextContent('@Alejandra Agente');
    await user.keyboard('{Enter}');
    expect(box).toHaveValue('Revisa esto @Alejandra Agente ');
    await user.keyboard('{Enter}');
    expect(props.onNote).toHaveBeenCalledWith({ text: 'Revisa esto @Alejandra Agente', mentions: ['u2'] });
    expect(props.onSend).not.toHaveBeenCalled();
  });

  it('a closed conversation has no composer', () => {
    render(
      <I18nProvider initial="es">
        <Composer conversation={{ id: 'x', channel: 'sms', status: 'closed', account_id: 'a', window_expires_at: null, reply_window_expires_at: null }}
          quickReplies={[]} templates={[]} mentionables={[]} loadPreview={vi.fn()} onSend={vi.fn()} onNote={vi.fn()} now={NOW} />
      </I18nProvider>,
    );
    expect(screen.getByText('La conversación está cerrada. Reábrela para responder.')).toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
  });
});
