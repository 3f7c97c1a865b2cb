/**
 * A session's chat, Q&A and polls on their own page: the second screen for someone who
 * follows a talk in the hall or on another device, and the phone-sized view of the panel.
 */
import { useParams } from '@solidjs/router';
import { PageHeader } from '../ui/PageHeader.tsx';
import { RoomSidePanel } from './RoomSidePanel.tsx';

export function SessionCompanionPage() {
  const params = useParams<{ sessionId: string }>();
  return (
    <>
      <PageHeader title="Chat, Q&A and polls" lead="Talk with the room, ask the speakers, vote." />
      {/* The panels learn the caller's role in the session from the server; the flags here only style. */}
      <RoomSidePanel eventId="" sessionId={params.sessionId} isHost={false} />
    </>
  );
}
