// The page's pure functions (web/highlight.js, web/input.js) in Node: code
// point to UTF-16 offsets, threshold filtering as the server does it, lanes
// and segments for nested and overlapping spans, the palette's contrast, file
// names, and the checks on pasted text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const P = require('../../web/highlight.js');
const I = require('../../web/input.js');

test('utf16Offsets maps code points to UTF-16 indices', () => {
  assert.deepEqual(P.utf16Offsets(''), [0]);
  assert.deepEqual(P.utf16Offsets('abc'), [0, 1, 2, 3]);
  // é and “ are one unit each; 🌊 (U+1F30A) is two.
  const text = 'é🌊“x';
  assert.deepEqual(P.utf16Offsets(text), [0, 1, 3, 4, 5]);
  const map = P.utf16Offsets(text);
  assert.equal(text.slice(map[1], map[2]), '🌊');
  assert.equal(text.slice(map[2], map[4]), '“x');
});

test('a span after emoji slices to its own text', () => {
  const text = '🌊🌊 Café owners say the elites lie.';
  // Code points: 2 emoji, a space, then "Café" at 3..7.
  const map = P.utf16Offsets(text);
  assert.equal(map.length - 1, Array.from(text).length);
  assert.equal(text.slice(map[3], map[7]), 'Café');
  assert.equal(text.slice(3, 7), '\udf0a Ca', 'without the map the slice is shifted');
});

test('passes compares in single precision like the server', () => {
  // 0.3 as a float is 0.30000001192...; a double score just below it fails
  // on the server, and must fail here too.
  assert.equal(P.passes({ score: 0.3 }, 0.3), false);
  assert.equal(P.passes({ score: Math.fround(0.3) }, 0.3), true);
  assert.equal(P.passes({ score: 0.5 }, 0), true);
  assert.equal(P.passes({ score: 0.99 }, 1), false);
});

test('propagandaScore merges overlapping spans, counts touching ones once each', () => {
  assert.equal(P.propagandaScore([], 10), 0);
  assert.equal(P.propagandaScore([{ start: 0, end: 5 }], 10), 0.5);
  // [0,5) and [3,8) overlap: union 8. [8,10) touches: 2 more.
  assert.equal(P.propagandaScore([{ start: 3, end: 8 }, { start: 0, end: 5 }, { start: 8, end: 10 }], 20), 0.5);
  // Nested spans add nothing.
  assert.equal(P.propagandaScore([{ start: 0, end: 10 }, { start: 2, end: 4 }], 40), 0.25);
});

test('analysisAt filters spans and recomputes counts and score', () => {
  const full = {
    id: 'a', length: 100, propaganda_score: 0.3, technique_counts: { Doubt: 1, Slogans: 1 },
    spans: [
      { start: 0, end: 10, technique: 'Slogans', score: 0.2, text: 'x', sentence: 0 },
      { start: 20, end: 40, technique: 'Doubt', score: 0.6, text: 'y', sentence: 1 },
    ],
  };
  const at = P.analysisAt(full, 0.5);
  assert.deepEqual(Object.keys(at), ['id', 'length', 'propaganda_score', 'spans', 'technique_counts']);
  assert.equal(at.spans.length, 1);
  assert.equal(at.spans[0].technique, 'Doubt');
  assert.deepEqual(at.technique_counts, { Doubt: 1 });
  assert.equal(at.propaganda_score, 0.2);
  assert.equal(full.spans.length, 2, 'the full analysis is not changed');
  const without = P.analysisAt(full, 0, ['Slogans']);
  assert.deepEqual(without.spans.map((s) => s.technique), ['Doubt']);
  assert.deepEqual(without.technique_counts, { Doubt: 1 });
});

test('assignLanes gives nested and overlapping spans different lanes', () => {
  const outer = { start: 0, end: 50 };
  const inner = { start: 10, end: 20 };
  const same = { start: 10, end: 20 };
  const overlap = { start: 40, end: 60 };
  const later = { start: 70, end: 80 };
  const { lane, count } = P.assignLanes([inner, overlap, outer, same, later]);
  assert.equal(lane.get(outer), 0);
  assert.notEqual(lane.get(inner), lane.get(same));
  assert.ok(lane.get(inner) > 0 && lane.get(same) > 0);
  assert.notEqual(lane.get(overlap), lane.get(outer));
  assert.equal(lane.get(later), 0, 'a lane is reused once free');
  assert.equal(count, 3);
});

test('segments cut at every boundary and list the covering spans', () => {
  const a = { start: 2, end: 8 };
  const b = { start: 4, end: 6 };
  const c = { start: 6, end: 10 };
  const segs = P.segments([a, b, c], 12);
  assert.deepEqual(segs.map((s) => [s.start, s.end]), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 10], [10, 12]]);
  assert.deepEqual(segs.map((s) => s.covering), [[], [a], [a, b], [a, c], [c], []]);
  // Every span is exactly the union of the segments that list it.
  for (const span of [a, b, c]) {
    const mine = segs.filter((s) => s.covering.includes(span));
    assert.equal(mine[0].start, span.start);
    assert.equal(mine[mine.length - 1].end, span.end);
  }
});

test('innermost prefers the shortest span, then the surest', () => {
  const long = { start: 0, end: 10, score: 0.9 };
  const short = { start: 2, end: 4, score: 0.1 };
  const shortSure = { start: 2, end: 4, score: 0.5 };
  assert.equal(P.innermost([long, short]), short);
  assert.equal(P.innermost([long, short, shortSure]), shortSure);
});

test('every technique has its own colour', () => {
  const colours = Object.values(P.COLORS);
  assert.equal(colours.length, 14);
  assert.equal(new Set(colours).size, 14);
  assert.equal(P.colorOf('Doubt'), '#6b19b3');
});

