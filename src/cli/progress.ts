/** Progress of model loading on the terminal: a bar on a TTY, one line per phase otherwise. */
import type { LoadProgress } from '../load/progress.js';

/** An onProgress callback that draws on stderr. */
export function progressBar(out: NodeJS.WriteStream = process.stderr): (p: LoadProgress) => void {
  let lastPhase = '';
  let lastDraw = 0;
  return (p) => {
    const mb = (n: number) => (n / 1048576).toFixed(1);
    if (!out.isTTY) {
      if (p.phase !== lastPhase) out.write(`${p.phase}${p.url ? ` ${p.url}` : ''}\n`);
      lastPhase = p.phase;
      return;
    }
    const now = Date.now();
    if (p.phase === lastPhase && now - lastDraw < 100 && p.loaded !== p.total) return;
    lastDraw = now;
    lastPhase = p.phase;
    const width = 30;
    const frac = p.total ? Math.min(1, p.loaded / p.total) : undefined;
    const bar = frac === undefined ? '·'.repeat(width) : '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const amount = p.total ? `${mb(p.loaded)}/${mb(p.total)} MB` : `${mb(p.loaded)} MB`;
    out.write(`\r${p.phase.padEnd(8)} [${bar}] ${frac === undefined ? '' : `${Math.round(frac * 100)}% `}${amount}\x1b[K`);
    if (p.phase === 'ready') out.write('\n');
  };
}
