/**
 * ffmpeg's `-progress` output: blocks of `key=value` lines, each ended by
 * `progress=continue` (or `progress=end`). Lines that are not `key=value` (errors written
 * to the same pipe) are handed back apart, so the last error can be shown.
 */

export type FfmpegProgress = {
  frame: number;
  /** Bytes written so far. */
  totalSize: number;
  /** Media time written so far, in microseconds. */
  outTimeUs: number;
  dropFrames: number;
  dupFrames: number;
  end: boolean;
};

const PROGRESS_LINE = /^([a-z_0-9]+)=\s*(.*)$/;

export class ProgressParser {
  // Fields of the block being read.
  #fields = new Map<string, string>();
  // A partial line left from the previous chunk.
  #rest = "";

  /** Feeds output; returns finished blocks and other (error) lines, in order of arrival. */
  push(chunk: string): { progress: FfmpegProgress[]; other: string[] } {
    const lines = (this.#rest + chunk).split(/\r?\n/);
    this.#rest = lines.pop() ?? "";
    const progress: FfmpegProgress[] = [];
    const other: string[] = [];
    for (const line of lines) {
      const match = PROGRESS_LINE.exec(line.trim());
      if (!match) {
        if (line.trim()) other.push(line.trim());
        continue;
      }
      this.#fields.set(match[1], match[2]);
      if (match[1] !== "progress") continue;
      progress.push(this.#block(match[2] === "end"));
      this.#fields = new Map();
    }
    return { progress, other };
  }

  #block(end: boolean): FfmpegProgress {
    const n = (key: string) => {
      const value = Number(this.#fields.get(key));
      return Number.isFinite(value) ? value : 0;
    };
    return { frame: n("frame"), totalSize: n("total_size"), outTimeUs: n("out_time_us") || n("out_time_ms"), dropFrames: n("drop_frames"), dupFrames: n("dup_frames"), end };
  }
}

/** Bits per second between two readings `ms` apart, in kbit/s (one decimal). */
export function kbps(bytesBefore: number, bytesNow: number, ms: number): number {
  if (ms <= 0 || bytesNow < bytesBefore) return 0;
  return Math.round(((bytesNow - bytesBefore) * 8) / ms * 10) / 10;
}
