/** Account helpers for end-to-end tests: the first admin, and verified users through real mail. */
import { TestClient } from "./http-client.ts";
import type { TestServer } from "./server.ts";
import { linkToken, type TestSmtpServer } from "./smtp.ts";

export const PASSWORD = "a long test password";

/** Creates the first admin through the first-run route and returns a logged-in client. */
export async function firstAdmin(server: TestServer, email = "admin@example.org"): Promise<TestClient> {
  const client = new TestClient(server.url);
  const created = await client.post("/api/setup/first-run", {
    displayName: "Ada Admin",
    email,
    password: PASSWORD,
    publicUrl: server.url,
    token: server.setupToken,
  });
  if (created.status !== 201) throw new Error(`first run failed: ${JSON.stringify(created.body)}`);
  await logIn(client, email);
  return client;
}

export async function logIn(client: TestClient, email: string, password = PASSWORD) {
  const response = await client.post("/api/auth/log-in", { email, password });
  if (response.status !== 200) throw new Error(`log-in of ${email} failed: ${JSON.stringify(response.body)}`);
  return response;
}

/** Signs up, follows the verification link from the mail the SMTP server received, logs in. */
export async function verifiedUser(
  server: TestServer,
  smtp: TestSmtpServer,
  email: string,
  displayName = email.split("@")[0],
): Promise<TestClient> {
  const client = new TestClient(server.url);
  const signUp = await client.post("/api/auth/sign-up", { email, displayName, password: PASSWORD });
  if (signUp.status !== 202) throw new Error(`sign-up failed: ${JSON.stringify(signUp.body)}`);
  const mail = await smtp.next(email, (m) => m.subject === "Confirm your e-mail address");
  const verified = await client.post("/api/auth/verify-email", { token: linkToken(mail) });
  if (verified.status !== 200) throw new Error(`verification failed: ${JSON.stringify(verified.body)}`);
  await logIn(client, email);
  return client;
}
