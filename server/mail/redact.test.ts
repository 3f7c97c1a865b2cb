import { describe, expect, it } from "vitest";
import { renderMail } from "./templates.ts";
import { redactSecrets } from "./redact.ts";

describe("redactSecrets", () => {
  it("masks the secrets of Plenary's links in text and HTML and keeps the rest", () => {
    const mail = renderMail("order_confirmation", {
      buyerName: "Ada", eventTitle: "Conf", when: "Monday",
      orderLink: "https://plenary.example/orders/3f1c2b9e-8a4d-4c1e-9f0a-1b2c3d4e5f60?key=AbCdEfGhIjKlMnOpQrStUvWxYz012345&paid=1",
      calendarLink: "https://plenary.example/api/guest-orders/3f1c2b9e-8a4d-4c1e-9f0a-1b2c3d4e5f60/calendar.ics?key=ZyXwVuTsRqPoNmLkJiHgFeDcBa987654",
      tickets: [{ holderName: "Ada", typeName: "Pass", qrPng: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA" }],
    });
    for (const body of [redactSecrets(mail.text), redactSecrets(mail.html)]) {
      expect(body).not.toContain("AbCdEfGhIjKlMnOpQrStUvWxYz012345");
      expect(body).not.toContain("ZyXwVuTsRqPoNmLkJiHgFeDcBa987654");
      expect(body).toContain("/orders/3f1c2b9e-8a4d-4c1e-9f0a-1b2c3d4e5f60?key=[redacted]");
      expect(body).toMatch(/paid=1/);
    }
    expect(redactSecrets(mail.html)).not.toContain("iVBORw0KGgo");
    expect(redactSecrets("Reset: https://x.example/reset-password?token=abc-DEF_123")).toBe("Reset: https://x.example/reset-password?token=[redacted]");
    expect(redactSecrets("https://x.example/events/conf?tab=tickets&session=42")).toBe("https://x.example/events/conf?tab=tickets&session=42");
    expect(redactSecrets("https://x.example/unsubscribe?u=eyJhbGciOiJIUzI1NiJ9xyzxyz")).toBe("https://x.example/unsubscribe?u=[redacted]");
  });
});
