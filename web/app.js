// The page: takes an article (pasted or opened from a .txt file), asks the
// server for every candidate span (threshold 0) and shows them with the view
// of highlight.js, which filters by threshold locally. Downloads the result
// as JSON or as a standalone HTML report.
(function () {
  'use strict';
  const { createView, download, fileStem } = window.PropScan;

  const $ = (id) => document.getElementById(id);
  const textBox = $('text');
  const titleBox = $('title');
  const fileInput = $('file');
  const analyseButton = $('analyse');
  const status = $('status');
  const output = $('output');

  let info = null;  // {default_threshold, definitions: {label: text}}
  let fileText = null;  // a file's exact text, until the text box is edited
  let current = null;  // {text, title, analysis, view}

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  // The JSON of a response, or an Error with the server's message.
  async function json(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      throw new Error((body && body.error) || `the server answered ${response.status}`);
    }
    return body;
  }

  async function loadInfo() {
    if (info) return info;
    const body = await json(await fetch('api/techniques'));
    const definitions = {};
    for (const t of body.techniques) definitions[t.label] = t.definition;
    info = { default_threshold: body.default_threshold, definitions };
    return info;
  }

  async function analyse() {
    const text = fileText !== null ? fileText : textBox.value;
    const title = titleBox.value.trim();
    if (text.trim() === '') {
      setStatus('Paste an article or open a .txt file first.', true);
      return;
    }
    analyseButton.disabled = true;
    setStatus('Analysing\u2026');
    try {
      const { default_threshold: threshold, definitions } = await loadInfo();
      const request = { text, threshold: 0 };
      if (title) request.title = title;
      const analysis = await json(await fetch('api/analyze', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      }));
      // Keep the user's threshold and hidden techniques across re-analyses.
      const previous = current ? current.view.state() : { threshold, hidden: [] };
      $('article-title').textContent = title || 'Untitled article';
      output.hidden = false;
      const view = createView($('view'), {
        text, analysis, definitions, threshold: previous.threshold, hidden: previous.hidden,
      });
      current = { text, title, analysis, view };
      const n = analysis.spans.filter((s) => PropScan.passes(s, previous.threshold)).length;
      setStatus(`${n} passage${n === 1 ? '' : 's'} found.`);
    } catch (e) {
      setStatus(e.message, true);
    } finally {
      analyseButton.disabled = false;
    }
  }

  async function openFile() {
    const file = fileInput.files[0];
    if (!file) return;
    try {
      const bytes = await file.arrayBuffer();
      // Strict UTF-8 as on the command line; a byte order mark is kept as
      // character 0 so that offsets match the CLI's.
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      textBox.value = text;
      fileText = text;
      if (!titleBox.value.trim()) titleBox.value = file.name.replace(/\.txt$/i, '');
      setStatus(`Opened ${file.name}; press Analyse.`);
    } catch (e) {
      setStatus(`${file.name} is not valid UTF-8 text.`, true);
    } finally {
      fileInput.value = '';
    }
  }

  // JSON inside <script type="application/json"> must not contain "</": every
  // "<" (and ">", "&" and the JS line separators) becomes a \u escape, which
  // JSON.parse reads back unchanged.
  function scriptSafeJson(value) {
    return JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  }

  async function fetchText(name) {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`cannot load ${name} for the report (${response.status})`);
    const source = await response.text();
    if (/<\/(script|style)/i.test(source)) throw new Error(`${name} cannot be inlined into a report`);
    return source;
  }

  // A standalone page: the page's own style and view code inline, the data
  // as JSON, no markup made from article text, no network access allowed.
  async function reportHtml() {
    const [css, lib, boot] = await Promise.all(['style.css', 'highlight.js', 'report.js'].map(fetchText));
    const state = current.view.state();
    const data = {
      title: current.title,
      text: current.text,
      analysis: current.analysis,
      definitions: info.definitions,
      threshold: state.threshold,
      hidden: state.hidden,
      generated: new Date().toISOString(),
    };
    return [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; ' +
        'script-src \'unsafe-inline\'; style-src \'unsafe-inline\'; img-src data:">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<title>propscan report</title>',
      `<style>\n${css}</style>`,
      '</head>',
      '<body class="report">',
      '<header class="top"><h1>propscan report</h1>',
      '<p class="tagline" id="report-meta"></p></header>',
      '<main><section id="output">',
      '<div class="output-head"><h2 id="article-title"></h2>',
      '<div class="downloads"><button id="download-json" type="button">Download JSON</button></div></div>',
      '<div id="view"></div>',
      '</section></main>',
      `<script type="application/json" id="propscan-data">${scriptSafeJson(data)}</script>`,
      `<script>\n${lib}\n${boot}</script>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  }

  async function downloadReport() {
    try {
      const html = await reportHtml();
      download(`${fileStem(current.title || current.analysis.id)}.propscan.html`, 'text/html', html);
    } catch (e) {
      setStatus(e.message, true);
    }
  }

  analyseButton.addEventListener('click', analyse);
  fileInput.addEventListener('change', openFile);
  textBox.addEventListener('input', () => {
    fileText = null;
  });
  textBox.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) analyse();
  });
  $('download-json').addEventListener('click', () => current && current.view.downloadJson());
  $('download-html').addEventListener('click', () => current && downloadReport());

  loadInfo().catch((e) => setStatus(`Cannot reach the server: ${e.message}`, true));
})();
