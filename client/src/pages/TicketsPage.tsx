import { EmptyState } from '../ui/EmptyState.tsx';
import { TicketIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';

export function TicketsPage() {
  return (
    <>
      <PageHeader title="My tickets" lead="Tickets you have bought or registered for." />
      <EmptyState
        icon={<TicketIcon size={28} />}
        title="You have no tickets"
        upcoming={[
          'A QR code per ticket for check-in at the door, which works offline',
          'The link into each live session',
          'Receipts, and refunds where the organizer allows them',
        ]}
        availability="Tickets and sign-in are not available on this server yet; they arrive with accounts and ticketing."
      >
        <p>When you get a ticket for an event, it is kept here.</p>
      </EmptyState>
    </>
  );
}
