/** The feedback API: rating, the survey, public summaries, the organizer's report. */
import { api } from '../../api/http.ts';
import type { PublicComment, RatingSummary as Summary } from '../../../../server/feedback/summaries.ts';

export type { PublicComment, Summary };
export type TargetType = 'event' | 'session' | 'speaker' | 'organizer';
export type MyRating = { id: string; targetType: TargetType; targetId: string; stars: number; comment: string; reply: string; hidden: boolean; createdAt: string; editableUntil: string };
export type FormTarget = { type: TargetType; id: string; title: string; open: boolean; rating: MyRating | null };
export type SurveyQuestion = { id: string; label: string; kind: 'stars' | 'text'; answer: string | null };
export type FeedbackForm = { event: { id: string; title: string; slug: string }; editDays: number; targets: FormTarget[]; questions: SurveyQuestion[] };
export type EventRatingSummary = {
  event: Summary;
  organizer: Summary;
  sessions: (Summary & { id: string; title: string })[];
  speakers: (Summary & { id: string; name: string })[];
  testimonials: PublicComment[];
};
export type OrganizerComment = { id: string; targetType: TargetType; targetId: string; stars: number; comment: string; reply: string; featured: boolean; hidden: boolean; reported: boolean; author: string; createdAt: string };
export type FeedbackReport = {
  event: Summary & { id: string; title: string };
  organizer: Summary & { id: string };
  nps: { promoters: number; passives: number; detractors: number; responses: number; score: number | null };
  sessions: (Summary & { id: string; title: string; startsAt: string })[];
  speakers: (Summary & { id: string; name: string })[];
  questions: { id: string; label: string; kind: 'stars' | 'text'; responses: number; average: number | null; texts: string[] }[];
};

export const feedbackApi = {
  form: (eventId: string) => api.get<FeedbackForm>(`/events/${eventId}/feedback/form`),
  rate: (eventId: string, rating: { targetType: TargetType; targetId: string; stars: number; comment: string }) =>
    api.put<{ rating: MyRating; summary: Summary }>(`/events/${eventId}/ratings`, rating),
  answer: (eventId: string, answers: { questionId: string; value: string }[]) => api.put<{ saved: number }>(`/events/${eventId}/survey-answers`, { answers }),
  summary: (eventId: string, code?: string) => api.get<EventRatingSummary>(`/events/${eventId}/ratings/summary${code ? `?code=${encodeURIComponent(code)}` : ''}`),
  report: (eventId: string) => api.get<{ report: FeedbackReport; comments: OrganizerComment[] }>(`/organize/events/${eventId}/feedback`),
  addQuestion: (eventId: string, question: { label: string; kind: 'stars' | 'text' }) => api.post<unknown>(`/organize/events/${eventId}/survey-questions`, question),
  reply: (ratingId: string, reply: string) => api.put<unknown>(`/organize/ratings/${ratingId}/reply`, { reply }),
  feature: (ratingId: string, featured: boolean) => api.put<unknown>(`/organize/ratings/${ratingId}/featured`, { featured }),
  invite: (eventId: string) => api.post<{ targets: number }>(`/organize/events/${eventId}/feedback/invitations`),
  reportComment: (ratingId: string) => api.post<unknown>(`/ratings/${ratingId}/report`),
};
