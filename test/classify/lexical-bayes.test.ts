import { describe, expect, it } from "vitest";
import { bayesLogits, fitBayes } from "../../src/classify/lexical-bayes.ts";

// Features: 0 "ruong", 1 "lua", 2 "truong", 3 "hoc", 4 "duong" (shared by both classes).
const rows = [
  { idx: [0, 1, 4], label: 0 },
  { idx: [0, 1], label: 0 },
  { idx: [2, 3, 4], label: 1 },
  { idx: [2, 3], label: 1 },
];

describe("lexical naive Bayes", () => {
  const nb = { classes: 2, power: 0.5, logProb: fitBayes(rows, 5, 2, 0.3) };

  it("gives each class a proper distribution over the features", () => {
    for (let k = 0; k < 2; k++) {
      let sum = 0;
      for (let f = 0; f < 5; f++) sum += Math.exp(nb.logProb[f * 2 + k]!);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it("favours the class whose examples use the words, and the best class scores 0", () => {
    const z = bayesLogits(nb, [0, 4]);
    expect(z[0]).toBe(0);
    expect(z[1]).toBeLessThan(0);
    const y = bayesLogits(nb, [3]);
    expect(y[1]).toBe(0);
    expect(y[0]).toBeLessThan(0);
  });

  it("is neutral on a word both classes use equally, and on a text with no known word", () => {
    const z = bayesLogits(nb, [4]);
    expect(z[0]).toBeCloseTo(z[1]!, 6);
    expect([...bayesLogits(nb, [])]).toEqual([0, 0]);
  });

  it("keeps its scale for long texts: the margin grows with the square root of the length", () => {
    const short = bayesLogits(nb, [0]);
    const long = bayesLogits(nb, [0, 0, 0, 0]);
    expect(long[1]! / short[1]!).toBeCloseTo(2, 6);
  });
});
