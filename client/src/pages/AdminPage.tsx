import { EmptyState } from '../ui/EmptyState.tsx';
import { ShieldIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';

export function AdminPage() {
  return (
    <>
      <PageHeader title="Admin" lead="Settings and oversight for this Plenary server." />
      <EmptyState
        icon={<ShieldIcon size={28} />}
        title="Administration is coming"
        upcoming={[
          'People on this server, their roles and bans',
          'Platform commission, payouts and revenue reports',
          'E-mail, payments and storage settings at a glance',
        ]}
        availability="The admin console arrives once sign-in works; the administrator account you created at setup will open it."
      >
        <p>This server has its administrator. The tools to manage it will live here.</p>
      </EmptyState>
    </>
  );
}
