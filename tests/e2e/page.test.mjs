// The web page end to end, in real headless Chromium (Debian's, driven by
// npm playwright-core) against `propscan serve` on a free loopback port:
// paste an article, wait for highlights, click a span, toggle a technique,
// move the threshold, download JSON and the HTML report, open the report
// offline, and check that article text is never run as HTML; a phone and a
// desktop screen, printing to PDF (read back with poppler-utils), the
// keyboard path, axe-core's accessibility rules, pasted HTML and URLs, text
// in another language and a server that cannot be reached.
//
//   node tests/e2e/page.test.mjs [path/to/propscan]
//
// Writes e2e-page.png, e2e-report.png, e2e-nested.png, e2e-desktop.png,
// e2e-phone.png and the first printed page of the page and of the report
// (e2e-print-page.png, e2e-print-report.png) in the current directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser, newPage, startServer, stopServer } from './support.mjs';

const require = createRequire(import.meta.url);
const P = require('../../web/highlight.js');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const binary = resolve(process.argv[2] || process.env.PROPSCAN_BINARY || join(root, 'build/propscan'));
const articlePath = join(root, 'tests/data/web/article.txt');
const articleText = readFileSync(articlePath, 'utf8');
const outDir = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'propscan-e2e-'));

let server = null;  // {process, base, log}
let browser = null;

