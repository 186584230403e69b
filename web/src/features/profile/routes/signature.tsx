/** /profile/signature: my own e-mail signature, appended to my e-mail replies instead of the brand's. */
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { SignatureForm } from '@/features/settings/routes/email-replies';

export function MySignature() {
  const { t } = useI18n();
  const { can } = useAuth();
  return (
    <div className="page profile">
      {/* Only members who answer conversations write e-mail replies (the API asks conversations:edit). */}
      {can('conversations:edit')
        ? <SignatureForm scope="me" title={t('profile.signature.title')} editable page />
        : <><h1 className="h3">{t('profile.signature.title')}</h1><p className="muted">{t('profile.signature.notAgent')}</p></>}
    </div>
  );
}
