import { A, useLocation } from '@solidjs/router';
import { CompassIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';

export function NotFoundPage() {
  const location = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <section class="empty-state" aria-label="Page not found">
        <div class="empty-state__icon">
          <CompassIcon size={28} />
        </div>
        <p class="empty-state__title">
          Nothing lives at <code class="path">{location.pathname}</code>
        </p>
        <div class="empty-state__body">
          <p>The link may be mistyped, or the page may have moved.</p>
        </div>
        <A href="/" class="button button--primary">
          Go to events
        </A>
      </section>
    </>
  );
}
