/**
 * A quantity rounded up to a whole number of steps, at least one step: 99, 100 and 101 ms give 100, 100
 * and 200 ms at a 100 ms step. Reported durations have two decimals, so float noise (100.00000001 steps)
 * must not add a step.
 */
export function roundUpToStep(value: number, step: number): number {
  return Math.max(1, Math.ceil(Math.round((value / step) * 1e6) / 1e6)) * step;
}

/**
 * A sum of floating-point figures without the noise of binary fractions: 0.1105 rather than 0.11050000000000001.
 * Twelve significant digits keep a thousandth of a cent on a bill of a million dollars, and more of smaller ones.
 */
export function withoutFloatNoise(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}
