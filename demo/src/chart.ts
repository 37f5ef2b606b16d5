/** A small bar chart of the last inference times, drawn on a canvas. */
export class TimingChart {
  private readonly times: number[] = [];
  constructor(private readonly canvas: HTMLCanvasElement, private readonly keep = 30) {}

  add(ms: number): void {
    this.times.push(ms);
    if (this.times.length > this.keep) this.times.shift();
    this.draw();
  }

  private draw(): void {
    const c = this.canvas.getContext('2d');
    if (!c) return;
    const { width: w, height: h } = this.canvas;
    c.clearRect(0, 0, w, h);
    const max = Math.max(...this.times, 1e-3);
    const bw = w / this.keep;
    c.fillStyle = '#2f6fdb';
    this.times.forEach((t, i) => {
      const bh = Math.max(1, ((h - 16) * t) / max);
      c.fillRect(i * bw + 1, h - bh, bw - 2, bh);
    });
    const sorted = [...this.times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    c.fillStyle = '#1d232b';
    c.font = '12px system-ui, sans-serif';
    c.fillText(`last ${this.times[this.times.length - 1]!.toFixed(2)} ms · median ${median.toFixed(2)} ms · max ${max.toFixed(2)} ms`, 4, 12);
  }
}
