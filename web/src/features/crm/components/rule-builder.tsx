/**
 * The segment rule builder: nested all/any groups of conditions. Every control has a label; errors
 * from the API (`$.all[0].value`) are shown next to the control they name.
 */
import { cloneElement, useId, type ReactElement } from 'react';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { Button } from '@/components/ui';
import {
  adaptValue,
  CHANNELS,
  DAY_VALUE_OPS,
  defaultValue,
  depthOf,
  kindOf,
  LEAD_STATUSES,
  LIST_OPS,
  MAX_DEPTH,
  newCondition,
  newGroup,
  NO_VALUE_OPS,
  OPS_BY_KIND,
  pathsById,
  updateNode,
  type ConditionNode,
  type FieldChoice,
  type GroupNode,
  type Kind,
  type Op,
  type Value,
} from '../lib/rules';

interface Props {
  value: GroupNode;
  onChange: (next: GroupNode) => void;
  fields: FieldChoice[];
  /** API error messages keyed by JSON path (`$.all[1].op`). */
  errors?: Record<string, string>;
}

export function RuleBuilder({ value, onChange, fields, errors = {} }: Props) {
  const paths = pathsById(value);
  return <Group node={value} root={value} onChange={onChange} fields={fields} errors={errors} paths={paths} isRoot />;
}

interface NodeProps {
  root: GroupNode;
  onChange: (next: GroupNode) => void;
  fields: FieldChoice[];
  errors: Record<string, string>;
  paths: Map<string, string>;
}

function errorFor(errors: Record<string, string>, path: string | undefined, suffix = ''): string | undefined {
  if (!path) return undefined;
  return errors[`${path}${suffix}`];
}

function Group({ node, isRoot = false, ...props }: NodeProps & { node: GroupNode; isRoot?: boolean }) {
  const { t } = useI18n();
  const { root, onChange } = props;
  const path = props.paths.get(node.id);
  const depth = depthOf(root, node.id);
  const set = (fn: (g: GroupNode) => GroupNode) => onChange(updateNode(root, node.id, (n) => fn(n as GroupNode)));
  const groupError = errorFor(props.errors, path, `.${node.mode}`) ?? errorFor(props.errors, path);
  return (
    <fieldset className="rule-group" data-depth={depth}>
      <legend>{isRoot ? t('crm.rule.root') : t('crm.rule.group')}</legend>
      <label>
        <span className="visually-hidden">{t('crm.rule.mode')}</span>
        <select aria-label={t('crm.rule.mode')} value={node.mode} onChange={(e) => set((g) => ({ ...g, mode: e.target.value as 'all' | 'any' }))}>
          <option value="all">{t('crm.rule.all')}</option>
          <option value="any">{t('crm.rule.any')}</option>
        </select>
      </label>
      {groupError ? <p className="field-error" role="alert">{groupError}</p> : null}
      <ul className="plain rule-children">
        {node.children.map((child) =>
          child.type === 'group' ? (
            <li key={child.id}>
              <Group node={child} {...props} />
            </li>
          ) : (
            <li key={child.id}>
              <Condition node={child} {...props} />
            </li>
          ),
        )}
      </ul>
      <div className="row">
        <Button onClick={() => set((g) => ({ ...g, children: [...g.children, newCondition(props.fields[0])] }))}>
          {t('crm.rule.addCondition')}
        </Button>
        {depth < MAX_DEPTH ? (
          <Button onClick={() => set((g) => ({ ...g, children: [...g.children, newGroup(g.mode === 'all' ? 'any' : 'all')] }))}>
            {t('crm.rule.addGroup')}
          </Button>
        ) : null}
        {!isRoot ? (
          <Button variant="ghost" onClick={() => onChange(updateNode(root, node.id, () => null))}>
            {t('crm.rule.removeGroup')}
          </Button>
        ) : null}
      </div>
    </fieldset>
  );
}

