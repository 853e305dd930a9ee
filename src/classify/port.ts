/** The classifier as the dialogue and the CLI use it: topic with confidence, abstention, kind hint, agency. */
import type { CaseKind } from "../case/kind.ts";
import type { ReferenceData } from "../data/index.ts";
import type { Classification as DialogueClassification } from "../intake/dialogue.ts";
import type { PlaceIndex } from "../intake/places.ts";
import { route } from "../routing/router.ts";
import type { Classifier } from "./classifier.ts";
import type { RouteAgency } from "./cli-core.ts";

/** Below this confidence the kind is not suggested to the citizen. */
const KIND_HINT_MIN = 0.6;

export function dialogueClassifier(
  classifier: Classifier,
): (text: string) => Promise<DialogueClassification> {
  return async (text) => {
    const c = await classifier.classify(text);
    return {
      topicId: c.topic,
      confidence: c.confidence,
      abstained: c.abstained,
      ranked: c.topics.slice(0, 3).map((t) => t.topic),
      ...(c.kind.confidence >= KIND_HINT_MIN ? { kind: c.kind.kind as CaseKind } : {}),
    };
  };
}

/**
 * The router for `npm run classify`: the place comes from the "place" field when given, else from
 * a commune named in the text; an unknown or ambiguous place routes as city-wide.
 */
export function cliRouter(data: ReferenceData, places: PlaceIndex): RouteAgency {
  return (input) => {
    const { topic, kind, place, text } = input;
    let placeId: string | null = null;
    const m = place ? places.match(place) : text ? places.findIn(text) : undefined;
    if (m?.kind === "unique") placeId = m.commune.id;
    return { agencyId: route({ topicId: topic, kind: kind as CaseKind, placeId }, data).agencyId };
  };
}
