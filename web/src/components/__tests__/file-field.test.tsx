import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { FileField } from '../ui';

describe('FileField', () => {
  it('is named by its label, opens from a button in the UI language and shows the chosen names', async () => {
    const onChange = vi.fn();
    render(
      <I18nProvider initial="es">
        <FileField label="Archivo CSV o Excel (.xlsx)" hint="Máximo 50 MB." onChange={onChange} />
      </I18nProvider>,
    );
    const input = screen.getByLabelText('Archivo CSV o Excel (.xlsx)');
    expect(input).toHaveAttribute('type', 'file');
    expect(input).toHaveClass('visually-hidden');
    // the Spanish button is a label of the input: a click on it opens the picker
    expect(screen.getByText('Elegir archivo').closest('label')).toHaveAttribute('for', input.id);
    expect(input).toHaveAccessibleDescription('Ningún archivo elegido Máximo 50 MB.');
    await userEvent.setup().upload(input, new File(['a,b'], 'clientes.csv', { type: 'text/csv' }));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(screen.getByText('clientes.csv')).toBeInTheDocument();
    expect(input).toHaveAccessibleDescription('clientes.csv Máximo 50 MB.');
  });

  it('speaks English in an English UI and leaves the names to a caller that lists the files', () => {
    render(
      <I18nProvider initial="en">
        <FileField label="Attachments" multiple listed />
      </I18nProvider>,
    );
    expect(screen.getByText('Choose files')).toBeInTheDocument();
    expect(screen.queryByText('No file chosen')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Attachments')).toHaveAttribute('multiple');
  });
});
