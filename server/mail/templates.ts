/**
 * E-mail templates: each renders a subject, a plain-text part and an HTML part from the
 * same data, so every message reads well in any mail client.
 */
export type MailTemplates = {
  verify_email: { displayName: string; link: string; hours: number };
  reset_password: { displayName: string; link: string; minutes: number; forced: boolean };
  sign_up_existing: { displayName: string; resetLink: string };
  password_changed: { displayName: string };
  // Ticketing (server/tickets/confirmation.ts): one QR image per ticket, as PNG data URLs.
  refund_settled: { buyerName: string; eventTitle: string; amount: string; reason: string; full: boolean; orderLink: string };
  order_confirmation: { buyerName: string; eventTitle: string; when: string; orderLink: string; calendarLink: string; tickets: { holderName: string; typeName: string; shortCode?: string | null; qrPng: string }[] };
  // Events (server/events/notify.ts).
  // Invitations (server/invitations): into an organization, an event's team, or a speaker profile.
  invitation: { subject: string; inviterName: string; purpose: string; link: string; days: number };
  event_review_decision: { eventTitle: string; decision: "approved" | "changes_requested" | "rejected"; comment: string; link: string };
  event_review_needed: { eventTitle: string; reason: string; link: string };
  event_cancelled: { eventTitle: string; startsAt: string; reason: string; link: string };
  // Notifications (server/notifications): the event's name brands it; non-transactional mail carries an unsubscribe link.
  notification: { displayName: string; brand: string; subject: string; paragraphs: string[]; link?: { href: string; label: string }; unsubscribe?: string };
};

export type TemplateName = keyof MailTemplates;
export type RenderedMail = { subject: string; text: string; html: string };

type Body = { subject: string; paragraphs: string[]; link?: { href: string; label: string }; unsubscribe?: string; images?: { src: string; alt: string }[] };