// WCAG 2 contrast ratio of two sRGB colours given as [r, g, b] in 0..255.
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.map((v) => {
      const x = v / 255;
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

test('lanes have 3:1 contrast on white, text 4.5:1 on the strongest fill', () => {
  const white = [255, 255, 255];
  const ink = rgb('#1d1d1f');  // --ink in style.css
  const alpha = P.fillAlpha(1);
  for (const [technique, hex] of Object.entries(P.COLORS)) {
    const c = rgb(hex);
    assert.ok(contrast(c, white) >= 3, `${technique} lane: ${contrast(c, white).toFixed(2)}`);
    const fill = c.map((v) => 255 * (1 - alpha) + v * alpha);
    assert.ok(contrast(ink, fill) >= 4.5, `${technique} text: ${contrast(ink, fill).toFixed(2)}`);
  }
  assert.ok(P.LANE_PX >= 5);
});

test('every technique has a readable name and a short one', () => {
  for (const technique of Object.keys(P.COLORS)) {
    assert.ok(!/[_,]/.test(P.nameOf(technique)), P.nameOf(technique));
    assert.ok(P.shortNameOf(technique).length <= 14, P.shortNameOf(technique));
  }
  assert.equal(P.nameOf('Name_Calling,Labeling'), 'Name calling / labeling');
  assert.equal(P.nameOf('Some_New_Label'), 'Some New Label');
});

test('fileStem names a download after its title', () => {
  assert.equal(P.fileStem('Council approves riverside housing plan'), 'council-approves-riverside-housing-plan');
  assert.equal(P.fileStem('Café <b>news</b>: 2026/11!'), 'café-b-news-b-2026-11');
  assert.equal(P.fileStem('../../etc/passwd'), 'etc-passwd');
  assert.equal(P.fileStem('«»'), 'article');
  assert.equal(P.fileStem('a'.repeat(100)).length, 60);
});

test('a lone web address is told apart from an article', () => {
  assert.equal(I.isUrl('https://news.example/a/b.html'), true);
  assert.equal(I.isUrl('  www.example.org/story \n'), true);
  assert.equal(I.isUrl('Read https://news.example/a today.'), false);
});

test('HTML tags are counted, angle brackets in prose are not', () => {
  assert.equal(I.htmlTagCount('<p>They are <b>traitors</b>.</p>'), 4);
  assert.equal(I.htmlTagCount('x < 3 and y > 2; a <-> b'), 0);
});

test('looksEnglish: English prose passes, French, German, Spanish and Russian do not', () => {
  assert.equal(I.looksEnglish('The council voted on Tuesday to approve the plan, which its critics say is a disaster.'), true);
  assert.equal(I.looksEnglish('Le conseil municipal a approuvé mardi un projet de logements au bord de la rivière.'), false);
  assert.equal(I.looksEnglish('Der Stadtrat hat am Dienstag einen Wohnungsplan am Fluss beschlossen, der umstritten ist.'), false);
  assert.equal(I.looksEnglish('El consejo municipal aprobó el martes un plan de viviendas junto al río.'), false);
  assert.equal(I.looksEnglish('Городской совет во вторник одобрил план строительства жилья у реки.'), false);
  assert.equal(I.looksEnglish('Bonjour tout le monde'), true, 'too short to tell');
});

test('segments agree with a brute-force cover on random spans, and scale', () => {
  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 50; ++round) {
    const length = 1 + random(60);
    const spans = [];
    for (let k = random(8); k > 0; --k) {
      const start = random(length);
      spans.push({ start, end: start + random(length - start + 1) });
    }
    for (const seg of P.segments(spans, length)) {
      const expected = spans.filter((s) => s.start <= seg.start && s.end >= seg.end);
      assert.deepEqual(seg.covering, expected);
    }
  }
  // 20,000 spans over a 2-million-character article in well under a second.
  const many = [];
  for (let k = 0; k < 20000; ++k) many.push({ start: k * 100, end: k * 100 + 40 + (k % 3) * 50 });
  const t0 = Date.now();
  const segs = P.segments(many, 2000000);
  assert.ok(segs.length > 30000, `${segs.length} segments`);
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
});

test('voiceScores splits the propaganda score between the author and quotations, as the analyzer does', () => {
  // 100 characters, 40 of them quoted ([10, 50)); spans cover 10 quoted and
  // 15 of the author's characters, one of them overlapping another.
  const quotations = [{ start: 10, end: 50, speaker: 'Pence' }];
  const spans = [{ start: 0, end: 5 }, { start: 40, end: 60 }, { start: 55, end: 60 }];
  const v = P.voiceScores(spans, quotations, 100);
  assert.equal(v.quoted, 10 / 40);
  assert.equal(v.author, 15 / 60);
  assert.deepEqual(P.voiceScores([], [], 10), { author: 0, quoted: 0 });
  assert.deepEqual(P.voiceScores([{ start: 0, end: 10 }], [{ start: 0, end: 10 }], 10), { author: 0, quoted: 1 });
});

test('the explanation in words', () => {
  assert.equal(P.voiceInWords({ voice: 'author' }), 'In the author\u2019s own voice');
  assert.equal(P.voiceInWords({ voice: 'quoted', speaker: 'Bolton' }), 'Quoted: Bolton is speaking');
  assert.equal(P.voiceInWords({ voice: 'quoted' }), 'Quoted (the article names no speaker)');
  assert.equal(P.precisionInWords(0.42), 'At this score, about 4 in 10 flagged passages matched annotators');
  assert.equal(P.precisionInWords(0.97), 'At this score, about 10 in 10 flagged passages matched annotators');
  assert.equal(P.percentileInWords(0.684), 'higher than 68% of the reference articles');
});
