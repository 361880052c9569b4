/**
 * Sweep progress on stderr. On a terminal: one live line (done/total, running points, elapsed,
 * ETA) rewritten in place. Otherwise (CI logs, files, pipes): one line per finished point.
 */
export interface ProgressSink {
  start(label: string): void;
  finish(label: string, outcome: string, computedSeconds?: number): void;
  note(line: string): void;
  end(): void;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export class Progress implements ProgressSink {
  private done = 0;
  private computed = 0;
  private computeSeconds = 0;
  private readonly running = new Map<string, number>();
  private readonly t0 = performance.now();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly total: number,
    private readonly o: { tty: boolean; write: (text: string) => void; prefix: string; jobs: number; columns?: () => number },
  ) {
    if (o.tty) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
  }

  private elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Remaining points x mean seconds per computed point / jobs (unknown until one was computed). */
  eta(): number {
    if (this.computed === 0) return NaN;
    const left = this.total - this.done;
    return (left * (this.computeSeconds / this.computed)) / Math.max(1, Math.min(this.o.jobs, left || 1));
  }

  line(): string {
    const names = [...this.running.keys()];
    const run = names.length ? `; running ${names.length}: ${names.join(', ')}` : '';
    return `${this.o.prefix}${this.done}/${this.total} done, elapsed ${formatDuration(this.elapsed())}, ETA ${this.done === this.total ? '0s' : formatDuration(this.eta())}${run}`;
  }

  private draw(): void {
    let l = this.line();
    const cols = this.o.columns?.() ?? 0;
    if (cols > 10 && l.length > cols - 1) l = `${l.slice(0, cols - 2)}…`;
    this.o.write(`\r\x1b[2K${l}`);
  }

  start(label: string): void {
    this.running.set(label, performance.now());
    if (this.o.tty) this.draw();
  }

  finish(label: string, outcome: string, computedSeconds?: number): void {
    this.running.delete(label);
    this.done++;
    if (computedSeconds !== undefined) {
      this.computed++;
      this.computeSeconds += computedSeconds;
    }
    if (this.o.tty) {
      if (outcome.startsWith('FAILED')) this.note(`${label}: ${outcome}`);
      else this.draw();
    } else this.o.write(`${this.o.prefix}[${this.done}/${this.total}] ${label}: ${outcome} (elapsed ${formatDuration(this.elapsed())}, ETA ${this.done === this.total ? '0s' : formatDuration(this.eta())})\n`);
  }

  /** A line that stays (above the live line on a terminal). */
  note(line: string): void {
    this.o.write(this.o.tty ? `\r\x1b[2K${this.o.prefix}${line}\n` : `${this.o.prefix}${line}\n`);
    if (this.o.tty) this.draw();
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.o.tty) this.o.write(`\r\x1b[2K${this.line()}\n`);
  }
}
