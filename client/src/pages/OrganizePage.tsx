import { EmptyState } from '../ui/EmptyState.tsx';
import { StageIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';

export function OrganizePage() {
  return (
    <>
      <PageHeader title="Organize" lead="Events you run, alone or with your team." />
      <EmptyState
        icon={<StageIcon size={28} />}
        title="Nothing to organize yet"
        upcoming={[
          'Create events, sessions and ticket types, free or paid',
          'Invite co-hosts, moderators and check-in staff',
          'Moderate chat, polls and Q&A from inside the room',
          'Recordings to publish for replay, and sales reports',
        ]}
        availability="Creating events is not available on this server yet; it arrives with the events feature."
      >
        <p>The events you create or help run will be listed here.</p>
      </EmptyState>
    </>
  );
}