async function api(path, body) {
  const response = await fetch(server.base + path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${path} answered ${response.status}`);
  return response.json();
}

// A fresh page that fails the test on any script error or console error
// (a Content-Security-Policy violation is one).
// Span index -> the text of all marks that draw it, in document order.
function drawnSpans(page) {
  return page.$$eval('[data-role=article] mark.seg', (marks) => {
    const drawn = {};
    for (const m of marks) {
      for (const i of m.dataset.spans.split(' ')) drawn[i] = (drawn[i] || '') + m.textContent;
    }
    return drawn;
  });
}

async function analyse(page, text, title) {
  await page.fill('#title', title || '');
  await page.fill('#text', text);
  await page.click('#analyse');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent) ||
    document.getElementById('status').classList.contains('error'));
}

async function setThreshold(page, value) {
  await page.$eval('#threshold', (input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

before(async () => {
  server = await startServer(binary, ['--threads', '16']);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stopServer(server);
  rmSync(tmp, { recursive: true, force: true });
});

test('paste, highlight, explain, toggle, threshold, downloads, offline report', async () => {
  const info = await api('/api/techniques');
  const definitions = Object.fromEntries(info.techniques.map((t) => [t.label, t.definition]));
  const atDefault = await api('/api/analyze', { text: articleText });
  assert.ok(atDefault.spans.length >= 4, 'the example article has spans at the default threshold');

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await newPage(context);
  await page.goto(server.base + '/');
  await analyse(page, articleText, 'Council approves riverside housing plan');
  await page.waitForSelector('[data-role=article] mark.seg');

  // Every span of the API's answer is drawn, and covers exactly its own
  // text: offsets were converted from code points (the 🌊 comes first).
  const drawn = await drawnSpans(page);
  assert.equal(Object.keys(drawn).length, atDefault.spans.length);
  const full = await api('/api/analyze', { text: articleText, threshold: 0 });
  for (const [index, text] of Object.entries(drawn)) {
    const span = full.spans[Number(index)];
    assert.ok(atDefault.spans.some((s) => s.start === span.start && s.end === span.end && s.technique === span.technique));
    assert.equal(text, span.text, `span ${index} is drawn over its own text`);
  }
  assert.equal(await page.textContent('[data-role=score]'), `${(atDefault.propaganda_score * 100).toFixed(1)}%`);
  assert.equal(await page.textContent('[data-role=article]'), articleText, 'the article is shown whole, as text');

  // Click a span: the explanation names the technique, defines it, gives
  // the score and the fragment.
  const target = atDefault.spans.reduce((a, b) => (b.score > a.score ? b : a));
  const targetIndex = full.spans.findIndex((s) => s.start === target.start && s.end === target.end);
  await page.click(`[data-role=article] mark.seg[data-spans~="${targetIndex}"] >> nth=0`);
  assert.equal(await page.textContent('[data-role=technique]'), P.nameOf(target.technique));
  assert.equal(await page.getAttribute('[data-role=technique]', 'data-label'), target.technique);
  assert.equal(await page.textContent('[data-role=definition]'), definitions[target.technique]);
  assert.equal(await page.textContent('[data-role=span-score]'), target.score.toFixed(2));
  assert.equal(await page.textContent('[data-role=fragment]'), target.text);
  assert.ok(await page.$$eval('mark.seg.selected', (ms) => ms.length) >= 1);
  // ... and says why: who is speaking, the evidence, the precision in words.
  assert.equal(await page.textContent('[data-role=voice]'), P.voiceInWords(target));
  assert.ok(target.evidence.length > 0, 'the strongest span has evidence');
  assert.deepEqual(await page.$$eval('[data-role=evidence] li', (lis) => lis.map((li) => li.textContent)),
    target.evidence.map((e) => `${e.text} ${e.reason}`));
  if (typeof target.precision_estimate === 'number') {
    assert.equal(await page.textContent('[data-role=precision]'), P.precisionInWords(target.precision_estimate));
  }
  await page.screenshot({ path: join(outDir, 'e2e-page.png'), fullPage: true });

  // The article quotes a councillor by name: those passages say so.
  const quoted = atDefault.spans.filter((s) => s.voice === 'quoted');
  assert.ok(quoted.length > 0 && atDefault.spans.some((s) => s.voice === 'author'));
  assert.ok(quoted.some((s) => s.speaker === 'Dana Whitfield'), 'a passage names its speaker');
  // "Author's voice only" hides the quoted passages, and shows them again.
  await page.check('[data-role=author-only]');
  assert.equal(Object.keys(await drawnSpans(page)).length, atDefault.spans.length - quoted.length);
  for (const index of Object.keys(await drawnSpans(page))) assert.notEqual(full.spans[Number(index)].voice, 'quoted');
  await page.uncheck('[data-role=author-only]');
  assert.equal(Object.keys(await drawnSpans(page)).length, atDefault.spans.length);
  await page.click(`[data-role=article] mark.seg[data-spans~="${targetIndex}"] >> nth=0`);

  // Toggle the most frequent technique off: its highlights disappear, the
  // others stay; on again: they are back.
  const [technique, count] = Object.entries(atDefault.technique_counts).sort((a, b) => b[1] - a[1])[0];
  const selector = `[data-role=article] mark.seg[data-techniques~="${technique}"]`;
  const before = await page.$$eval(selector, (ms) => ms.length);
  assert.ok(before >= count);
  const legendButton = `[data-role=legend] button[data-technique="${technique}"]`;
  assert.equal(await page.textContent(`${legendButton} .count`), String(count));
  await page.click(legendButton);
  assert.equal(await page.$$eval(selector, (ms) => ms.length), 0);
  assert.equal(await page.getAttribute(legendButton, 'aria-pressed'), 'false');
  const others = atDefault.spans.filter((s) => s.technique !== technique).length;
  assert.equal(Object.keys(await drawnSpans(page)).length, others);
  await page.click(legendButton);
  assert.equal(await page.$$eval(selector, (ms) => ms.length), before);

  // Move the threshold: exactly the spans the server keeps at 0.35 remain,
  // with the server's propaganda score.
  await setThreshold(page, 0.35);
  const at35 = await api('/api/analyze', { text: articleText, threshold: 0.35 });
  assert.ok(at35.spans.length < atDefault.spans.length && at35.spans.length > 0);
  const drawn35 = await drawnSpans(page);
  assert.equal(Object.keys(drawn35).length, at35.spans.length);
  for (const index of Object.keys(drawn35)) assert.ok(full.spans[Number(index)].score >= 0.35);
  assert.equal(await page.textContent('[data-role=score]'), `${(at35.propaganda_score * 100).toFixed(1)}%`);
  assert.equal(await page.textContent('[data-role=threshold-value]'), '0.35');
  await setThreshold(page, 0);
  assert.equal(Object.keys(await drawnSpans(page)).length, full.spans.length);
  await setThreshold(page, 0.35);

  // The JSON download is what the API returns at that threshold.
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  assert.equal(jsonDownload.suggestedFilename(), 'council-approves-riverside-housing-plan.propscan.json');
  const jsonPath = join(tmp, 'result.json');
  await jsonDownload.saveAs(jsonPath);
  const downloaded = JSON.parse(readFileSync(jsonPath, 'utf8'));
  assert.equal(downloaded.title, 'Council approves riverside housing plan');
  delete downloaded.title;
  assert.deepEqual(downloaded, at35);

  // The HTML report opens offline, with the same highlights and threshold.
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
  assert.equal(htmlDownload.suggestedFilename(), 'council-approves-riverside-housing-plan.propscan.html');
  const reportPath = join(tmp, 'report.html');
  await htmlDownload.saveAs(reportPath);
  assert.deepEqual(page.problems, []);
  await context.close();

  const offline = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const requests = [];
  offline.on('request', (r) => requests.push(r.url()));
  const report = await newPage(offline);
  await report.goto(pathToFileURL(reportPath).href);
  await report.waitForSelector('[data-role=article] mark.seg');
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'the report loads nothing');
  assert.equal(await report.textContent('#article-title'), 'Council approves riverside housing plan');
  assert.deepEqual(await drawnSpans(report), drawn35);
  assert.equal(await report.textContent('[data-role=score]'), `${(at35.propaganda_score * 100).toFixed(1)}%`);
  await report.click(`[data-role=article] mark.seg[data-spans~="${targetIndex}"] >> nth=0`);
  assert.equal(await report.textContent('[data-role=definition]'), definitions[target.technique]);
  await report.screenshot({ path: join(outDir, 'e2e-report.png'), fullPage: true });
  assert.deepEqual(report.problems, []);
  await offline.close();
});

test('an opened .txt file is analysed like pasted text; bad UTF-8 is refused', async () => {
  const context = await browser.newContext();
  const page = await newPage(context);
  await page.goto(server.base + '/');
  await page.setInputFiles('#file', articlePath);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Opened'));
  assert.equal(await page.textContent('#status'), 'Opened article.txt; press Analyse.');
  assert.equal(await page.inputValue('#text'), articleText);
  assert.equal(await page.inputValue('#title'), 'article');
  await page.click('#analyse');
  await page.waitForSelector('[data-role=article] mark.seg');
  const atDefault = await api('/api/analyze', { text: articleText });
  assert.equal(Object.keys(await drawnSpans(page)).length, atDefault.spans.length);

  const bad = join(tmp, 'bad.txt');
  writeFileSync(bad, Buffer.from([0x61, 0xff, 0x62]));
  await page.setInputFiles('#file', bad);
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'));
  assert.equal(await page.textContent('#status'), 'bad.txt is not valid UTF-8 text.');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('article text is shown as text, never run as HTML, in the page and the report', async () => {
  const hostile = 'The <script>window.__pwned = 1</script> corrupt elites lie to you every day. ' +
    '<img src=x onerror="window.__pwned = 2"> They are destroying our great nation! ' +
    '<b onmouseover="window.__pwned = 3">Wake up</b> &amp; fight back before it is too late.';
  const title = '<img src=x onerror="window.__pwned = 4">Title';
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await newPage(context);
  await page.goto(server.base + '/');
  await analyse(page, hostile, title);
  await setThreshold(page, 0);
  await page.waitForSelector('[data-role=article] mark.seg');
  assert.equal(await page.textContent('[data-role=article]'), hostile);
  assert.equal(await page.textContent('#article-title'), title);
  assert.equal(await page.$$eval('#output img, #output script, #output b', (els) => els.length), 0);
  await page.click('[data-role=article] mark.seg >> nth=0');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
  const reportPath = join(tmp, 'hostile.html');
  await download.saveAs(reportPath);
  const html = readFileSync(reportPath, 'utf8');
  assert.ok(!html.includes('<img src=x'), 'no raw markup from the text in the report');
  assert.ok(!html.includes('window.__pwned = 1</script>'));
  assert.equal((html.match(/<script/g) || []).length, 2, 'only the data block and the code');
  assert.deepEqual(page.problems, []);
  await context.close();

  const offline = await browser.newContext({ offline: true });
  const report = await newPage(offline);
  await report.goto(pathToFileURL(reportPath).href);
  await report.waitForSelector('[data-role=article] mark.seg');
  assert.equal(await report.textContent('[data-role=article]'), hostile);
  assert.equal(await report.textContent('#article-title'), title);
  assert.equal(await report.$$eval('#output img, #output b', (els) => els.length), 0);
  assert.equal(await report.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(report.problems, []);
  await offline.close();
});

test('nested, identical and overlapping spans all stay visible and clickable', async () => {
  // A made-up analysis, served in place of the API's answer, with the cases
  // the model may produce: a span inside another, two techniques on the
  // same passage, two spans that overlap, all after an astral character.
  const text = '🌊 They say the corrupt elites betray us all, and the elites never stop lying to us.';
  const cps = Array.from(text);
  const span = (start, end, technique, score) =>
    ({ start, end, technique, score, sentence: 0, text: cps.slice(start, end).join('') });
  const spans = [
    span(2, 43, 'Appeal_to_fear-prejudice', 0.5),  // "They say ... us all"
    span(15, 29, 'Name_Calling,Labeling', 0.8),  // "corrupt elites"
    span(15, 29, 'Loaded_Language', 0.6),  // the same passage
    span(37, 62, 'Doubt', 0.4),  // overlaps the first
  ];
  assert.equal(spans[1].text, 'corrupt elites');
  const fake = { id: 'article', length: cps.length, propaganda_score: 0.5, technique_counts: {}, spans };

  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await newPage(context);
  await page.route('**/api/analyze', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(fake) }));
  await page.goto(server.base + '/');
  await analyse(page, text);
  await setThreshold(page, 0);
  const drawn = await drawnSpans(page);
  assert.deepEqual(drawn, { 0: spans[0].text, 1: spans[1].text, 2: spans[2].text, 3: spans[3].text });
  assert.equal(await page.textContent('[data-role=article]'), text);

  // Clicking the text of the nested passage explains the innermost, surest
  // span and lists the others covering the same place.
  const inner = page.locator('[data-role=article] mark.seg[data-start="15"]');
  await inner.click();
  assert.equal(await page.getAttribute('[data-role=technique]', 'data-label'), 'Name_Calling,Labeling');
  const alsoHere = await page.$$eval('.other-span', (bs) => bs.map((b) => b.dataset.span));
  assert.deepEqual(alsoHere.sort(), ['0', '2']);
  await page.click('.other-span[data-span="2"]');
  assert.equal(await page.getAttribute('[data-role=technique]', 'data-label'), 'Loaded_Language');
  assert.equal(await page.textContent('[data-role=fragment]'), 'corrupt elites');

  // Each span has its own underline lane: clicking a lane picks its span.
  const lanes = await page.$eval('[data-role=article]', (a) => Number(a.style.getPropertyValue('--lanes')));
  assert.equal(lanes, 3);
  const box = await inner.boundingBox();
  const clickLane = async (k) => {
    // Lane k is drawn k lanes above the bottom-most one (see highlight.js).
    await page.mouse.click(box.x + box.width - 3, box.y + box.height - 1 - (lanes - 1 - k) * P.LANE_PX);
    return page.getAttribute('[data-role=technique]', 'data-label');
  };
  const picked = new Set([await clickLane(0), await clickLane(1), await clickLane(2)]);
  assert.deepEqual(picked, new Set(['Appeal_to_fear-prejudice', 'Name_Calling,Labeling', 'Loaded_Language']));

  await page.screenshot({ path: join(outDir, 'e2e-nested.png') });
  assert.equal(await page.$$eval('[data-role=details]', (d) => d[0].textContent.includes('null')), false);

  // The overlapping span is reachable both where it overlaps and on its own.
  await page.click('[data-role=article] mark.seg[data-start="43"]');
  assert.equal(await page.getAttribute('[data-role=technique]', 'data-label'), 'Doubt');
  assert.equal(await page.textContent('[data-role=fragment]'), spans[3].text);

  // Hiding one of the two techniques on the same passage leaves the other.
  await page.click('[data-role=legend] button[data-technique="Loaded_Language"]');
  assert.deepEqual(Object.keys(await drawnSpans(page)).sort(), ['0', '1', '3']);
  assert.deepEqual(page.problems, []);
  await context.close();
});

// ---- Phones, print, keyboard, accessibility, input checks (issue 23) -------

// Serious and critical findings of axe-core on the page as it is now.
async function axeFindings(page) {
  // Evaluated by the test's driver, so the page's policy does not block it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

// Horizontal overflow of the page, in CSS pixels.
function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function tryExample(page) {
  await page.click('#example');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent));
}

// The article's text of PDF `path` (pdftotext) and how many of its pixels
// at 72 dpi are strongly coloured (pdftoppm; grey text and white paper are not).
function readPdf(path) {
  const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  const ppm = execFileSync('pdftoppm', ['-r', '72', '-f', '1', '-l', '1', path], { maxBuffer: 1 << 26 });
  // Binary PPM: "P6", width, height, 255, then RGB bytes.
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  let colored = 0;
  for (let i = header[0].length; i + 2 < ppm.length; i += 3) {
    const r = ppm[i], g = ppm[i + 1], b = ppm[i + 2];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) ++colored;
  }
  return { text, colored };
}

test('phone and desktop: no horizontal overflow, legend first, the explanation beside the tapped passage', async () => {
  const desktop = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const wide = await newPage(desktop);
  await wide.goto(server.base + '/');
  assert.equal(await overflow(wide), 0, 'desktop, empty page');
  await tryExample(wide);
  assert.equal(await overflow(wide), 0, 'desktop, with results');
  const exampleTitle = await wide.inputValue('#title');
  assert.equal(await wide.textContent('#article-title'), exampleTitle);
  await wide.click('[data-role=article] mark.seg[tabindex="0"] >> nth=2');
  await wide.evaluate(() => window.scrollTo(0, 0));
  await wide.screenshot({ path: join(outDir, 'e2e-desktop.png'), fullPage: true });
  assert.deepEqual(wide.problems, []);
  await desktop.close();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await newPage(phone);
  await page.goto(server.base + '/');
  assert.equal(await overflow(page), 0, 'phone, empty page');
  await tryExample(page);
  assert.equal(await overflow(page), 0, 'phone, with results');
  // The threshold's value is on the screen, not cut off.
  const value = await page.locator('[data-role=threshold-value]').boundingBox();
  assert.ok(value.x >= 0 && value.x + value.width <= 390, `threshold value at ${value.x}+${value.width}`);
  // The legend comes before the article.
  const legendBox = await page.locator('[data-role=legend]').boundingBox();
  const articleBox = await page.locator('[data-role=article]').boundingBox();
  assert.ok(legendBox.y + legendBox.height <= articleBox.y, 'the legend is above the article');

  // Tap the last passage: its explanation opens as a sheet on the screen,
  // and the passage stays visible above it.
  const last = page.locator('[data-role=article] mark.seg[tabindex="0"]').last();
  await last.scrollIntoViewIfNeeded();
  await last.tap();
  const details = page.locator('[data-role=details]');
  await page.waitForSelector('[data-role=details].open');
  const sheet = await details.boundingBox();
  const mark = await last.boundingBox();
  assert.ok(sheet.y >= 0 && sheet.y + sheet.height <= 844 + 1, `sheet at ${sheet.y}+${sheet.height}`);
  assert.ok(mark.y >= 0 && mark.y + mark.height <= sheet.y, `passage at ${mark.y}, sheet at ${sheet.y}`);
  assert.ok(sheet.height < 844 / 2 + 1);
  assert.equal(await overflow(page), 0, 'phone, sheet open');
  await page.screenshot({ path: join(outDir, 'e2e-phone.png') });
  assert.deepEqual(await axeFindings(page), [], 'axe on the phone');
  // The sheet closes with its button.
  await page.tap('[data-role=details] button.close');
  assert.equal(await details.isVisible(), false);
  assert.deepEqual(page.problems, []);
  await phone.close();
});

test('print: highlights, labels and legend reach the PDF, the form does not; the report prints the same', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await newPage(context);
  await page.goto(server.base + '/');
  await analyse(page, articleText, 'Council approves riverside housing plan');
  const info = await api('/api/analyze', { text: articleText });
  const techniques = Object.keys(info.technique_counts);
  const checkPdf = async (p, name) => {
    const path = join(tmp, `${name}.pdf`);
    await p.pdf({ path, format: 'A4' });  // the print dialog's default: no background graphics
    const { text, colored } = readPdf(path);
    assert.ok(colored > 2000, `${name}: ${colored} coloured pixels on page 1`);
    for (const t of techniques) {
      assert.ok(text.includes(P.nameOf(t)), `${name}: legend names ${P.nameOf(t)}`);
      assert.ok(text.includes(P.shortNameOf(t)), `${name}: a passage is labelled ${P.shortNameOf(t)}`);
    }
    const chip = `${P.shortNameOf(info.spans[0].technique)} ${info.spans[0].score.toFixed(2)}`;
    assert.ok(text.includes(chip), `${name}: the first passage's chip "${chip}"`);
    assert.ok(!text.includes('Article text') && !text.includes('Open .txt file'), `${name}: no input form`);
    assert.ok(!text.includes('Download JSON'), `${name}: no buttons`);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', path, join(outDir, `e2e-print-${name}`)]);
  };
  await checkPdf(page, 'page');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
  const reportPath = join(tmp, 'print-report.html');
  await download.saveAs(reportPath);
  await context.close();
  const offline = await browser.newContext({ offline: true });
  const report = await newPage(offline);
  await report.goto(pathToFileURL(reportPath).href);
  await report.waitForSelector('[data-role=article] mark.seg');
  await checkPdf(report, 'report');
  assert.deepEqual(report.problems, []);
  await offline.close();
});

