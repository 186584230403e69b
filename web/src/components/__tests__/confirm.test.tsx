import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api-client';
import { I18nProvider } from '@/lib/i18n';
import { Confirm } from '../confirm';

describe('Confirm', () => {
  it('names the action on its button, shows the API refusal in the dialog and cancels', async () => {
    const onConfirm = vi.fn();
    const onClose = vi.fn();
    const refusal = new ApiError(409, { error: { code: 'conflict', message: 'La campaña ya salió. / The campaign already went out.', details: null } });
    render(
      <I18nProvider initial="es">
        <Confirm open title="¿Enviar «Boletín»?" confirm="Enviar ahora" error={refusal} onConfirm={onConfirm} onClose={onClose}>
          <p>Sale para 2 personas.</p>
        </Confirm>
      </I18nProvider>,
    );
    const user = userEvent.setup();
    const dialog = screen.getByRole('dialog', { name: '¿Enviar «Boletín»?' });
    expect(dialog).toHaveTextContent('Sale para 2 personas.');
    expect(screen.getByRole('alert')).toHaveTextContent('La campaña ya salió.');
    await user.click(screen.getByRole('button', { name: 'Enviar ahora' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Cancelar' }));
    expect(onClose).toHaveBeenCalled();
  });
});
