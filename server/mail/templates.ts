/**
 * E-mail templates: each renders a subject, a plain-text part and an HTML part from the
 * same data, so every message reads well in any mail client.
 */
export type MailTemplates = {
  verify_email: { displayName: string; link: string; hours: number };
  reset_password: { displayName: string; link: string; minutes: number; forced: boolean };
  sign_up_existing: { displayName: string; resetLink: string };
  password_changed: { displayName: string };
};

export type TemplateName = keyof MailTemplates;
export type RenderedMail = { subject: string; text: string; html: string };

type Body = { subject: string; paragraphs: string[]; link?: { href: string; label: string } };

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
  password_changed: (d) => ({
    subject: "Your password was changed",
    paragraphs: [
      `Hello ${d.displayName},`,
      "The password of your Plenary account was just changed, and your other sessions were ended.",
      "If you did not do this, reset your password at once and tell your administrator.",
    ],
  }),
};

export function renderMail<K extends TemplateName>(name: K, data: MailTemplates[K]): RenderedMail {
  const body = BODIES[name](data);
  const text = [...body.paragraphs, ...(body.link ? [`${body.link.label}: ${body.link.href}`] : [])].join("\n\n") + "\n\n— Plenary\n";
  const html = [
    "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem\">",
    ...body.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    body.link ? `<p><a href="${escapeHtml(body.link.href)}">${escapeHtml(body.link.label)}</a></p>` : "",
    "<p style=\"color:#666\">— Plenary</p></body></html>",
  ].join("\n");
  return { subject: body.subject, text, html };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
