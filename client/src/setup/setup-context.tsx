import { batch, createResource, createSignal } from 'solid-js';
import { fetchSetupStatus } from '../api/setup.ts';
import { createInitializedContext } from '../ui/context.tsx';

/**
 * Whether this server still needs its first admin. Read once per page load;
 * the shell routes every page to /setup while it does.
 */
const setup = createInitializedContext('SetupContext', () => {
  const [status, { mutate, refetch }] = createResource(() => fetchSetupStatus());
  // Set when setup finished in this tab, so /setup can show its confirmation
  // instead of redirecting home like it does for later visits.
  const [completedHere, setCompletedHere] = createSignal(false);

  return {
    status,
    retry: () => void refetch(),
    completedHere,
    /** After the first admin exists: created in this tab (with the public URL it chose), or by someone else (409). */
    markDone(createdHere: boolean, publicUrl?: string) {
      const current = status.state === 'ready' ? status() : undefined;
      // Together, or the shell would see "set up, not here" for a moment and leave /setup.
      batch(() => {
        setCompletedHere(createdHere);
        mutate({ publicUrl: publicUrl ?? current?.publicUrl ?? null, version: current?.version ?? '', needsFirstRun: false });
      });
    },
  };
});

export const SetupProvider = setup.provider;
export const useSetup = setup.use;
