/**
 * QR images of ticket codes (qrcode): SVG for the ticket page, a PNG data URL for e-mail
 * (mail clients show data-URL or attached PNGs, not inline SVG). The code is one
 * alphanumeric-mode segment, and error correction is M (15 %), which survives a scratched or
 * glaring phone screen without growing the symbol as Q or H would.
 */
import QRCode from "qrcode";

const OPTIONS = { errorCorrectionLevel: "M", margin: 4 } as const;

function segments(code: string): QRCode.QRCodeSegment[] {
  return [{ data: code, mode: "alphanumeric" }];
}

/** The symbol itself: version (size) and module matrix, for tests and for drawing it elsewhere. */
export function ticketQr(code: string): QRCode.QRCode {
  return QRCode.create(segments(code), { errorCorrectionLevel: OPTIONS.errorCorrectionLevel });
}

export function ticketQrSvg(code: string): Promise<string> {
  return QRCode.toString(segments(code), { ...OPTIONS, type: "svg" });
}

/** A PNG data URL; `scale` is pixels per module (default 6: about 350 px wide for a version 8 symbol). */
export function ticketQrPngDataUrl(code: string, scale = 6): Promise<string> {
  return QRCode.toDataURL(segments(code), { ...OPTIONS, type: "image/png", scale });
}
