/**
 * Tickets: signed ticket codes and their QR images. Browser code (the scanner page) imports
 * `./ticket-code.ts` directly, since this index also brings in node:crypto and qrcode.
 */
export {
  createTicketVerifier,
  publicKeysFromJson,
  TICKET_CODE_LENGTH,
  TICKET_CODE_VERSION,
  type TicketClaims,
  type TicketPublicKey,
  type TicketVerification,
  verifyTicketCode,
} from "./ticket-code.ts";
export { signTicketCode, TicketKeys } from "./ticket-keys.ts";
export { ticketQr, ticketQrPngDataUrl, ticketQrSvg } from "./ticket-qr.ts";