test('keyboard: file button, Analyse moves focus to the results, one tab stop per passage after the legend', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(context);
  await page.goto(server.base + '/');
  await page.fill('#title', 'Council approves riverside housing plan');
  await page.fill('#text', articleText);
  await page.focus('#text');
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return a.id || a.dataset.technique || a.dataset.role || (a.matches('mark.seg') ? 'mark' : a.tagName);
  });
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'analyse');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'open-file');
  // Listening for the chooser turns Playwright's interception of file
  // dialogs on; one round trip to the page lets that land before the key
  // (without it the dialog could open natively and the event never come).
  const chooser = page.waitForEvent('filechooser', { timeout: 20000 });
  await page.evaluate(() => 0);
  await page.keyboard.press('Enter');
  assert.ok(await chooser, 'Enter on the file button opens the file chooser');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), 'analyse');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent));
  // Focus and scroll moved to the results summary.
  assert.equal(await focused(), 'summary');
  const top = await page.evaluate(() => document.querySelector('[data-role=summary]').getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 200, `summary at ${top}`);

  // Tab order: the slider, every legend entry, then the passages, one stop each.
  const full = await api('/api/analyze', { text: articleText, threshold: 0 });
  const info = await api('/api/techniques');
  const shown = full.spans.filter((s) => P.passes(s, info.default_threshold));
  const starts = new Set(shown.map((s) => s.start));
  const order = [];
  for (let i = 0; i < 60; ++i) {
    await page.keyboard.press('Tab');
    const f = await focused();
    if (f === 'DIV' || f === 'A' || f === 'BODY') break;
    order.push(f);
  }
  const firstMark = order.indexOf('mark');
  const legendEntries = order.filter((f) => Object.hasOwn(full.technique_counts, f));
  assert.equal(order[0], 'threshold');
  assert.equal(legendEntries.length, new Set(shown.map((s) => s.technique)).size);
  assert.ok(order.lastIndexOf(legendEntries.at(-1)) < firstMark, `legend before the article: ${order.join(' ')}`);
  assert.equal(order.filter((f) => f === 'mark').length, starts.size, 'one tab stop per passage');

  // Each passage's stop is a button named (in the accessibility tree) by
  // its text, technique and score.
  const first = shown.filter((s) => s.start === Math.min(...starts));
  const named = page.getByRole('button', { name: `${P.nameOf(first[0].technique)}, score ${first[0].score.toFixed(2)}` });
  assert.equal(await named.first().getAttribute('data-start'), String(first[0].start));
  assert.equal(await page.getByRole('button', { name: / score \d\.\d\d/ }).count(), starts.size);
  await page.focus(`mark.seg[data-start="${first[0].start}"]`);
  await page.keyboard.press('Enter');
  const best = first.reduce((x, y) => (y.score > x.score ? y : x));
  assert.equal(await page.getAttribute('[data-role=technique]', 'data-label'), best.technique);
  await page.keyboard.press('Escape');
  assert.equal(await page.$$eval('[data-role=details].open', (d) => d.length), 0);

  // The slider moves in steps of 0.01.
  await page.focus('#threshold');
  await page.keyboard.press('ArrowRight');
  const stepped = Number(await page.textContent('[data-role=threshold-value]'));
  assert.equal(stepped, Math.round(info.default_threshold * 100 + 1) / 100);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('axe-core finds nothing serious or critical on the page and the report', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await newPage(context);
  await page.goto(server.base + '/');
  assert.deepEqual(await axeFindings(page), [], 'axe on the empty page');
  await analyse(page, articleText, 'Council approves riverside housing plan');
  await page.click('[data-role=article] mark.seg[tabindex="0"] >> nth=0');
  assert.deepEqual(await axeFindings(page), [], 'axe on the results');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
  const reportPath = join(tmp, 'axe-report.html');
  await download.saveAs(reportPath);
  const report = await newPage(context);
  await report.goto(pathToFileURL(reportPath).href);
  await report.waitForSelector('[data-role=article] mark.seg');
  assert.deepEqual(await axeFindings(report), [], 'axe on the report');
  await context.close();
});

