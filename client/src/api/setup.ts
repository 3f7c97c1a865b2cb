/** First-run endpoints: the server has no admin until someone with the console's setup token creates one. */
import { api } from './http.ts';

export type SetupStatus = {
  needsFirstRun: boolean;
  /** The public URL from the configuration, when one is set. */
  publicUrl: string | null;
  /** Server version, shown in the footer. */
  version: string;
};

export type FirstRunRequest = {
  token: string;
  displayName: string;
  email: string;
  password: string;
  publicUrl: string;
};

export type AdminUser = { id: string; email: string; displayName: string; role: 'admin' };

/** Shortest password the server accepts; the form states the rule up front. */
export const minPasswordLength = 10;
/** Longest name the server accepts. */
export const maxDisplayNameLength = 80;

export function fetchSetupStatus(signal?: AbortSignal): Promise<SetupStatus> {
  return api.get<SetupStatus>('/setup/status', signal ? { signal } : {});
}

/** Creates the first admin. Fails with `bad_setup_token` (403), `already_set_up` (409) or `validation_failed` (400). */
export function completeFirstRun(request: FirstRunRequest): Promise<{ user: AdminUser }> {
  return api.post<{ user: AdminUser }>('/setup/first-run', request);
}
