/**
 * /settings/crm-tags, /settings/crm-customer-roles, /settings/crm-task-types: the CRM's named
 * vocabularies. Tags are keyed by their name: renaming one moves its people to the new name in
 * the background (the count follows them); roles and task types by id (renamed in place);
 * built-in task types cannot change.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, Spinner, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { EditableText } from '@/features/crm/components/editable';
import { problemsOf } from '@/features/crm/lib/errors';
import { useCustomerRoleMutations, useCustomerRoles, useTagMutations, useTagPage, useTaskTypeMutations, useTaskTypes, type Tag, type TaskType } from '../crm-api';
import { ColorField, ConfirmDelete, Swatch } from './crm-common';
import { Pager } from '@/components/pager';

export function CrmTagsSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('contacts:manage');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const tags = useTagPage(cursors[cursors.length - 1] ?? null);
  const { create, update, remove } = useTagMutations();
  const [draft, setDraft] = useState({ name: '', color: '' });
  const [editing, setEditing] = useState<Tag | null>(null);
  const [deleting, setDeleting] = useState<Tag | null>(null);
  const problems = problemsOf(create.error, language);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: draft.name.trim(), color: draft.color.trim() || null }, { onSuccess: () => setDraft({ name: '', color: '' }) });
  };
  return (
    <section aria-labelledby="crm-tags-title">
      <h2 id="crm-tags-title">{t('settings.crmTags.title')}</h2>
      <p className="muted">{t('settings.crmTags.explain')}</p>
      {tags.isPending ? <Spinner label={t('common.loading')} /> : null}
      {tags.isError ? <Alert>{problemsOf(tags.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.crmTags.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.crmTags.name')}</th>
            <th scope="col">{t('settings.crmTags.count')}</th>
            {manage ? <th scope="col">{t('settings.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {(tags.data?.items ?? []).map((tag) => (
            <tr key={tag.name}>
              <td><Swatch color={tag.color} />{tag.name}</td>
              <td>{tag.count ?? 0}</td>
              {manage ? (
                <td>
                  <Button variant="ghost" onClick={() => { update.reset(); setEditing(tag); }} aria-label={t('settings.crm.editNamed', { name: tag.name })}>{t('crm.edit')}</Button>
                  <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(tag); }} aria-label={t('settings.deleteNamed', { name: tag.name })}>{t('settings.delete')}</Button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {tags.data?.items.length === 0 ? <p className="muted">{t('settings.crmTags.empty')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={tags.data?.next_cursor} />
      {manage ? (
        <form noValidate className="card" aria-label={t('settings.crmTags.new')} onSubmit={submit}>
          <h3>{t('settings.crmTags.new')}</h3>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.crmTags.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <ColorField label={t('settings.crm.color')} value={draft.color} onChange={(color) => setDraft({ ...draft, color })} error={problems.fields.color} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={t('settings.crm.editNamed', { name: editing?.name ?? '' })}>
        {editing ? (
          <TagForm tag={editing} error={update.error} busy={update.isPending} onCancel={() => setEditing(null)}
            onSave={(body) => update.mutate({ name: editing.name, body }, { onSuccess: () => setEditing(null) })} />
        ) : null}
      </Dialog>
      <ConfirmDelete name={deleting?.name ?? null} explain={t('settings.crmTags.deleteExplain', { name: deleting?.name ?? '' })}
        error={remove.error} busy={remove.isPending} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.name, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}

function TagForm({ tag, error, busy, onSave, onCancel }: { tag: Tag; error: unknown; busy: boolean; onSave: (body: { name?: string; color: string | null }) => void; onCancel: () => void }) {
  const { t, language } = useI18n();
  const [name, setName] = useState(tag.name);
  const [color, setColor] = useState(tag.color ?? '');
  const problems = problemsOf(error, language);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const renamed = name.trim() && name.trim() !== tag.name ? { name: name.trim() } : {};
    onSave({ ...renamed, color: color.trim() || null });
  };
  return (
    <form noValidate onSubmit={submit}>
      <p className="muted">{t('settings.crmTags.renameNote')}</p>
      {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
      <TextField label={t('settings.crmTags.name')} required value={name} onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
      <ColorField label={t('settings.crm.color')} value={color} onChange={setColor} error={problems.fields.color} />
      <div className="row">
        <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}

export function CrmCustomerRolesSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('contacts:manage');
  const roles = useCustomerRoles();
  const { create, update, remove } = useCustomerRoleMutations();
  const [draft, setDraft] = useState({ name: '', description: '' });
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const problems = problemsOf(create.error, language);
  const updateProblems = problemsOf(update.error, language);
  return (
    <section aria-labelledby="crm-roles-title">
      <h2 id="crm-roles-title">{t('settings.crmRoles.title')}</h2>
      <p className="muted">{t('settings.crmRoles.explain')}</p>
      {roles.isPending ? <Spinner label={t('common.loading')} /> : null}
      {roles.isError ? <Alert>{problemsOf(roles.error, language).message}</Alert> : null}
      {update.error && !Object.keys(updateProblems.fields).length ? <Alert>{updateProblems.message}</Alert> : null}
      <ul className="plain" aria-label={t('settings.crmRoles.title')}>
        {(roles.data ?? []).map((role) => (
          <li key={role.id} className="card">
            {manage ? (
              <>
                <EditableText label={t('settings.crmRoles.name')} value={role.name} busy={update.isPending}
                  error={update.variables?.id === role.id ? updateProblems.fields.name : undefined}
                  onSave={(name) => update.mutateAsync({ id: role.id, body: { name } })} />
                <EditableText label={t('settings.crmRoles.description')} value={role.description} busy={update.isPending}
                  error={update.variables?.id === role.id ? updateProblems.fields.description : undefined}
                  onSave={(description) => update.mutateAsync({ id: role.id, body: { description: description || null } })} />
                <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(role); }} aria-label={t('settings.deleteNamed', { name: role.name })}>{t('settings.delete')}</Button>
              </>
            ) : (
              <p><strong>{role.name}</strong> {role.description ? <span className="muted">— {role.description}</span> : null}</p>
            )}
          </li>
        ))}
      </ul>
      {roles.data?.length === 0 ? <p className="muted">{t('settings.crmRoles.empty')}</p> : null}
      {manage ? (
        <form noValidate className="card" aria-label={t('settings.crmRoles.new')} onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: draft.name.trim(), description: draft.description.trim() || null }, { onSuccess: () => setDraft({ name: '', description: '' }) });
        }}>
          <h3>{t('settings.crmRoles.new')}</h3>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.crmRoles.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <TextField label={t('settings.crmRoles.description')} value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} error={problems.fields.description} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
      <ConfirmDelete name={deleting?.name ?? null} explain={t('settings.crmRoles.deleteExplain', { name: deleting?.name ?? '' })}
        error={remove.error} busy={remove.isPending} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}

export function CrmTaskTypesSettings() {
  const { t, language } = useI18n();
  const edit = useAuth().can('contacts:edit');
  const types = useTaskTypes();
  const { create, update, remove } = useTaskTypeMutations();
  const [draft, setDraft] = useState({ name: '', color: '' });
  const [deleting, setDeleting] = useState<TaskType | null>(null);
  const problems = problemsOf(create.error, language);
  const updateProblems = problemsOf(update.error, language);
  return (
    <section aria-labelledby="crm-task-types-title">
      <h2 id="crm-task-types-title">{t('settings.crmTaskTypes.title')}</h2>
      {types.isPending ? <Spinner label={t('common.loading')} /> : null}
      {types.isError ? <Alert>{problemsOf(types.error, language).message}</Alert> : null}
      {update.error && !Object.keys(updateProblems.fields).length ? <Alert>{updateProblems.message}</Alert> : null}
      <ul className="plain" aria-label={t('settings.crmTaskTypes.title')}>
        {(types.data ?? []).map((type) => (
          <li key={type.id} className={edit && !type.builtin ? 'card' : undefined}>
            {edit && !type.builtin ? (
              <>
                <EditableText label={t('settings.crmTaskTypes.name')} value={type.name} busy={update.isPending}
                  error={update.variables?.id === type.id ? updateProblems.fields.name : undefined}
                  onSave={(name) => update.mutateAsync({ id: type.id, body: { name } })} />
                <EditableText label={t('settings.crm.color')} value={type.color} busy={update.isPending}
                  error={update.variables?.id === type.id ? updateProblems.fields.color : undefined}
                  onSave={(color) => update.mutateAsync({ id: type.id, body: { color: color || null } })} />
                <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(type); }} aria-label={t('settings.deleteNamed', { name: type.name })}>{t('settings.delete')}</Button>
              </>
            ) : (
              <p><Swatch color={type.color} /><strong>{type.name}</strong> {type.builtin ? <span className="badge">{t('settings.crmTaskTypes.builtin')}</span> : null}</p>
            )}
          </li>
        ))}
      </ul>
      {edit ? (
        <form noValidate className="card" aria-label={t('settings.crmTaskTypes.new')} onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: draft.name.trim(), color: draft.color.trim() || null }, { onSuccess: () => setDraft({ name: '', color: '' }) });
        }}>
          <h3>{t('settings.crmTaskTypes.new')}</h3>
          {problems.message && !Object.keys(problems.fields).length ? <Alert>{problems.message}</Alert> : null}
          <TextField label={t('settings.crmTaskTypes.name')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={problems.fields.name} />
          <ColorField label={t('settings.crm.color')} value={draft.color} onChange={(color) => setDraft({ ...draft, color })} error={problems.fields.color} />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
      <ConfirmDelete name={deleting?.name ?? null} explain={t('settings.crmTaskTypes.deleteExplain', { name: deleting?.name ?? '' })}
        error={remove.error} busy={remove.isPending} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}
