import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '@/lib/session';
import { renderWithProviders } from '@/testing/render';
import { NewAutomationRoute } from '../routes/builder';
import { json } from '@/testing/http';

const ME = {
  id: 'u1', email: 'admin@demo.local', name: 'Ana', role: 'admin',
  permissions: ['automations:manage', 'contacts:manage'],
  brand: { id: 'demo', name: 'Demo', role: 'admin' }, brands: [{ id: 'demo', name: 'Demo', role: 'admin' }],
  time_zone: 'America/Bogota', language: 'es',
};

describe('Automation builder', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('builds "tag added → branch → create task", shows the API errors on the boxes they name, then saves', async () => {
    const posts: unknown[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/me') return json(200, ME);
      if (url.pathname === '/v1/automations' && request.method === 'POST') {
        const body = (await request.json()) as { steps: { type: string; then?: { title?: string }[] }[] };
        posts.push(body);
        if (posts.length === 1) {
          return json(422, {
            error: {
              code: 'validation_error',
              message: 'La automatización no es válida. / The automation is not valid.',
              details: [{ field: 'steps.0.branch.then.0.create_task.title', message: 'El título es obligatorio. / The title is required.' }],
            },
          });
        }
        return json(201, { id: 'a1', version: 1, ...body });
      }
      if (url.pathname === '/v1/automations/a1') return json(200, { id: 'a1', version: 1, ...(posts.at(-1) as object) });
      if (url.pathname === '/v1/crm/tags') return json(200, { items: [{ name: 'Llamar nuevamente' }], next_cursor: null });
      return json(200, { items: [], next_cursor: null });
    });
    setSession({ tokens: { idToken: 't', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3600_000 }, brandId: 'demo' });
    const user = userEvent.setup();
    const { router } = renderWithProviders(<NewAutomationRoute />, { path: '/automations/new' });

    await user.type(await screen.findByLabelText(/^Nombre/), 'Seguimiento');
    // The trigger is selected first: "a tag is added" with its tag.
    expect(screen.getByLabelText('Tipo de disparador')).toHaveValue('tag_added');
    await user.type(screen.getByLabelText(/^Etiqueta/), 'Llamar nuevamente');
    const flow = screen.getByRole('list', { name: 'Flujo de la automatización' });
    expect(within(flow).getByRole('button', { name: /Cuando: Se agrega una etiqueta «Llamar nuevamente»/ })).toBeInTheDocument();

    // A branch as the first step, a task in its "yes" arm (left empty: the API names it).
    await user.click(within(flow).getByRole('button', { name: 'Agregar el primer paso' }));
    await user.selectOptions(screen.getByLabelText('Tipo de paso'), 'branch');
    await user.click(within(flow).getByRole('button', { name: 'Agregar un paso en «si se cumple»' }));
    await user.selectOptions(screen.getByLabelText('Tipo de paso'), 'create_task');
    // The new step is the one being edited.
    expect(screen.getByRole('heading', { level: 2, name: 'Crear tarea' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Guardar' }));

    await screen.findByText(/La automatización no es válida\. Revisa las partes marcadas/);
    const taskBox = within(flow).getByRole('button', { name: /si se cumple: Paso 2: Crear tarea/ });
    expect(taskBox.closest('.flow-box')).toHaveClass('flow-box-invalid');
    expect(within(flow).getAllByText('Tiene un error')).toHaveLength(1);
    // The message sits on the field it names, in Spanish only.
    const title = screen.getByLabelText(/^Título/);
    expect(title).toHaveAccessibleDescription('El título es obligatorio.');
    await user.type(title, 'Llamar al cliente');
    await user.type(screen.getByLabelText('Vence en (minutos)'), '30');
    await user.click(screen.getByRole('button', { name: 'Guardar' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/automations/a1'));
    expect(posts.at(-1)).toEqual({
      name: 'Seguimiento',
      kind: 'workflow',
      description: null,
      conditions: null,
      event_conditions: [],
      once_per_person: false,
      active: true,
      trigger: { type: 'tag_added', tag: 'Llamar nuevamente' },
      steps: [{
        type: 'branch',
        conditions: { all: [{ field: 'tags', op: 'has_tag', value: '' }] },
        then: [{ type: 'create_task', title: 'Llamar al cliente', due_in_minutes: 30 }],
        else: [],
      }],
    });
  });
});
