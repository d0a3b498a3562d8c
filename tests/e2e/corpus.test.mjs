// The corpus dashboard and the offline report end to end, in real headless
// Chromium (Debian's, driven by npm playwright-core): ingest examples/corpus
// and one article whose title is markup, `propscan serve --db` on a free
// loopback port, open /corpus.html, filter by outlet and date, click a bar,
// click an article through to its highlights; then `propscan report`, opened
// from disk with every network request failing the test.
//
//   node tests/e2e/corpus.test.mjs [path/to/propscan]
//
// Writes e2e-corpus.png (the dashboard; docs/dashboard.png is a copy) and
// e2e-corpus-report.png in the current directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser, newPage, startServer, stopServer } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const binary = resolve(process.argv[2] || process.env.PROPSCAN_BINARY || join(root, 'build/propscan'));
const outDir = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'propscan-e2e-corpus-'));
const db = join(tmp, 'corpus.db');

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
// An untrusted title: run as markup, it would set window.__pwned.
const EVIL_TITLE = '<img src=x onerror="window.__pwned=1">';

let server = null;  // {process, base, log}
let browser = null;

// Clicks the element `index` of dataset `dataset` of the chart on canvas
// `id`; with dataset null, the first element whose value is not 0.
async function clickChart(page, id, dataset, index) {
  const at = await page.evaluate(([canvasId, d, i]) => {
    const canvas = document.getElementById(canvasId);
    const chart = window.Chart.getChart(canvas);
    if (d === null) {
      d = chart.data.datasets.findIndex((ds) => ds.data.some((v) => v > 0));
      i = chart.data.datasets[d].data.findIndex((v) => v > 0);
    }
    const point = chart.getDatasetMeta(d).data[i];
    canvas.scrollIntoView({ block: 'center' });
    const box = canvas.getBoundingClientRect();
    // A bar's middle; a point's centre.
    const x = point.base !== undefined && point.horizontal ? (point.x + point.base) / 2 : point.x;
    const y = point.base !== undefined && !point.horizontal ? (point.y + point.base) / 2 : point.y;
    return { x: box.left + x, y: box.top + y };
  }, [id, dataset, index]);
  await page.mouse.click(at.x, at.y);
}

function chartLabels(page, id) {
  return page.evaluate((canvasId) => window.Chart.getChart(document.getElementById(canvasId)).data.labels, id);
}

before(async () => {
  if (!existsSync(binary)) throw new Error(`no propscan binary at ${binary}; build first`);
  const extra = join(tmp, 'extra.jsonl');
  writeFileSync(extra, JSON.stringify({
    id: 'evil-1', source: 'The Herald Example', date: '2024-03-08', title: EVIL_TITLE,
    text: 'These corrupt traitors are destroying our great nation, and only a fool would trust them.',
  }) + '\n');
  execFileSync(binary, ['ingest', join(root, 'examples/corpus/feed.jsonl'), join(root, 'examples/corpus/pages'),
    extra, '--db', db, '--progress', 'none'], { stdio: 'pipe' });
  server = await startServer(binary, ['--db', db]);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stopServer(server);
  rmSync(tmp, { recursive: true, force: true });
});

