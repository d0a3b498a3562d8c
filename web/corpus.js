// The corpus dashboard (corpus.html, served by `propscan serve --db`) and the
// offline report (`propscan report`): one script for both. With a
// <script type="application/json" id="corpus-data"> in the page it shows
// that data (the report); otherwise it asks /api/corpus/... (docs/api.md).
//
// Titles, outlet names and article text are untrusted: they reach the page
// only as textContent (PropScan.el's `text`) or as text drawn on a canvas.
(function () {
  'use strict';

  const P = window.PropScan;
  const { el } = P;
  const root = document.getElementById('corpus');
  const embedded = document.getElementById('corpus-data');
  const report = embedded ? JSON.parse(embedded.textContent) : null;

  const NO_SOURCE = '(no outlet)';
  // Lines of one outlet share a dash pattern; a technique keeps its colour.
  const DASHES = [[], [7, 4], [2, 3], [10, 3, 2, 3], [1, 5]];
  // Lines drawn when no technique is picked: the most used ones.
  const DEFAULT_LINES = 3;

  const sourceName = (s) => (s === null || s === undefined || s === '' ? NO_SOURCE : s);
  const sourceValue = (s) => (s === null || s === undefined ? '' : s);
  const percent = (x) => `${(100 * x).toFixed(1)}%`;

  const filter = { sources: [], techniques: [], topic: '', since: '', until: '', interval: 'week' };
  const charts = {};
  let facets = null;
  let info = null;  // {default_threshold, definitions} from /api/techniques

  // ---- The layout -----------------------------------------------------------------

  const status = el('p', { class: 'corpus-status', role: 'status', 'data-role': 'status' });
  const summary = el('p', { class: 'corpus-summary', 'data-role': 'summary' });
  const filters = el('form', { class: 'corpus-filters', 'aria-label': 'Filters', 'data-role': 'filters' });
  const seriesNote = el('p', { class: 'hint', 'data-role': 'series-note' });
  const canvas = (id, label) => el('canvas', { id, role: 'img', 'aria-label': label });
  // Each chart's numbers, as a table a keyboard or a screen reader can read.
  const dataTable = (name) => el('table', { class: 'chart-data', 'data-role': `table-${name}` });
  const chartBox = (title, c, table, note) =>
    el('section', { class: 'corpus-chart' }, el('h2', { text: title }), note || null,
      el('div', { class: 'chart-wrap' }, c),
      el('details', { class: 'chart-numbers' }, el('summary', { text: 'The numbers' }), table));
  const seriesCanvas = canvas('chart-series', 'Technique share over time per outlet (line chart)');
  const rankingCanvas = canvas('chart-ranking', 'Outlets ranked by mean propaganda score (bar chart)');
  const mixCanvas = canvas('chart-mix', 'Technique mix per outlet (stacked bar chart)');
  const seriesTable = dataTable('series');
  const rankingTable = dataTable('ranking');
  const mixTable = dataTable('mix');
  const listTitle = el('h2', { id: 'articles-title', text: 'Most propagandistic articles' });
  const listNote = el('p', { class: 'hint', 'data-role': 'articles-note' });
  const listItems = el('ol', { class: 'corpus-article-list', 'data-role': 'articles' });
  const articleTitle = el('h2', { id: 'article-title', 'data-role': 'article-title' });
  const articleMeta = el('p', { class: 'hint', 'data-role': 'article-meta' });
  const articleView = el('div', { id: 'view' });
  const articleSection = el('section', { class: 'corpus-article', id: 'article', 'aria-labelledby': 'article-title' },
    articleTitle, articleMeta, articleView);
  articleSection.hidden = true;

  root.replaceChildren(...[
    el('header', { class: 'corpus-head' },
      el('h1', { text: report ? report.title : 'propscan corpus' }),
      report ? null : el('a', { href: './', text: 'Analyse one article' })),
    report ? null : filters,
    summary,
    status,
    el('div', { class: 'corpus-charts' },
      chartBox('Technique share over time, per outlet', seriesCanvas, seriesTable, seriesNote),
      chartBox('Outlets by mean propaganda score', rankingCanvas, rankingTable),
      chartBox('Technique mix per outlet', mixCanvas, mixTable)),
    el('section', { class: 'corpus-list', 'aria-labelledby': 'articles-title' }, listTitle, listNote, listItems),
    articleSection,
  ].filter(Boolean));

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  // ---- The API --------------------------------------------------------------------

  // The query string of the filter, with `over` replacing some of it.
  function query(over) {
    const f = Object.assign({}, filter, over || {});
    const q = new URLSearchParams();
    for (const s of f.sources) q.append('source', s);
    for (const t of f.techniques) q.append('technique', t);
    for (const key of ['topic', 'since', 'until', 'interval', 'period', 'limit']) {
      if (f[key] !== undefined && f[key] !== null && f[key] !== '') q.set(key, f[key]);
    }
    return q.toString();
  }

  async function getJson(url) {
    const response = await fetch(url);
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) throw new Error(body && body.error ? body.error : `the server answered ${response.status}`);
    return body;
  }

  const api = (what, over) => getJson(`api/corpus/${what}?${query(over)}`);

  // ---- Filters -------------------------------------------------------------------

  function checkboxes(legend, name, items) {
    return el('fieldset', { class: 'checks', 'data-role': name },
      el('legend', { text: legend }),
      ...items.map(({ value, label }) =>
        el('label', {}, el('input', { type: 'checkbox', name, value }), ` ${label}`)));
  }

  function buildFilters() {
    const sources = checkboxes('Outlets', 'source', facets.sources.map((s) => ({
      value: sourceValue(s.name), label: `${sourceName(s.name)} (${s.articles})`,
    })));
    const techniques = checkboxes('Techniques', 'technique', facets.techniques.map((t) => ({
      value: t.label, label: t.name,
    })));
    const topic = el('select', { id: 'topic', name: 'topic' }, el('option', { value: '', text: 'All articles' }),
      ...facets.topics.map((t) => el('option', { value: t.name, text: `${t.name} (${t.articles})` })));
    const date = (id) => {
      const input = el('input', { id, name: id, type: 'date' });
      if (facets.first_day) input.min = facets.first_day;
      if (facets.last_day) input.max = facets.last_day;
      return input;
    };
    const interval = el('select', { id: 'interval', name: 'interval' },
      el('option', { value: 'week', text: 'Week' }), el('option', { value: 'month', text: 'Month' }));
    filters.replaceChildren(
      sources, techniques,
      el('div', { class: 'fields' },
        el('label', { for: 'topic', text: 'Topic' }), topic,
        el('label', { for: 'since', text: 'From' }), date('since'),
        el('label', { for: 'until', text: 'To' }), date('until'),
        el('label', { for: 'interval', text: 'Per' }), interval,
        el('button', { type: 'button', class: 'primary', id: 'apply', text: 'Apply', onclick: apply }),
        el('button', { type: 'button', id: 'reset', text: 'Reset', onclick: () => {
          filters.reset();
          apply();
        } })));
    // Enter in a field applies too (the page's policy allows no form submission).
    filters.addEventListener('submit', (event) => {
      event.preventDefault();
      apply();
    });
  }

  function apply() {
    readFilters();
    openedArticle = null;
    writeUrl();
    refresh();
  }

  // The dashboard's state lives in its address (the filter and the open
  // article, in the API's parameters), so that a view can be bookmarked,
  // shared and reloaded.
  let openedArticle = null;

  function writeUrl() {
    const q = new URLSearchParams(query());
    if (q.get('interval') === 'week') q.delete('interval');
    if (openedArticle !== null) q.set('article', openedArticle);
    const search = q.toString();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
  }

  // Sets the filter form to the address's filter (what the form cannot
  // show, an unknown outlet or a bad date, is dropped) and reads it back;
  // returns the article to open, or null.
  function readUrl() {
    const q = new URLSearchParams(location.search);
    const sources = q.getAll('source'), techniques = q.getAll('technique');
    for (const input of filters.querySelectorAll('input[type=checkbox]')) {
      input.checked = (input.name === 'source' ? sources : techniques).includes(input.value);
    }
    for (const key of ['topic', 'since', 'until']) filters.elements[key].value = q.get(key) || '';
    filters.elements.interval.value = q.get('interval') === 'month' ? 'month' : 'week';
    readFilters();
    return q.get('article');
  }

  function readFilters() {
    const checked = (name) => Array.from(filters.querySelectorAll(`input[name="${name}"]:checked`), (i) => i.value);
    filter.sources = checked('source');
    filter.techniques = checked('technique');
    filter.topic = filters.elements.topic.value;
    filter.since = filters.elements.since.value;
    filter.until = filters.elements.until.value;
    filter.interval = filters.elements.interval.value;
  }

  function describeFilter(f) {
    const parts = [];
    if (f.sources && f.sources.length) parts.push(`outlets: ${f.sources.map(sourceName).join(', ')}`);
    if (f.techniques && f.techniques.length) parts.push(`techniques: ${f.techniques.map(P.nameOf).join(', ')}`);
    if (f.topic) parts.push(`topic: ${f.topic}`);
    if (f.since) parts.push(`from ${f.since}`);
    if (f.until) parts.push(`to ${f.until}`);
    return parts.length ? parts.join('; ') : 'the whole corpus';
  }

  // ---- Charts --------------------------------------------------------------------

  // Fills `table` with a header row and rows of cells (text only).
  function fillTable(table, caption, header, rows) {
    const shown = (v) => (v === null ? '\u2013' : String(v));
    const head = el('tr', {}, ...header.map((v) => el('th', { scope: 'col', text: shown(v) })));
    const body = rows.map((r) => el('tr', {}, el('th', { scope: 'row', text: shown(r[0]) }),
      ...r.slice(1).map((v) => el('td', { text: shown(v) }))));
    table.replaceChildren(el('caption', { text: caption }), el('thead', {}, head), el('tbody', {}, ...body));
  }

  function draw(name, canvasEl, config) {
    if (charts[name]) charts[name].destroy();
    config.options = Object.assign({
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
    }, config.options);
    charts[name] = new window.Chart(canvasEl, config);
  }

  // The element clicked, as {dataset, index}, or null.
  function clicked(chart, event) {
    const hits = chart.getElementsAtEventForMode(event, 'nearest', { intersect: true }, false);
    if (!hits.length) return null;
    return { dataset: chart.data.datasets[hits[0].datasetIndex], index: hits[0].index };
  }

  function drawSeries(overview) {
    let series = overview.series;
    if (!filter.techniques.length) {
      // Every technique is in the answer; draw the most used ones.
      const used = {};
      for (const s of series) used[s.technique] = (used[s.technique] || 0) + s.spans.reduce((a, b) => a + b, 0);
      const top = Object.keys(used).filter((t) => used[t] > 0).sort((a, b) => used[b] - used[a]).slice(0, DEFAULT_LINES);
      series = series.filter((s) => top.includes(s.technique));
      seriesNote.textContent = `The ${top.length} most used techniques; ` +
        (report ? 'propscan report --technique chooses others.' : 'pick techniques in the filters to choose others.');
    } else {
      seriesNote.textContent = '';
    }
    // An outlet's line of a technique it never uses says nothing.
    series = series.filter((s) => s.spans.some((n) => n > 0));
    const sources = Array.from(new Set(overview.ranking.map((r) => sourceValue(r.source))));
    const datasets = series.map((s) => {
      const color = P.colorOf(s.technique);
      return {
        label: `${sourceName(s.source)} \u00b7 ${P.nameOf(s.technique)}`,
        data: s.share.map((v) => (v === null ? null : 100 * v)),
        borderColor: color,
        backgroundColor: color,
        borderDash: DASHES[sources.indexOf(sourceValue(s.source)) % DASHES.length],
        pointRadius: 4,
        pointHoverRadius: 6,
        spanGaps: true,
        source: sourceValue(s.source),
        technique: s.technique,
      };
    });
    fillTable(seriesTable, "Share of the outlet's spans (%), by period", ['line', ...overview.periods],
      datasets.map((d) => [d.label, ...d.data.map((v) => (v === null ? null : v.toFixed(1)))]));
    draw('series', seriesCanvas, {
      type: 'line',
      data: { labels: overview.periods, datasets },
      options: {
        scales: { y: { min: 0, title: { display: true, text: "share of the outlet's spans (%)" } } },
        plugins: { legend: { position: 'bottom' } },
        onClick: (event, elements, chart) => {
          const hit = clicked(chart, event);
          if (!hit) return;
          const period = overview.periods[hit.index];
          showArticles({ sources: [hit.dataset.source], techniques: [hit.dataset.technique], period },
            `${sourceName(hit.dataset.source)}, ${P.nameOf(hit.dataset.technique)}, ${period}`);
        },
      },
    });
  }

  function drawRanking(overview) {
    fillTable(rankingTable, 'Outlets by mean propaganda score', ['outlet', 'articles', 'spans', 'mean score'],
      overview.ranking.map((r) => [sourceName(r.source), r.articles, r.spans, r.mean_score.toFixed(3)]));
    draw('ranking', rankingCanvas, {
      type: 'bar',
      data: {
        labels: overview.ranking.map((r) => sourceName(r.source)),
        datasets: [{
          label: 'mean propaganda score',
          data: overview.ranking.map((r) => r.mean_score),
          backgroundColor: '#1a56c8',
          sources: overview.ranking.map((r) => sourceValue(r.source)),
        }],
      },
      options: {
        indexAxis: 'y',
        scales: { x: { min: 0, title: { display: true, text: 'mean propaganda score' } } },
        plugins: { legend: { display: false } },
        onClick: (event, elements, chart) => {
          const hit = clicked(chart, event);
          if (!hit) return;
          const source = hit.dataset.sources[hit.index];
          showArticles({ sources: [source] }, sourceName(source));
        },
      },
    });
  }

  function drawMix(overview) {
    const sources = overview.mix.map((m) => sourceValue(m.source));
    const datasets = overview.techniques.map((t) => ({
      label: P.nameOf(t),
      data: overview.mix.map((m) => 100 * (m.shares[t] || 0)),
      backgroundColor: P.colorOf(t),
      technique: t,
    })).filter((d) => d.data.some((v) => v > 0));
    fillTable(mixTable, "Share of the outlet's spans (%), by technique", ['outlet', ...datasets.map((d) => d.label)],
      sources.map((source, i) => [sourceName(source), ...datasets.map((d) => d.data[i].toFixed(1))]));
    draw('mix', mixCanvas, {
      type: 'bar',
      data: { labels: sources.map(sourceName), datasets },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, min: 0, max: 100, title: { display: true, text: "share of the outlet's spans (%)" } },
        },
        plugins: { legend: { position: 'bottom' } },
        onClick: (event, elements, chart) => {
          const hit = clicked(chart, event);
          if (!hit) return;
          const source = sources[hit.index];
          showArticles({ sources: [source], techniques: [hit.dataset.technique] },
            `${sourceName(source)}, ${P.nameOf(hit.dataset.technique)}`);
        },
      },
    });
  }

  // ---- Articles ------------------------------------------------------------------

  function articleItem(a) {
    const title = a.title || a.id;
    const meta = `${sourceName(a.source)} \u00b7 ${a.published ? a.published.slice(0, 10) : 'undated'} \u00b7 ` +
      `score ${a.propaganda_score.toFixed(2)} \u00b7 ${a.spans} span${a.spans === 1 ? '' : 's'}`;
    const head = report
      ? el('span', { class: 'article-title', text: title })
      : el('button', { type: 'button', class: 'article-link', 'data-article-id': a.article_id, text: title,
        onclick: () => openArticle(a.article_id) });
    return el('li', {}, head, el('span', { class: 'article-meta', text: meta }));
  }

  function listArticles(list, title, note) {
    listTitle.textContent = title;
    const shown = list.articles.length;
    listNote.textContent = (note ? `${note} ` : '') +
      (shown < list.total ? `The ${shown} most propagandistic of ${list.total} articles.` : `${list.total} article${list.total === 1 ? '' : 's'}.`);
    listItems.replaceChildren(...list.articles.map(articleItem));
  }

  // The articles of a clicked point or bar.
  async function showArticles(over, what) {
    if (report) {
      // The report holds the selection's most propagandistic articles; a
      // click narrows them to an outlet and period.
      const interval = report.overview.interval;
      const articles = report.articles.articles.filter((a) =>
        (!over.sources || over.sources.includes(sourceValue(a.source))) &&
        (!over.period || a[interval] === over.period));
      listArticles({ articles, total: articles.length }, `Articles: ${what}`,
        over.techniques ? 'Listed by outlet and period, not by technique, in a report.' : '');
      return;
    }
    try {
      const list = await api('articles', Object.assign({ limit: 50 }, over));
      listArticles(list, `Articles: ${what}`);
      listTitle.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      setStatus(`Could not list the articles: ${e.message}`, true);
    }
  }

  async function loadInfo() {
    if (info) return info;
    const body = await getJson('api/techniques');
    const definitions = {};
    for (const t of body.techniques) definitions[t.label] = t.definition;
    info = { default_threshold: body.default_threshold, definitions };
    return info;
  }

  // One stored article in the page's highlight view.
  async function openArticle(id) {
    try {
      const [{ default_threshold: threshold, definitions }, article] =
        await Promise.all([loadInfo(), getJson(`api/corpus/article?id=${encodeURIComponent(id)}`)]);
      articleTitle.textContent = article.title || article.id;
      articleMeta.textContent = `${sourceName(article.source)} \u00b7 ${article.published || 'undated'} \u00b7 ` +
        `analysed ${article.analysed_at}`;
      articleSection.hidden = false;
      if (!report) {
        openedArticle = id;
        writeUrl();
      }
      P.createView(articleView, { text: article.text, analysis: article, definitions, threshold });
      articleSection.scrollIntoView({ block: 'start' });
      setStatus('');
    } catch (e) {
      setStatus(`Could not open the article: ${e.message}`, true);
    }
  }

  // ---- Putting it together --------------------------------------------------------

  function show(overview, articles, f) {
    const n = overview.ranking.reduce((a, r) => a + r.articles, 0);
    const spans = overview.ranking.reduce((a, r) => a + r.spans, 0);
    summary.textContent = `${n} article${n === 1 ? '' : 's'}, ${spans} span${spans === 1 ? '' : 's'}, ` +
      `${overview.ranking.length} outlet${overview.ranking.length === 1 ? '' : 's'}: ${describeFilter(f)}.`;
    drawSeries(overview);
    drawRanking(overview);
    drawMix(overview);
    listArticles(articles, 'Most propagandistic articles');
  }

  async function refresh() {
    setStatus('Loading\u2026');
    try {
      const [overview, articles] = await Promise.all([api('overview'), api('articles', { limit: 20 })]);
      show(overview, articles, filter);
      articleSection.hidden = true;
      setStatus('');
    } catch (e) {
      setStatus(`Could not load the corpus: ${e.message}`, true);
    }
  }

  async function start() {
    if (report) {
      filter.interval = report.overview.interval;
      show(report.overview, report.articles, report.filter);
      return;
    }
    try {
      facets = await getJson('api/corpus/facets');
    } catch (e) {
      setStatus(`Could not load the corpus: ${e.message}`, true);
      return;
    }
    buildFilters();
    const article = readUrl();
    await refresh();
    if (article) await openArticle(article);
  }

  // Charts drawn for the screen are redrawn at the paper's size.
  window.addEventListener('beforeprint', () => Object.values(charts).forEach((c) => c.resize()));
  start();
})();