const BODIES: { [K in TemplateName]: (data: MailTemplates[K]) => Body } = {
  verify_email: (d) => ({
    subject: "Confirm your e-mail address",
    paragraphs: [
      `Hello ${d.displayName},`,
      "Please confirm your e-mail address to finish creating your Plenary account.",
      `The link works once and for ${d.hours} hours. If you did not sign up, ignore this message.`,
    ],
    link: { href: d.link, label: "Confirm my address" },
  }),
  reset_password: (d) => ({
    subject: "Reset your password",
    paragraphs: [
      `Hello ${d.displayName},`,
      d.forced
        ? "An administrator asked you to choose a new password. Your sessions have been ended."
        : "Someone (hopefully you) asked to reset the password of your Plenary account.",
      `The link works once and for ${d.minutes} minutes. If you did not ask for it, ignore this message: your password stays as it is.`,
    ],
    link: { href: d.link, label: "Choose a new password" },
  }),
  sign_up_existing: (d) => ({
    subject: "You already have an account",
    paragraphs: [
      `Hello ${d.displayName},`,
      "Someone tried to sign up to Plenary with this e-mail address, which already has an account.",
      "If it was you and you forgot your password, you can reset it. Otherwise, ignore this message.",
    ],
    link: { href: d.resetLink, label: "Reset my password" },
  }),
  invitation: (d) => ({
    subject: d.subject,
    paragraphs: [
      `${d.inviterName} invited you to ${d.purpose}.`,
      `The link works once and for ${d.days} days. Log in (or sign up) with this e-mail address to accept.`,
      "If you do not know what this is about, ignore this message: nothing changes unless you accept.",
    ],
    link: { href: d.link, label: "See the invitation" },
  }),
  event_review_decision: (d) => ({
    subject: `${d.eventTitle}: ${REVIEW_DECISIONS[d.decision]}`,
    paragraphs: [
      `An administrator reviewed ${d.eventTitle}: ${REVIEW_DECISIONS[d.decision]}.`,
      ...(d.comment ? [`Their comment: ${d.comment}`] : []),
    ],
    link: { href: d.link, label: "Open the event" },
  }),
  event_review_needed: (d) => ({
    subject: `Review needed: ${d.eventTitle}`,
    paragraphs: [`${d.eventTitle} is waiting for review: ${d.reason}.`],
    link: { href: d.link, label: "Open the review queue" },
  }),
  event_cancelled: (d) => ({
    subject: `Cancelled: ${d.eventTitle}`,
    paragraphs: [
      `We are sorry: ${d.eventTitle} (${d.startsAt}) has been cancelled by its organizer.`,
      ...(d.reason ? [`Their reason: ${d.reason}`] : []),
      "Paid tickets are refunded to the card they were paid with; you need to do nothing.",
    ],
    link: { href: d.link, label: "See your tickets" },
  }),
  refund_settled: (d) => ({
    subject: `Refund processed: ${d.eventTitle}`,
    paragraphs: [
      `Hello ${d.buyerName},`,
      `Your refund of ${d.amount} for ${d.eventTitle} has been processed. ${d.full ? "Your whole order is refunded." : "The rest of your order stays valid."}`,
      ...(d.reason ? [`Reason: ${d.reason}`] : []),
      "Depending on your bank it can take a few days to appear on your statement.",
    ],
    link: { href: d.orderLink, label: "See your order" },
  }),
  order_confirmation: (d) => ({
    subject: `Your tickets: ${d.eventTitle}`,
    paragraphs: [
      `Hello ${d.buyerName},`,
      `Your order for ${d.eventTitle} (${d.when}) is confirmed: ${d.tickets.map((t) => `${t.typeName} for ${t.holderName}`).join("; ")}.`,
      "Show the QR code of each ticket at the door, on paper or on a phone.",
      ...d.tickets.filter((t) => t.shortCode).map((t) => `Door code for ${t.holderName} (${t.typeName}), if the QR code will not scan: ${t.shortCode}`),
      `Add it to your calendar: ${d.calendarLink}`,
    ],
    link: { href: d.orderLink, label: "See your order and tickets" },
    images: d.tickets.map((t) => ({ src: t.qrPng, alt: `Ticket QR code: ${t.typeName} for ${t.holderName}` })),
  }),
  password_changed: (d) => ({
    subject: "Your password was changed",
    paragraphs: [
      `Hello ${d.displayName},`,
      "The password of your Plenary account was just changed, and your other sessions were ended.",
      "If you did not do this, reset your password at once and tell your administrator.",
    ],
  }),
  notification: (d) => ({
    subject: `${d.brand}: ${d.subject}`,
    paragraphs: [`Hello ${d.displayName},`, ...d.paragraphs],
    link: d.link,
    unsubscribe: d.unsubscribe,
  }),
};

const REVIEW_DECISIONS = { approved: "approved and published", changes_requested: "changes requested", rejected: "rejected" } as const;

export function renderMail<K extends TemplateName>(name: K, data: MailTemplates[K]): RenderedMail {
  const body = BODIES[name](data);
  const footer = body.unsubscribe ? `\nStop these e-mails: ${body.unsubscribe}\n` : "";
  const text = [...body.paragraphs, ...(body.link ? [`${body.link.label}: ${body.link.href}`] : [])].join("\n\n") + "\n\n— Plenary\n" + footer;
  const html = [
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem\">",
    ...body.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    body.link ? `<p><a href="${escapeHtml(body.link.href)}">${escapeHtml(body.link.label)}</a></p>` : "",
    ...(body.images ?? []).map((i) => `<p><img src="${escapeHtml(i.src)}" alt="${escapeHtml(i.alt)}" width="300"></p>`),
    "<p style=\"color:#666\">— Plenary</p>",
    body.unsubscribe ? `<p style="color:#666;font-size:0.85em"><a href="${escapeHtml(body.unsubscribe)}">Stop these e-mails</a></p>` : "",
    "</body></html>",
  ].join("\n");
  return { subject: body.subject, text, html };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
