/**
 * A seeded PRNG (mulberry32): every run draws the same sequence of users and links, so two
 * runs differ by the code and the machine, not by the workload.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function pick(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
