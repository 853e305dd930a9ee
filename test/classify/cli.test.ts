/** `npm run classify` end to end: a child process reading JSON lines on stdin. */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Classifier } from "../../src/classify/classifier.ts";
import { classifyLine } from "../../src/classify/cli-core.ts";

const root = path.resolve(import.meta.dirname, "../..");

function runCli(input: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/classify/cli.ts"], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}

describe("classify CLI", () => {
  it("writes one JSON line per input line, in order, and an error line for each bad one", async () => {
    const input = [
      JSON.stringify({ id: "a1", text: "Nhà tôi bị thu hồi đất mà chưa được bồi thường", place: "hai-chau" }),
      "{not json",
      JSON.stringify({ id: 7, body: "no text field" }),
      "",
      JSON.stringify({ id: "a2", text: "duong vao thon nhieu o ga, troi mua ko di dc" }),
      JSON.stringify(["array"]),
    ].join("\n");
    const { stdout, code } = await runCli(`${input}\n`);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    const { second, ...first } = lines[0];
    expect(second === null || typeof second.topic === "string").toBe(true);
    expect(first).toEqual({
      id: "a1",
      topic: "land",
      confidence: expect.any(Number),
      kind: expect.stringMatching(/^(pakn|khieu_nai|to_cao)$/),
      // Routed by the production router: a land matter of one ward goes to its People's Committee.
      agency: "ubnd-hai-chau",
      abstained: false,
    });
    expect(lines[1]).toEqual({ id: null, error: expect.any(String) });
    expect(lines[2]).toEqual({ id: 7, error: expect.stringContaining("text") });
    expect(lines[3]).toMatchObject({ id: "a2", topic: "transport_infrastructure", agency: "so-xay-dung" });
    expect(lines[4]).toEqual({ id: null, error: expect.any(String) });
  });
});

describe("classifyLine", () => {
  const classifier = {
    classify: async () => ({
      topics: [{ topic: "land", confidence: 1 }],
      topic: "land",
      confidence: 1,
      abstained: false,
      kind: { kind: "khieu_nai" as const, confidence: 1 },
    }),
  } as unknown as Classifier;

  it("passes topic, kind and place to the router it is given and reports its agency", async () => {
    const seen: unknown[] = [];
    const out = await classifyLine(JSON.stringify({ id: 1, text: "x", place: "hai-chau" }), {
      classifier,
      routeAgency: (input) => {
        seen.push(input);
        return { agencyId: "agency-under-test" };
      },
    });
    expect(seen).toEqual([
      { text: "x", topic: "land", kind: "khieu_nai", place: "hai-chau", abstained: false },
    ]);
    expect(out).toMatchObject({ id: 1, agency: "agency-under-test", second: null });
  });

  it("reports the second-best topic when the classifier finds it close", async () => {
    const torn = {
      classify: async () => ({
        topics: [
          { topic: "transport_infrastructure", confidence: 0.5 },
          { topic: "disasters", confidence: 0.4 },
        ],
        topic: "transport_infrastructure",
        confidence: 0.5,
        abstained: true,
        alternative: { topic: "disasters", confidence: 0.4 },
        kind: { kind: "pakn" as const, confidence: 1 },
      }),
    } as unknown as Classifier;
    const out = await classifyLine(JSON.stringify({ id: 3, text: "x" }), { classifier: torn });
    expect(out).toMatchObject({
      topic: "transport_infrastructure",
      second: { topic: "disasters", confidence: 0.4 },
    });
  });

  it("reports a router failure as an error line instead of throwing", async () => {
    const out = await classifyLine(JSON.stringify({ id: 2, text: "x" }), {
      classifier,
      routeAgency: () => {
        throw new Error("boom");
      },
    });
    expect(out).toEqual({ id: 2, error: expect.stringContaining("boom") });
  });
});
