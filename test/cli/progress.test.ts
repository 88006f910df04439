import { describe, expect, it } from 'vitest';
import { progressTo, REFRESH_MS } from '../../src/cli/progress.js';

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, out, write: (t: string) => out.push(t) };
}

describe('collect progress', () => {
  it('prints plain lines when stderr is not a terminal', () => {
    const s = stream(false);
    const p = progressTo(s);
    p.line('irsa2pi: eu-west-1/a: 3 objects');
    p.line('irsa2pi: eu-west-1/b: scan gap: timeout');
    p.done();
    expect(s.out.join('')).toBe('irsa2pi: eu-west-1/a: 3 objects\nirsa2pi: eu-west-1/b: scan gap: timeout\n');
  });

  it('keeps a live status line below the finished lines on a terminal, and clears it at the end', () => {
    const s = stream(true);
    const p = progressTo(s);
    p.line('irsa2pi: eu-west-1/a: 3 objects');
    p.done();
    const text = s.out.join('');
    expect(text).toBe('irsa2pi: collecting… 0 done\r\u001b[Kirsa2pi: eu-west-1/a: 3 objects\nirsa2pi: collecting… 1 done\r\u001b[K');
  });

  it('refreshes the status line on a terminal at most every REFRESH_MS unless forced, and never off a terminal', () => {
    let t = 1_000;
    const s = stream(true);
    let calls = 0;
    const p = progressTo(
      s,
      () => `irsa2pi: 1/3 accounts, ${calls} API calls`,
      () => t,
    );
    calls = 5;
    p.refresh();
    t += REFRESH_MS - 1;
    p.refresh();
    t += 1;
    p.refresh();
    calls = 6;
    p.refresh(true);
    p.done();
    expect(s.out.join('')).toBe(
      'irsa2pi: 1/3 accounts, 0 API calls\r\u001b[Kirsa2pi: 1/3 accounts, 5 API calls\r\u001b[Kirsa2pi: 1/3 accounts, 6 API calls\r\u001b[K',
    );
    const plain = stream(false);
    const q = progressTo(plain, () => 'status');
    q.refresh(true);
    q.done();
    expect(plain.out).toEqual([]);
  });
});
