// The web page end to end, in real headless Chromium (Debian's, driven by
// npm playwright-core) against `propscan serve` on a free loopback port:
// paste an article, wait for highlights, click a span, toggle a technique,
// move the threshold, download JSON and the HTML report, open the report
// offline, and check that article text is never run as HTML.
//
//   node tests/e2e/page.test.mjs [path/to/propscan]
//
// Writes e2e-page.png (and e2e-report.png) in the current directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const binary = resolve(process.argv[2] || process.env.PROPSCAN_BINARY || join(root, 'build/propscan'));
const articlePath = join(root, 'tests/data/web/article.txt');
const articleText = readFileSync(articlePath, 'utf8');
const outDir = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'propscan-e2e-'));

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

let server = null;  // {process, base, log}
let browser = null;

// Starts `propscan serve --port 0` and reads the port it chose from its first line.
function startServer() {
  if (!existsSync(binary)) throw new Error(`no propscan binary at ${binary}; build first`);
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(binary, ['serve', '--port', '0', '--threads', '4'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 20000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      log += chunk;
      if (server) server.log = log;
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (m && !server) {
        clearTimeout(timer);
        server = { process: proc, base: m[1], log };
        resolvePromise();
      }
    });
    proc.on('exit', (code) => {
      if (!server) reject(new Error(`serve exited with ${code}:\n${log}`));
    });
  });
}

async function api(path, body) {
  const response = await fetch(server.base + path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${path} answered ${response.status}`);
  return response.json();
}

// A fresh page that fails the test on any script error or console error
// (a Content-Security-Policy violation is one).
async function newPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    page.problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  return page;
}

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
  await startServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const exited = new Promise((r) => server.process.on('exit', (code) => r(code)));
    server.process.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `serve exited with ${code}`);
    assert.match(server.log, /propscan: stopped\n/);
  }
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
  assert.equal(await page.textContent('[data-role=technique]'), target.technique);
  assert.equal(await page.textContent('[data-role=definition]'), definitions[target.technique]);
  assert.equal(await page.textContent('[data-role=span-score]'), target.score.toFixed(2));
  assert.equal(await page.textContent('[data-role=fragment]'), target.text);
  assert.ok(await page.$$eval('mark.seg.selected', (ms) => ms.length) >= 1);
  await page.screenshot({ path: join(outDir, 'e2e-page.png'), fullPage: true });

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
  const jsonPath = join(tmp, 'result.json');
  await jsonDownload.saveAs(jsonPath);
  const downloaded = JSON.parse(readFileSync(jsonPath, 'utf8'));
  assert.equal(downloaded.title, 'Council approves riverside housing plan');
  delete downloaded.title;
  assert.deepEqual(downloaded, at35);

  // The HTML report opens offline, with the same highlights and threshold.
  const [htmlDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-html')]);
  assert.match(htmlDownload.suggestedFilename(), /\.propscan\.html$/);
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
  assert.equal(await page.textContent('[data-role=technique]'), 'Name_Calling,Labeling');
  const alsoHere = await page.$$eval('.other-span', (bs) => bs.map((b) => b.dataset.span));
  assert.deepEqual(alsoHere.sort(), ['0', '2']);
  await page.click('.other-span[data-span="2"]');
  assert.equal(await page.textContent('[data-role=technique]'), 'Loaded_Language');
  assert.equal(await page.textContent('[data-role=fragment]'), 'corrupt elites');

  // Each span has its own underline lane: clicking a lane picks its span.
  const lanes = await page.$eval('[data-role=article]', (a) => Number(a.style.getPropertyValue('--lanes')));
  assert.equal(lanes, 3);
  const box = await inner.boundingBox();
  const clickLane = async (k) => {
    // Lane k is drawn k lanes above the bottom-most one (see highlight.js).
    await page.mouse.click(box.x + box.width / 2, box.y + box.height - 1 - (lanes - 1 - k) * 5);
    return page.textContent('[data-role=technique]');
  };
  const picked = new Set([await clickLane(0), await clickLane(1), await clickLane(2)]);
  assert.deepEqual(picked, new Set(['Appeal_to_fear-prejudice', 'Name_Calling,Labeling', 'Loaded_Language']));

  await page.screenshot({ path: join(outDir, 'e2e-nested.png') });
  assert.equal(await page.$$eval('[data-role=details]', (d) => d[0].textContent.includes('null')), false);

  // The overlapping span is reachable both where it overlaps and on its own.
  await page.click('[data-role=article] mark.seg[data-start="43"]');
  assert.equal(await page.textContent('[data-role=technique]'), 'Doubt');
  assert.equal(await page.textContent('[data-role=fragment]'), spans[3].text);

  // Hiding one of the two techniques on the same passage leaves the other.
  await page.click('[data-role=legend] button[data-technique="Loaded_Language"]');
  assert.deepEqual(Object.keys(await drawnSpans(page)).sort(), ['0', '1', '3']);
  assert.deepEqual(page.problems, []);
  await context.close();
});
