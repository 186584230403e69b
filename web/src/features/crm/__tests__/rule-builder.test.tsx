import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/testing/render';
import { RuleBuilder } from '../components/rule-builder';
import { fieldChoices, fromJson, toJson, type GroupNode, type RuleJson } from '../lib/rules';

const CUSTOM = [
  { key: 'ciudad', label: 'Ciudad', type: 'dropdown', options: ['Bogotá', 'Medellín'] },
  { key: 'edad', label: 'Edad', type: 'number', options: [] },
];

/** The builder with its state, printing the JSON the API would receive. */
function Harness({ initial, errors }: { initial: RuleJson; errors?: Record<string, string> }) {
  const [rule, setRule] = useState<GroupNode>(() => fromJson(initial));
  return (
    <>
      <RuleBuilder value={rule} onChange={setRule} fields={fieldChoices(CUSTOM)} errors={errors} />
      <pre data-testid="json">{JSON.stringify(toJson(rule))}</pre>
    </>
  );
}

const json = () => JSON.parse(screen.getByTestId('json').textContent ?? '{}') as unknown;

describe('RuleBuilder', () => {
  it('edits a condition: field, operation and value become the API rule', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={{ all: [{ field: 'tags', op: 'has_tag', value: 'vip' }] }} />);
    const condition = screen.getByRole('group', { name: 'Condición sobre Etiquetas' });
    await user.selectOptions(within(condition).getByLabelText('Campo'), 'name');
    const byName = screen.getByRole('group', { name: 'Condición sobre Nombre' });
    // Text operations now; "has the tag" is gone.
    const ops = within(byName).getByLabelText('Operación');
    expect(within(ops).queryByRole('option', { name: 'tiene la etiqueta' })).toBeNull();
    await user.selectOptions(ops, 'starts_with');
    const value = within(byName).getByLabelText('Valor');
    await user.clear(value);
    await user.type(value, 'Ana');
    expect(json()).toEqual({ all: [{ field: 'name', op: 'starts_with', value: 'Ana' }] });
  });

  it('nests groups and switches all/any; presence operations carry no value', async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={{ all: [{ field: 'tags', op: 'has_tag', value: 'vip' }] }} />);
    await user.click(screen.getByRole('button', { name: 'Agregar grupo' }));
    const group = screen.getByRole('group', { name: 'Grupo' });
    // The new group defaults to "any" under an "all" root, with one condition on tags.
    expect(within(group).getByLabelText('Cómo se combinan las condiciones')).toHaveValue('any');
    const inner = within(group).getByRole('group', { name: 'Condición sobre Etiquetas' });
    await user.selectOptions(within(inner).getByLabelText('Campo'), 'email');
    await user.selectOptions(within(group).getAllByLabelText('Operación')[0] as HTMLSelectElement, 'not_exists');
    expect(within(group).queryByLabelText('Valor')).toBeNull();
    await user.selectOptions(screen.getAllByLabelText('Cómo se combinan las condiciones')[0] as HTMLSelectElement, 'any');
    expect(json()).toEqual({
      any: [{ field: 'tags', op: 'has_tag', value: 'vip' }, { any: [{ field: 'email', op: 'not_exists' }] }],
    });
  });

  it("offers a dropdown field's options, a number input for numbers, lists for 'is one of'", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness initial={{ all: [{ field: 'custom.ciudad', op: 'eq', value: 'Bogotá' }] }} />);
    const city = screen.getByRole('group', { name: 'Condición sobre Ciudad' });
    const value = within(city).getByLabelText('Valor');
    expect(within(value).getAllByRole('option').map((o) => o.textContent)).toEqual(['Elegir…', 'Bogotá', 'Medellín']);
    await user.selectOptions(value, 'Medellín');
    await user.click(screen.getByRole('button', { name: 'Agregar condición' }));
    const added = screen.getAllByRole('group', { name: /Condición sobre/ })[1] as HTMLElement;
    await user.selectOptions(within(added).getByLabelText('Campo'), 'custom.edad');
    await user.selectOptions(within(added).getByLabelText('Operación'), 'in');
    await user.type(within(added).getByLabelText('Valor'), '18, 21');
    expect(json()).toEqual({
      all: [{ field: 'custom.ciudad', op: 'eq', value: 'Medellín' }, { field: 'custom.edad', op: 'in', value: [18, 21] }],
    });
    await user.click(screen.getByRole('button', { name: 'Quitar la condición sobre Ciudad' }));
    expect(json()).toEqual({ all: [{ field: 'custom.edad', op: 'in', value: [18, 21] }] });
  });

  it("shows the API's messages next to the control its path names", () => {
    renderWithProviders(
      <Harness
        initial={{ all: [{ field: 'tags', op: 'has_tag', value: 'vip' }, { any: [{ field: 'last_interaction_at', op: 'within_last_days', value: 0 }] }] }}
        errors={{ '$.all[1].any[0].value': 'Se esperaba un número de días entre 1 y 36500' }}
      />,
    );
    const dated = screen.getByRole('group', { name: 'Condición sobre Última interacción' });
    expect(within(dated).getByRole('alert')).toHaveTextContent('Se esperaba un número de días entre 1 y 36500');
    expect(within(dated).getByLabelText('Valor')).toHaveAttribute('aria-invalid', 'true');
    const tags = screen.getByRole('group', { name: 'Condición sobre Etiquetas' });
    expect(within(tags).queryByRole('alert')).toBeNull();
  });

  it('speaks English when the user chose it', () => {
    renderWithProviders(<Harness initial={{ any: [{ field: 'channel', op: 'eq', value: 'whatsapp' }] }} />, { language: 'en' });
    const channel = screen.getByRole('group', { name: 'Condition on Channel' });
    expect(within(channel).getByLabelText('Operation')).toHaveDisplayValue('equals');
    expect(within(channel).getByLabelText('Value')).toHaveDisplayValue('WhatsApp');
    expect(screen.getByLabelText('How the conditions combine')).toHaveDisplayValue('Matches any');
  });
});
