import { Button } from '@/components/ui';
import { useAuth, type BrandMembership } from '@/lib/auth';
import { useT } from '@/lib/i18n';
import { AuthLayout } from './auth-layout';

export function BrandPicker({ brands }: { brands: BrandMembership[] }) {
  const t = useT();
  const { chooseBrand, signOut } = useAuth();
  return (
    <AuthLayout title={t('auth.brand.title')}>
      <p>{t('auth.brand.intro')}</p>
      <ul className="brand-list">
        {brands.map((brand) => (
          <li key={brand.id}>
            <Button variant="primary" onClick={() => chooseBrand(brand.id)}>
              {brand.name}
            </Button>
          </li>
        ))}
      </ul>
      <Button variant="ghost" onClick={() => void signOut()}>
        {t('nav.signOut')}
      </Button>
    </AuthLayout>
  );
}