test('input: pasted HTML becomes text, a URL and another language are explained, a dead server keeps the text', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(context);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(server.base + '/');
  const paste = (text) => page.evaluate((t) => {
    const box = document.getElementById('text');
    box.focus();
    const data = new DataTransfer();
    data.setData('text/plain', t);
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);

  // HTML source is read by the browser's parser, off the page: its text is
  // analysed like the plain sentence, and nothing in it runs or loads.
  const plain = 'These corrupt traitors are selling out our great nation.\n\nWe must stop them now.';
  const html = '<div><p>These corrupt <b>traitors</b> are selling out our <i>great nation</i>.</p>' +
    '<script>window.__pwned = 1</script><img src="x.png" onerror="window.__pwned = 2"><p>We must stop them now.</p></div>';
  await paste(html);
  assert.equal(await page.inputValue('#text'), plain);
  assert.equal(await page.textContent('#status'), 'The pasted HTML was turned into plain text.');
  await page.click('#analyse');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent));
  const expected = await api('/api/analyze', { text: plain });
  assert.ok(expected.spans.length >= 1);
  assert.equal(await page.textContent('#status'), `${expected.spans.length} passage${expected.spans.length === 1 ? '' : 's'} found.`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(requests.filter((u) => u.includes('x.png')), [], 'nothing in pasted HTML is loaded');

  // Typed tags are analysed as written, with an offer to remove them.
  await page.fill('#text', '<p>They are <b>traitors</b>.</p>');
  await page.click('#analyse');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent));
  assert.ok(await page.isVisible('[data-notice=html]'));
  await page.click('[data-notice=html] button');
  assert.equal(await page.inputValue('#text'), 'They are traitors.');

  // A web address: propscan says it works offline and asks for the text.
  await page.fill('#text', 'https://news.example/2026/11/30/story.html');
  await page.click('#analyse');
  assert.match(await page.textContent('#status'), /works offline.*paste it here/);
  assert.ok(await page.$eval('#status', (s) => s.classList.contains('error')));

  // Another language: analysed, with a visible warning.
  await page.fill('#text', 'Der Stadtrat hat am Dienstag nach einer langen und hitzigen Debatte einen neuen ' +
    'Wohnungsplan am Fluss beschlossen, den die Opposition für einen Skandal hält.');
  await page.click('#analyse');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent));
  assert.ok(await page.isVisible('[data-notice=language]'));
  const notice = await page.locator('[data-notice=language]').boundingBox();
  assert.ok(notice.y >= 0 && notice.y + notice.height <= 900, `the warning is on the screen at ${notice.y}`);
  assert.match(await page.textContent('[data-notice=language]'), /does not look like English/);
  await page.fill('#text', plain);
  await page.click('#analyse');
  await page.waitForFunction(() => /found/.test(document.getElementById('status').textContent));
  assert.equal(await page.$$eval('[data-notice]', (n) => n.length), 0);

  // The server cannot be reached: a useful message, and the text stays.
  await page.route('**/api/analyze', (route) => route.abort('connectionrefused'));
  await page.click('#analyse');
  await page.waitForFunction(() => document.getElementById('status').classList.contains('error'));
  assert.match(await page.textContent('#status'), /Cannot reach the propscan server.*Your text is kept/);
  assert.equal(await page.inputValue('#text'), plain);
  // Chromium reports the pasted onerror attribute as refused by the page's
  // policy when DOMParser reads it; it never runs either way (a parsed
  // document has scripting disabled). The refused request is the test's.
  page.problems = page.problems.filter((p) =>
    !/Executing inline event handler violates|ERR_CONNECTION_REFUSED|Failed to load resource/.test(p));
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('downloads can leave hidden techniques out', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await newPage(context);
  await page.goto(server.base + '/');
  await analyse(page, articleText, 'Council approves riverside housing plan');
  const atDefault = await api('/api/analyze', { text: articleText });
  const [technique] = Object.entries(atDefault.technique_counts).sort((a, b) => b[1] - a[1])[0];
  await page.click(`[data-role=legend] button[data-technique="${technique}"]`);
  await page.check('#leave-out-hidden');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  const jsonPath = join(tmp, 'left-out.json');
  await json.saveAs(jsonPath);
  const downloaded = JSON.parse(readFileSync(jsonPath, 'utf8'));
  assert.equal(downloaded.spans.filter((s) => s.technique === technique).length, 0);
  assert.equal(downloaded.spans.length, atDefault.spans.length - atDefault.technique_counts[technique]);
  assert.equal(downloaded.technique_counts[technique], undefined);

  const [html] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
  const reportPath = join(tmp, 'left-out.html');
  await html.saveAs(reportPath);
  const data = JSON.parse(/<script type="application\/json" id="propscan-data">(.*?)<\/script>/s
    .exec(readFileSync(reportPath, 'utf8'))[1]);
  assert.equal(data.analysis.spans.filter((s) => s.technique === technique).length, 0);
  assert.deepEqual(data.hidden, []);
  assert.deepEqual(page.problems, []);
  await context.close();
});
