import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  checkCharacter,
  formatCode,
  generateCode,
  looksLikeCode,
  parseCode,
} from "../../src/case/code.ts";

function seeded(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      out[i] = s >>> 24;
    }
    return out;
  };
}

describe("tracking codes", () => {
  it("look like XXXX-XXXXX, use no confusable characters and parse back", () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{5}$/);
      expect(code).not.toMatch(/[01OIL]/);
      expect(parseCode(code)).toEqual({ ok: true, code });
    }
  });

  it("are not sequential: 10,000 codes are all different", () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => generateCode()));
    expect(codes.size).toBe(10_000);
  });

  it("catch every single wrong character and every swap of two neighbours", () => {
    const random = seeded(42);
    let checked = 0;
    for (let n = 0; n < 300; n++) {
      const compact = generateCode(random).replace("-", "");
      for (let i = 0; i < compact.length; i++) {
        for (const ch of CODE_ALPHABET) {
          if (ch === compact[i]) continue;
          const typo = compact.slice(0, i) + ch + compact.slice(i + 1);
          expect(parseCode(typo).ok, `${compact} → ${typo}`).toBe(false);
          checked++;
        }
        if (i + 1 < compact.length && compact[i] !== compact[i + 1]) {
          const swapped = compact.slice(0, i) + compact[i + 1] + compact[i] + compact.slice(i + 2);
          expect(parseCode(swapped).ok, `${compact} → ${swapped}`).toBe(false);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(80_000);
  });

  it("read what people type: lower case, spaces, dashes, a leading «mã»", () => {
    const code = generateCode(seeded(7));
    const compact = code.replace("-", "");
    expect(parseCode(compact.toLowerCase())).toEqual({ ok: true, code });
    expect(parseCode(` ${compact.slice(0, 3)} ${compact.slice(3, 6)} ${compact.slice(6)} `)).toEqual({
      ok: true,
      code,
    });
    expect(parseCode(`Mã số: ${code}`)).toEqual({ ok: true, code });
    expect(parseCode(`ma ${code.toLowerCase()}`)).toEqual({ ok: true, code });
  });

  it("read codes that begin with MA (like the word “mã”) with and without the prefix", () => {
    const code = formatCode(`MAYR5K7X${checkCharacter("MAYR5K7X")}`);
    expect(parseCode(code)).toEqual({ ok: true, code });
    expect(parseCode(code.toLowerCase().replace("-", " "))).toEqual({ ok: true, code });
    expect(parseCode(`mã ${code}`)).toEqual({ ok: true, code });
    expect(parseCode(`Mã số: ${code.toLowerCase()}`)).toEqual({ ok: true, code });
  });

  it("say why a text is not a code", () => {
    expect(parseCode("ABC")).toEqual({ ok: false, reason: "length" });
    expect(parseCode("ABCD-0FGHJ")).toEqual({ ok: false, reason: "character" });
    const body = "HK7R2MQ9";
    const wrong = CODE_ALPHABET[(CODE_ALPHABET.indexOf(checkCharacter(body)) + 1) % 31];
    expect(parseCode(body + wrong)).toEqual({ ok: false, reason: "check" });
  });

  it("recognise code-like input in a chat", () => {
    expect(looksLikeCode(generateCode())).toBe(true);
    expect(looksLikeCode("xin chào")).toBe(false);
    // Codes without any digit are still codes when their check character is right.
    const letters = `AFKEMRDY${checkCharacter("AFKEMRDY")}`;
    expect(looksLikeCode(letters.toLowerCase())).toBe(true);
    expect(looksLikeCode("afke mrdy q".replace("q", letters[8]!.toLowerCase()))).toBe(true);
  });
});
