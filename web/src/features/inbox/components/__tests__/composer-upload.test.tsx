import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { uploaderFor } from '../../api/uploads';
import { Composer, type ComposerProps } from '../composer';
import { json } from '@/testing/http';

/** Stands in for the browser's XHR to the presigned URL: records the PUT, reports progress. */
class FakeXhr {
  static sent: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  static status = 200;
  static release: (() => void) | null = null;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  private method = '';
  private url = '';
  private headers: Record<string, string> = {};
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  send(body: unknown) {
    FakeXhr.sent.push({ method: this.method, url: this.url, headers: this.headers, body });
    this.upload.onprogress?.({ lengthComputable: true, loaded: 4, total: 10 });
    // The test finishes the transfer when it has seen the progress.
    FakeXhr.release = () => {
      this.status = FakeXhr.status;
      this.onload?.();
    };
  }
}

function setup(channel = 'whatsapp') {
  const conversationId = 'c1';
  const props: ComposerProps = {
    conversation: { id: conversationId, channel, status: 'open', account_id: 'a1', window_expires_at: '2026-12-06T20:00:00Z', reply_window_expires_at: null },
    quickReplies: [],
    templates: [],
    mentionables: [],
    loadPreview: vi.fn(async () => ({ text: '' })),
    onSend: vi.fn(async () => ({})),
    onNote: vi.fn(async () => ({})),
    now: Date.parse('2026-12-06T12:00:00Z'),
    upload: uploaderFor(conversationId),
  };
  render(
    <I18nProvider initial="es">
      <Composer {...props} />
    </I18nProvider>,
  );
  return { props, user: userEvent.setup() };
}

describe('Composer uploads', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeXhr.sent = [];
    FakeXhr.status = 200;
    FakeXhr.release = null;
  });

  it('asks for an upload, PUTs the file with its type showing progress, then sends the reply by upload id', async () => {
    const requests: { url: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', async (input: Request) => {
      requests.push({ url: input.url, body: await input.clone().json() });
      return json(201, {
        id: 'up_1', conversation_id: 'c1', filename: 'factura.pdf', content_type: 'application/pdf', max_bytes: 104857600,
        upload_url: 'http://127.0.0.1:9/media/demo/uploads/up_1/factura.pdf?sig=x', method: 'PUT', expires_in: 900,
      });
    });
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const { props, user } = setup();
    expect(screen.getByText(/WhatsApp: imágenes JPEG\/PNG hasta 5 MB/)).toBeInTheDocument();

    const file = new File(['%PDF-1.4 x'], 'factura.pdf', { type: 'application/pdf' });
    await user.upload(screen.getByLabelText('Adjuntar archivos'), file);

    expect(await screen.findByText('Subiendo factura.pdf: 40 %')).toBeInTheDocument();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toMatch(/\/v1\/conversations\/c1\/uploads$/);
    expect(requests[0]?.body).toEqual({ filename: 'factura.pdf', content_type: 'application/pdf', size: 10 });
    expect(FakeXhr.sent[0]).toMatchObject({ method: 'PUT', url: 'http://127.0.0.1:9/media/demo/uploads/up_1/factura.pdf?sig=x', headers: { 'content-type': 'application/pdf' } });
    expect(FakeXhr.sent[0]?.body).toBe(file);
    // Sending waits for the file still on its way.
    expect(screen.getByRole('button', { name: 'Enviar' })).toBeDisabled();

    FakeXhr.release?.();
    await waitFor(() => expect(screen.queryByText(/Subiendo factura.pdf/)).not.toBeInTheDocument());
    await user.type(screen.getByRole('textbox', { name: 'Mensaje' }), 'Te envío la factura{Enter}');
    expect(props.onSend).toHaveBeenCalledWith({
      text: 'Te envío la factura',
      attachments: [{ upload_id: 'up_1', filename: 'factura.pdf' }],
    });
  });

  it('shows the API refusal (type or size for this channel) in the user language, and a failed PUT', async () => {
    vi.stubGlobal('fetch', async (input: Request) => {
      const body = (await input.clone().json()) as { filename: string };
      if (body.filename === 'grande.png') {
        return json(422, { error: { code: 'upload_too_large', message: 'El archivo supera el límite de 5 MB del canal. / The file exceeds the channel limit of 5 MB.', details: { max_bytes: 5242880 } } });
      }
      return json(201, { id: 'up_2', conversation_id: 'c1', filename: 'foto.jpg', content_type: 'image/jpeg', max_bytes: 5242880, upload_url: 'http://127.0.0.1:9/put', method: 'PUT', expires_in: 900 });
    });
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const { props, user } = setup('sms');
    expect(screen.getByText('SMS (MMS): imágenes JPEG/PNG/GIF hasta 5 MB.')).toBeInTheDocument();

    await user.upload(screen.getByLabelText('Adjuntar archivos'), new File(['x'], 'grande.png', { type: 'image/png' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No se pudo adjuntar grande.png: El archivo supera el límite de 5 MB del canal.');
    expect(FakeXhr.sent).toHaveLength(0);

    FakeXhr.status = 403; // e.g. the signed URL expired
    await user.upload(screen.getByLabelText('Adjuntar archivos'), new File(['x'], 'foto.jpg', { type: 'image/jpeg' }));
    await waitFor(() => expect(FakeXhr.release).not.toBeNull());
    FakeXhr.release?.();
    expect(await screen.findByText('No se pudo adjuntar foto.jpg: la subida se interrumpió. Inténtalo de nuevo.')).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Mensaje' }), 'Hola{Enter}');
    expect(props.onSend).toHaveBeenCalledWith({ text: 'Hola', attachments: [] });
  });
});