/** A label, its control and the API's error (described-by, so it is not part of the label). */
function Control({ label, error, children }: { label: string; error?: string | undefined; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': error ? `${id}-error` : undefined,
      })}
      {error ? <p id={`${id}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

function fieldLabel(t: (k: MessageKey) => string, choice: FieldChoice): string {
  return choice.label ?? t(`crm.rule.field.${choice.field}` as MessageKey);
}

function Condition({ node, ...props }: NodeProps & { node: ConditionNode }) {
  const { t } = useI18n();
  const { root, onChange, fields } = props;
  const path = props.paths.get(node.id);
  const kind: Kind = kindOf(node.field, fields) ?? 'text';
  const choice = fields.find((f) => f.field === node.field);
  const set = (patch: Partial<ConditionNode>) =>
    onChange(updateNode(root, node.id, (n) => ({ ...(n as ConditionNode), ...patch })));
  const fieldError = errorFor(props.errors, path, '.field');
  const opError = errorFor(props.errors, path, '.op');
  const valueError =
    errorFor(props.errors, path, '.value') ??
    Object.entries(props.errors).find(([k]) => path && k.startsWith(`${path}.value[`))?.[1] ??
    errorFor(props.errors, path);
  const name = choice ? fieldLabel(t, choice) : node.field;
  return (
    <div className="rule-condition" role="group" aria-label={t('crm.rule.condition', { field: name })}>
      <Control label={t('crm.rule.fieldLabel')} error={fieldError}>
        <select value={node.field} onChange={(e) => {
          const next = fields.find((f) => f.field === e.target.value);
          const nextKind = next?.kind ?? 'text';
          const op = (OPS_BY_KIND[nextKind].includes(node.op) ? node.op : OPS_BY_KIND[nextKind][0]) as Op;
          set({ field: e.target.value, op, value: nextKind === kind ? adaptValue(nextKind, node.op, op, node.value) : defaultValue(nextKind, op) });
        }}>
          {choice ? null : <option value={node.field}>{node.field}</option>}
          {fields.map((f) => (
            <option key={f.field} value={f.field}>{fieldLabel(t, f)}</option>
          ))}
        </select>
      </Control>
      <Control label={t('crm.rule.opLabel')} error={opError}>
        <select value={node.op}
          onChange={(e) => {
            const op = e.target.value as Op;
            set({ op, value: adaptValue(kind, node.op, op, node.value) });
          }}>
          {OPS_BY_KIND[kind].map((op) => (
            <option key={op} value={op}>{t(`crm.rule.op.${op}` as MessageKey)}</option>
          ))}
        </select>
      </Control>
      {NO_VALUE_OPS.has(node.op) ? null : (
        <ValueInput kind={kind} op={node.op} value={node.value} options={choice?.options} error={valueError}
          onChange={(value) => set({ value })} />
      )}
      <Button variant="ghost" onClick={() => onChange(updateNode(root, node.id, () => null))}
        aria-label={t('crm.rule.removeCondition', { field: name })}>
        ×
      </Button>
    </div>
  );
}

function ValueInput({ kind, op, value, options, error, onChange }: {
  kind: Kind; op: Op; value: Value; options?: string[] | undefined; error?: string | undefined; onChange: (v: Value) => void;
}) {
  const { t } = useI18n();
  let control: ReactElement<Record<string, unknown>>;
  if (DAY_VALUE_OPS.has(op)) {
    control = (
      <input type="number" min={1} value={typeof value === 'number' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />
    );
  } else if (LIST_OPS.has(op)) {
    const text = Array.isArray(value) ? value.join(', ') : '';
    control = (
      <input type="text" defaultValue={text} placeholder={t('crm.rule.listHint')}
        onBlur={(e) => onChange(splitList(e.target.value, kind))}
        onChange={(e) => onChange(splitList(e.target.value, kind))} />
    );
  } else if (kind === 'boolean') {
    control = (
      <select value={String(value)} onChange={(e) => onChange(e.target.value === 'true')}>
        <option value="true">{t('crm.yes')}</option>
        <option value="false">{t('crm.no')}</option>
      </select>
    );
  } else if (kind === 'lead_status' || kind === 'channel' || (kind === 'option' && options?.length)) {
    const choices: readonly string[] = kind === 'lead_status' ? LEAD_STATUSES : kind === 'channel' ? CHANNELS : (options ?? []);
    control = (
      <select value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
        {kind === 'option' ? <option value="">{t('crm.choose')}</option> : null}
        {choices.map((c) => (
          <option key={c} value={c}>
            {kind === 'lead_status' ? t(`crm.rule.lead.${c}` as MessageKey) : kind === 'channel' ? t(`crm.identity.${c}` as MessageKey) : c}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'number') {
    control = (
      <input type="number" value={typeof value === 'number' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />
    );
  } else {
    const type = kind === 'date' || kind === 'datetime' ? 'date' : 'text';
    control = (
      <input type={type} value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)} />
    );
  }
  return <Control label={t('crm.rule.valueLabel')} error={error}>{control}</Control>;
}

function splitList(text: string, kind: Kind): Value {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  return kind === 'number' ? parts.map(Number) : parts;
}