test('the dashboard filters by outlet and date and clicks through to an article', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await newPage(context);
  await page.goto(`${server.base}/corpus.html`);
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('chart-mix')));
  assert.deepEqual((await chartLabels(page, 'chart-ranking')).sort(),
    ['The Daily Example', 'The Herald Example', 'The Valley Courier']);
  assert.match(await page.textContent('[data-role=summary]'), /^8 articles, \d+ spans, 3 outlets: the whole corpus\.$/);
  // The untrusted title is listed as text, never run.
  const titles = await page.$$eval('[data-role=articles] .article-link', (b) => b.map((x) => x.textContent));
  assert.ok(titles.includes(EVIL_TITLE), `titles: ${titles}`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.$$eval('[data-role=articles] img', (x) => x.length), 0);
  await page.screenshot({ path: join(outDir, 'e2e-corpus.png') });

  // Filter: one outlet, a date range that leaves out its article of 13 March.
  await page.check('input[name=source][value="The Herald Example"]');
  await page.fill('#since', '2024-03-01');
  await page.fill('#until', '2024-03-10');
  await page.click('#apply');
  await page.waitForFunction(() => /outlets: The Herald Example; from 2024-03-01; to 2024-03-10/
    .test(document.querySelector('[data-role=summary]').textContent));
  assert.deepEqual(await chartLabels(page, 'chart-ranking'), ['The Herald Example']);
  assert.match(await page.textContent('[data-role=summary]'), /^2 articles, /);
  const weeks = await chartLabels(page, 'chart-series');
  assert.deepEqual(weeks, ['2024-W10']);
  // Each chart's numbers are in a table, behind a summary the keyboard opens.
  const overview = await (await fetch(`${server.base}/api/corpus/overview?source=The+Herald+Example` +
    '&since=2024-03-01&until=2024-03-10')).json();
  await page.focus('[data-role=table-ranking] >> xpath=.. >> summary');
  await page.keyboard.press('Enter');
  const ranking = await page.$$eval('[data-role=table-ranking] tbody tr',
    (rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
  assert.deepEqual(ranking, overview.ranking.map((r) =>
    ['The Herald Example', String(r.articles), String(r.spans), r.mean_score.toFixed(3)]));
  assert.ok(await page.isVisible('[data-role=table-ranking]'));
  const seriesHead = await page.$$eval('[data-role=table-series] thead th', (h) => h.map((x) => x.textContent));
  assert.deepEqual(seriesHead, ['line', '2024-W10']);
  // The filter is in the address: reloading it shows the same selection.
  const filtered = new URL(page.url());
  assert.deepEqual(filtered.searchParams.getAll('source'), ['The Herald Example']);
  assert.equal(filtered.searchParams.get('since'), '2024-03-01');
  await page.goto(filtered.href);
  await page.waitForFunction(() => /^2 articles, .*outlets: The Herald Example; from 2024-03-01; to 2024-03-10/
    .test(document.querySelector('[data-role=summary]').textContent));
  assert.ok(await page.isChecked('input[name=source][value="The Herald Example"]'));
  assert.equal(await page.inputValue('#until'), '2024-03-10');

  // The outlet's bar lists its articles.
  await clickChart(page, 'chart-ranking', 0, 0);
  await page.waitForFunction(() => /^Articles: The Herald Example$/.test(document.getElementById('articles-title').textContent));
  const metas = await page.$$eval('[data-role=articles] .article-meta', (m) => m.map((x) => x.textContent));
  assert.equal(metas.length, 2, `listed: ${metas}`);
  for (const meta of metas) assert.match(meta, /^The Herald Example · 2024-03-0[5-8] · score /);

  // The most propagandistic of them opens in the highlight view, with the
  // spans the store holds for it.
  const first = await page.$('[data-role=articles] .article-link');
  const id = await first.getAttribute('data-article-id');
  const stored = await (await fetch(`${server.base}/api/corpus/article?id=${id}`)).json();
  assert.ok(stored.spans.length > 0, 'the article has spans');
  await first.click();
  await page.waitForSelector('#article:not([hidden]) [data-role=article] mark.seg');
  assert.equal(await page.textContent('[data-role=article-title]'), stored.title || stored.id);
  const drawn = await page.$$eval('[data-role=article] mark.seg', (marks) => {
    const spans = new Set();
    for (const m of marks) for (const i of m.dataset.spans.split(' ')) spans.add(i);
    return spans.size;
  });
  const { default_threshold: threshold } = await (await fetch(`${server.base}/api/techniques`)).json();
  assert.equal(drawn, stored.spans.filter((s) => s.score >= threshold).length);
  const legend = await page.$$eval('[data-role=legend] li', (li) => li.length);
  assert.equal(legend, new Set(stored.spans.map((s) => s.technique)).size);
  // The article's text, whole, as text.
  assert.equal(await page.$eval('[data-role=article]', (a) => a.textContent.includes('wall')), stored.text.includes('wall'));
  // The open article is in the address too.
  const opened = new URL(page.url());
  assert.equal(opened.searchParams.get('article'), id);
  await page.goto(opened.href);
  await page.waitForSelector('#article:not([hidden]) [data-role=article] mark.seg');
  assert.equal(await page.textContent('[data-role=article-title]'), stored.title || stored.id);

  // A point of the time chart lists that week's articles of that outlet and technique.
  await clickChart(page, 'chart-series', 0, 0);
  await page.waitForFunction(() => /^Articles: The Herald Example, .*, 2024-W10$/
    .test(document.getElementById('articles-title').textContent));
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('the report is one offline file with the same charts', async () => {
  const out = join(tmp, 'report.html');
  execFileSync(binary, ['report', '--db', db, '--out', out, '--source', 'The Herald Example',
    '--source', 'The Daily Example'], { stdio: 'pipe' });
  const html = readFileSync(out, 'utf8');
  assert.doesNotMatch(html, /<img/);
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
  const page = await newPage(context);
  const requests = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(out).href);
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.getElementById('chart-mix')));
  assert.deepEqual(requests, []);
  assert.deepEqual((await chartLabels(page, 'chart-ranking')).sort(), ['The Daily Example', 'The Herald Example']);
  assert.match(await page.textContent('[data-role=summary]'),
    /^7 articles, \d+ spans, 2 outlets: outlets: The Herald Example, The Daily Example\.$/);
  const titles = await page.$$eval('[data-role=articles] .article-title', (t) => t.map((x) => x.textContent));
  assert.equal(titles.length, 7);
  assert.ok(titles.includes(EVIL_TITLE));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // A bar narrows the list to its outlet.
  await clickChart(page, 'chart-mix', null, null);
  await page.waitForFunction(() => /^Articles: The (Daily|Herald) Example, /.test(document.getElementById('articles-title').textContent));
  assert.ok((await page.$$eval('[data-role=articles] li', (l) => l.length)) <= 4);
  await page.screenshot({ path: join(outDir, 'e2e-corpus-report.png'), fullPage: true });
  // Printing keeps the charts' colours.
  await page.emulateMedia({ media: 'print' });
  const adjust = await page.$eval('.corpus-chart', (e) => getComputedStyle(e).printColorAdjust);
  assert.equal(adjust, 'exact');
  assert.deepEqual(page.problems, []);
  await context.close();
});
