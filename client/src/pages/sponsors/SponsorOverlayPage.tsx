/**
 * A session's sponsor overlay on its own, full screen with a transparent background: the
 * stage view for a projector or a streaming tool's browser source, for attendees and crew
 * signed in with access to the session. The room page mounts `SponsorOverlay` itself.
 */
import { useParams } from '@solidjs/router';
import { SponsorOverlay } from './SponsorOverlay.tsx';

export function SponsorOverlayPage() {
  const params = useParams<{ sessionId: string }>();
  return (
    <div class="sponsor-overlay-page">
      <h1 class="visually-hidden">Sponsor overlay</h1>
      <SponsorOverlay sessionId={params.sessionId} />
    </div>
  );
}
