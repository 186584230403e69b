import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { CrmPipelinesSettings } from '../routes/crm-stages';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin', permissions: ['contacts:manage'],
  brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }],
  time_zone: 'America/Bogota', language: 'es',
};

const PIPELINE = {
  id: 'p1', name: 'Ventas', is_default: true,
  stages: [
    { id: 'nuevo', name: 'Nuevo', probability: 10, outcome: 'open', position: 0 },
    { id: 'ganado', name: 'Ganado', probability: 100, outcome: 'won', position: 1 },
  ],
};

describe('CRM settings: pipelines', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('adds a stage between two others, keeps the existing stage ids, and shows the API message on the stage it names', async () => {
    const patches: unknown[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/pipelines/p1' && request.method === 'PATCH') {
        const body = (await request.json()) as { stages: { id?: string; name: string; probability: number; outcome: string }[] };
        patches.push(body);
        if (patches.length === 1) {
          return json(422, {
            error: {
              code: 'validation_error', message: 'Las etapas no son válidas. / The stages are not valid.',
              details: [{ field: 'stages[1].probability', message: 'Debe estar entre 0 y 100. / Must be between 0 and 100.' }],
            },
          });
        }
        return json(200, { ...PIPELINE, stages: body.stages.map((s, i) => ({ id: s.id ?? 'propuesta', ...s, position: i })) });
      }
      if (url.pathname === '/v1/pipelines') return json(200, { items: [PIPELINE], next_cursor: null });
      return json(200, { items: [], next_cursor: null });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    renderWithProviders(<CrmPipelinesSettings />, { path: '/settings/crm-pipelines' });

    const card = await screen.findByRole('article', { name: /Ventas/ });
    await user.click(within(card).getByRole('button', { name: 'Agregar otro' }));
    await user.type(within(card).getByLabelText(/^Nombre de la etapa 3/), 'Propuesta');
    await user.clear(within(card).getByLabelText(/^Probabilidad de la etapa 3/));
    await user.type(within(card).getByLabelText(/^Probabilidad de la etapa 3/), '150');
    await user.click(within(card).getByRole('button', { name: 'Subir Propuesta' }));
    await user.click(within(card).getByRole('button', { name: 'Guardar etapas' }));

    expect(await within(card).findByLabelText(/^Probabilidad de la etapa 2/)).toHaveAccessibleDescription('Debe estar entre 0 y 100.');
    expect(within(card).getByLabelText(/^Nombre de la etapa 2/)).toHaveValue('Propuesta'); // what was typed stays
    await user.clear(within(card).getByLabelText(/^Probabilidad de la etapa 2/));
    await user.type(within(card).getByLabelText(/^Probabilidad de la etapa 2/), '50');
    await user.click(within(card).getByRole('button', { name: 'Guardar etapas' }));

    expect(await within(card).findByRole('status')).toHaveTextContent('Guardado.');
    expect(patches.at(-1)).toEqual({
      stages: [
        { id: 'nuevo', name: 'Nuevo', probability: 10, outcome: 'open' },
        { name: 'Propuesta', probability: 50, outcome: 'open' },
        { id: 'ganado', name: 'Ganado', probability: 100, outcome: 'won' },
      ],
    });
  });
});
