/** /settings/brand and /settings/hours: the brand's profile, time zone, language, country, logo and business hours. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';

type Brand = components['schemas']['BrandOut'];
type BrandIn = components['schemas']['BrandSettingsIn'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['America/Bogota', 'America/Mexico_City', 'America/Lima', 'America/Santiago', 'America/Argentina/Buenos_Aires', 'Europe/Madrid', 'UTC'];
}

function useBrand() {
  return useSettingsQuery('brand', () => unwrap(api.GET('/v1/admin/brand')));
}

export function BrandSettings() {
  const { t } = useI18n();
  const brand = useBrand();
  if (brand.isPending) return <Spinner label={t('common.loading')} />;
  if (!brand.data) return <Alert>{t('app.error')}</Alert>;
  return <BrandForm brand={brand.data} />;
}

function BrandForm({ brand }: { brand: Brand }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [form, setForm] = useState({
    name: brand.name,
    time_zone: brand.time_zone,
    language: brand.language,
    default_country: brand.default_country,
    logo_url: brand.logo_url ?? '',
    contact_email: brand.contact_email ?? '',
    contact_phone: brand.contact_phone ?? '',
    website: brand.website ?? '',
  });
  const save = useSettingsMutation(['brand'], () =>
    unwrap(api.PATCH('/v1/admin/brand', {
      body: {
        name: form.name.trim(),
        time_zone: form.time_zone,
        language: form.language as BrandIn['language'],
        default_country: form.default_country.trim().toUpperCase(),
        logo_url: form.logo_url.trim() || null,
        contact_email: form.contact_email.trim() || null,
        contact_phone: form.contact_phone.trim() || null,
        website: form.website.trim() || null,
      },
    })),
  );
  const problems = problemsOf(save.error, language);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const disabled = !can('admin:manage');
  return (
    <form noValidate onSubmit={(e: FormEvent) => { e.preventDefault(); save.mutate(undefined); }} aria-labelledby="brand-title">
      <h2 id="brand-title">{t('settings.brand.title')}</h2>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <fieldset disabled={disabled}>
        <TextField label={t('settings.brand.name')} value={form.name} onChange={set('name')} error={problems.fields.name} required />
        <SelectField label={t('settings.brand.timeZone')} value={form.time_zone} onChange={set('time_zone')} error={problems.fields.time_zone}>
          {timeZones().map((z) => <option key={z} value={z}>{z}</option>)}
        </SelectField>
        <SelectField label={t('settings.brand.language')} value={form.language} onChange={set('language')} error={problems.fields.language}>
          <option value="es">{t('lang.es')}</option>
          <option value="en">{t('lang.en')}</option>
          <option value="pt">{t('settings.brand.portuguese')}</option>
        </SelectField>
        <TextField label={t('settings.brand.country')} hint={t('settings.brand.countryHint')} value={form.default_country} maxLength={2}
          onChange={set('default_country')} error={problems.fields.default_country} />
        <TextField label={t('settings.brand.logo')} type="url" value={form.logo_url} onChange={set('logo_url')} error={problems.fields.logo_url} />
        {form.logo_url ? <img src={form.logo_url} alt={t('settings.brand.logoPreview')} className="logo-preview" /> : null}
        <TextField label={t('settings.brand.email')} type="email" value={form.contact_email} onChange={set('contact_email')} error={problems.fields.contact_email} />
        <TextField label={t('settings.brand.phone')} type="tel" value={form.contact_phone} onChange={set('contact_phone')} error={problems.fields.contact_phone} />
        <TextField label={t('settings.brand.website')} type="url" value={form.website} onChange={set('website')} error={problems.fields.website} />
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
      </fieldset>
    </form>
  );
}

type Hours = Record<string, { start: string; end: string }[]>;

export function HoursSettings() {
  const { t } = useI18n();
  const brand = useBrand();
  if (brand.isPending) return <Spinner label={t('common.loading')} />;
  if (!brand.data) return <Alert>{t('app.error')}</Alert>;
  return <HoursForm initial={brand.data.business_hours as Hours} timeZone={brand.data.time_zone} />;
}

function HoursForm({ initial, timeZone }: { initial: Hours; timeZone: string }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [hours, setHours] = useState<Hours>(() => Object.fromEntries(DAYS.map((d) => [d, initial[d] ?? []])));
  const save = useSettingsMutation(['brand'], () =>
    unwrap(api.PATCH('/v1/admin/brand', { body: { business_hours: hours as NonNullable<BrandIn['business_hours']> } })),
  );
  const problems = problemsOf(save.error, language);
  const setRange = (day: string, i: number, patch: Partial<{ start: string; end: string }>) =>
    setHours({ ...hours, [day]: (hours[day] ?? []).map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(undefined); }} aria-labelledby="hours-title">
      <h2 id="hours-title">{t('settings.hours.title')}</h2>
      <p className="muted">{t('settings.hours.zone', { zone: timeZone })}</p>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <fieldset disabled={!can('admin:manage')}>
        {DAYS.map((day) => (
          <fieldset key={day} className="hours-day">
            <legend>{t(`settings.hours.day.${day}` as MessageKey)}</legend>
            {(hours[day] ?? []).length === 0 ? <span className="muted">{t('settings.hours.closed')}</span> : null}
            {(hours[day] ?? []).map((range, i) => (
              <div key={i} className="row">
                <TextField label={t('settings.hours.from')} type="time" value={range.start} onChange={(e) => setRange(day, i, { start: e.target.value })}
                  error={problems.fields[`business_hours.${day}.${i}.start`]} />
                <TextField label={t('settings.hours.to')} type="time" value={range.end} onChange={(e) => setRange(day, i, { end: e.target.value })}
                  error={problems.fields[`business_hours.${day}.${i}.end`] ?? problems.fields[`business_hours.${day}.${i}`]} />
                <Button variant="ghost" onClick={() => setHours({ ...hours, [day]: (hours[day] ?? []).filter((_, j) => j !== i) })}
                  aria-label={t('settings.hours.removeRange', { day: t(`settings.hours.day.${day}` as MessageKey) })}>×</Button>
              </div>
            ))}
            <Button variant="ghost" onClick={() => setHours({ ...hours, [day]: [...(hours[day] ?? []), { start: '08:00', end: '18:00' }] })}>
              {t('settings.hours.addRange')}
            </Button>
          </fieldset>
        ))}
        {problems.fields.business_hours ? <p className="field-error" role="alert">{problems.fields.business_hours}</p> : null}
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
      </fieldset>
    </form>
  );
}
