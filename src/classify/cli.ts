/**
 * npm run --silent classify < messages.jsonl
 * Reads {"id","text","place"?} lines on stdin, writes {"id","topic","confidence","kind","agency",
 * "abstained"} lines on stdout through the production classifier and router.
 */
import { once } from "node:events";
import { createInterface } from "node:readline";
import { loadReferenceData } from "../data/index.ts";
import { PlaceIndex } from "../intake/places.ts";
import { type RouteAgency, runClassifyStream } from "./cli-core.ts";
import { DEFAULT_MODEL_DIR, loadClassifier } from "./node-loader.ts";
import { cliRouter } from "./port.ts";

// The production router: topic × place × kind → agency, with the place from "place" or the text.
const data = loadReferenceData();
const routeAgency: RouteAgency = cliRouter(data, new PlaceIndex(data.communes));

// VI_MODEL_DIR overrides the shipped model/ (MODEL_DIR names the e5 weights folder).
const classifier = await loadClassifier(process.env.VI_MODEL_DIR ?? DEFAULT_MODEL_DIR);
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
await runClassifyStream(
  rl,
  async (line) => {
    if (!process.stdout.write(line)) await once(process.stdout, "drain");
  },
  { classifier, routeAgency },
);
