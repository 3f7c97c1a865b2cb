export { retryDelayMs } from "./backoff.ts";
export { JobFailure, type JobContext, type JobKind, JobRunner, type JobRunnerOptions } from "./runner.ts";
export { type EnqueueInput, type EnqueueOutcome, type JobListing, type JobRow, listJobs } from "./store.ts";
