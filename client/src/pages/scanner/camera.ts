/**
 * Reading QR codes from the camera: the browser's BarcodeDetector where it exists (Chrome on
 * Android and macOS), else jsQR on frames drawn to a canvas (desktop Linux, Firefox, Safari).
 */
import jsQR from 'jsqr';

type Detector = { detect(source: CanvasImageSource): Promise<{ rawValue: string }[]> };
type DetectorConstructor = {
  new (options: { formats: string[] }): Detector;
  getSupportedFormats?: () => Promise<string[]>;
};

export type QrReader = { stop(): void; engine: 'BarcodeDetector' | 'jsQR' };

async function nativeDetector(): Promise<Detector | null> {
  const Native = (globalThis as { BarcodeDetector?: DetectorConstructor }).BarcodeDetector;
  if (!Native) return null;
  try {
    const formats = (await Native.getSupportedFormats?.()) ?? ['qr_code'];
    return formats.includes('qr_code') ? new Native({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/** Decodes the video's frames a few times a second and calls `found` with each code seen. */
export async function startQrReader(video: HTMLVideoElement, found: (text: string) => void, intervalMs = 200): Promise<QrReader> {
  const native = await nativeDetector();
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const tick = async () => {
    if (stopped) return;
    try {
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
        const text = native ? await detectNative(native, video) : detectWithJsQr(video, canvas, context);
        if (text) found(text);
      }
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    }
  };
  void tick();
  return {
    engine: native ? 'BarcodeDetector' : 'jsQR',
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function detectNative(detector: Detector, video: HTMLVideoElement): Promise<string | null> {
  const codes = await detector.detect(video);
  return codes[0]?.rawValue ?? null;
}

function detectWithJsQr(video: HTMLVideoElement, canvas: HTMLCanvasElement, context: CanvasRenderingContext2D | null): string | null {
  if (!context) return null;
  // Large frames cost time and add nothing: a ticket QR is read fine at 640 px.
  const scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  // jsqr is CommonJS with an ES default; its module.exports also carries `.default` (see ticket-code.test.ts).
  return jsQR.default(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/** A short tone: high for welcome, low for refused. */
export function beep(kind: 'ok' | 'warn' | 'error') {
  const Context = globalThis.AudioContext;
  if (!Context) return;
  const audio = new Context();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = kind === 'ok' ? 1320 : kind === 'warn' ? 660 : 220;
  oscillator.type = kind === 'error' ? 'square' : 'sine';
  gain.gain.value = 0.15;
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + (kind === 'ok' ? 0.15 : 0.4));
  oscillator.onended = () => void audio.close();
}
