import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/testing/render';
import { ColumnMapping, mappingIsValid } from '../components/column-mapping';
import { customKeyFor, initialMapping, type Mapping } from '../lib/mapping';

const HEADERS = ['Nombre completo', 'Celular', 'Correo', 'Ciudad natal', 'Cargo'];
const SUGGESTED: Mapping = { 'Nombre completo': 'name', Celular: 'phone', Correo: 'email', 'Ciudad natal': null, Cargo: 'custom:cargo' };

function Harness({ errors, suggested = SUGGESTED }: { errors?: Record<string, string>; suggested?: Mapping }) {
  const [mapping, setMapping] = useState<Mapping>(() => initialMapping(HEADERS, suggested));
  return (
    <>
      <ColumnMapping headers={HEADERS} mapping={mapping} suggested={suggested} onChange={setMapping}
        customFields={[{ key: 'cargo', label: 'Cargo' }]} errors={errors} />
      <pre data-testid="mapping">{JSON.stringify(mapping)}</pre>
      <output data-testid="valid">{String(mappingIsValid(mapping))}</output>
    </>
  );
}

const mapping = () => JSON.parse(screen.getByTestId('mapping').textContent ?? '{}') as Mapping;
const row = (header: string) => screen.getByRole('row', { name: new RegExp(`^${header}`) });

describe('ColumnMapping', () => {
  it("preselects the server's suggestion and marks it", () => {
    renderWithProviders(<Harness />);
    expect(screen.getByLabelText('Celular')).toHaveDisplayValue('Celular / teléfono');
    expect(screen.getByLabelText('Cargo')).toHaveDisplayValue('Cargo');
    expect(within(row('Celular')).getByText('Sugerido')).toBeInTheDocument();
    expect(screen.getByLabelText('Ciudad natal')).toHaveDisplayValue('No importar');
    expect(within(row('Ciudad natal')).queryByText('Sugerido')).toBeNull();
    expect(screen.getByTestId('valid')).toHaveTextContent('true');
  });

  it('a target taken by another column moves to the new one; a new custom field can be created', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.selectOptions(screen.getByLabelText('Correo'), 'phone');
    expect(mapping()).toMatchObject({ Correo: 'phone', Celular: null });
    await user.selectOptions(screen.getByLabelText('Ciudad natal'), 'Crear el campo «Ciudad natal»');
    expect(mapping()['Ciudad natal']).toBe(`custom:${customKeyFor('Ciudad natal')}`);
    expect(mapping()['Ciudad natal']).toBe('custom:ciudad_natal');
    // Celular is no longer suggested-and-kept: no badge on a cleared column
    expect(within(row('Celular')).queryByText('Sugerido')).toBeNull();
  });

  it('says what is missing before the import can start', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.selectOptions(screen.getByLabelText('Nombre completo'), '');
    expect(screen.getByRole('alert')).toHaveTextContent('Asigna la columna del nombre.');
    await user.selectOptions(screen.getByLabelText('Celular'), '');
    await user.selectOptions(screen.getByLabelText('Correo'), '');
    expect(screen.getByRole('alert')).toHaveTextContent('Asigna la columna del celular o del correo.');
    expect(screen.getByTestId('valid')).toHaveTextContent('false');
    await user.selectOptions(screen.getByLabelText('Nombre completo'), 'first_name');
    await user.selectOptions(screen.getByLabelText('Correo'), 'email');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('valid')).toHaveTextContent('true');
  });

  it("shows the API's message next to the column it names", () => {
    renderWithProviders(<Harness errors={{ Cargo: 'Campo de destino desconocido: custom:cargo', mapping: 'Asigne la columna del nombre' }} />);
    const select = screen.getByLabelText('Cargo');
    expect(select).toHaveAttribute('aria-invalid', 'true');
    expect(within(row('Cargo')).getByRole('alert')).toHaveTextContent('Campo de destino desconocido: custom:cargo');
    expect(within(row('Celular')).queryByRole('alert')).toBeNull();
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain('Asigne la columna del nombre');
  });

  it('is in English for English users', () => {
    renderWithProviders(<Harness />, { language: 'en' });
    expect(screen.getByLabelText('Celular')).toHaveDisplayValue('Mobile / phone');
    expect(screen.getByLabelText('Ciudad natal')).toHaveDisplayValue('Do not import');
    expect(within(row('Correo')).getByText('Suggested')).toBeInTheDocument();
  });
});
