import { EmptyState } from '../ui/EmptyState.tsx';
import { CalendarIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';

export function EventsPage() {
  return (
    <>
      <PageHeader title="Events" lead="Upcoming and live events hosted on this server." />
      <EmptyState
        icon={<CalendarIcon size={28} />}
        title="No events yet"
        upcoming={[
          'Each event with its date, time zone and sessions',
          'Ticket prices and how many seats are left',
          'A Join button when a session goes live',
        ]}
        availability="Publishing events is not available on this server yet; it arrives with the events feature."
      >
        <p>When organizers publish an event, it appears here for anyone to find.</p>
      </EmptyState>
    </>
  );
}
