// The page: takes an article (pasted, opened from a .txt file or the bundled
// example), asks the server for every candidate span (threshold 0) and shows
// them with the view of highlight.js, which filters by threshold locally.
// Downloads the result as JSON or as a standalone HTML report.
(function () {
  'use strict';
  const { createView, download, fileStem, analysisAt, el } = window.PropScan;
  const { isUrl, htmlTagCount, englishShare, looksEnglish, htmlToText } = window.PropScanInput;

  const $ = (id) => document.getElementById(id);
  const textBox = $('text');
  const titleBox = $('title');
  const fileInput = $('file');
  const analyseButton = $('analyse');
  const status = $('status');
  const notices = $('notices');
  const output = $('output');
  const leaveOutHidden = $('leave-out-hidden');

  let info = null;  // {default_threshold, definitions: {label: text}}
  let fileText = null;  // a file's exact text, until the text box is edited
  let current = null;  // {text, title, analysis, view}

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  // A warning shown under the text box until the next analysis.
  function addNotice(kind, message, action) {
    notices.append(el('p', { class: `notice ${kind}`, 'data-notice': kind }, el('span', { text: message }),
      action ? el('button', { type: 'button', text: action.label, onclick: action.run }) : null));
  }

  // What to tell the user when a request failed: fetch() rejects with a
  // TypeError ("Failed to fetch") when the server cannot be reached at all.
  function explain(e) {
    if (e instanceof TypeError) {
      return 'Cannot reach the propscan server: is \u201cpropscan serve\u201d still running? ' +
        'Your text is kept; press Analyse to try again.';
    }
    return e.message;
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

  function removeTags() {
    textBox.value = htmlToText(textBox.value);
    fileText = null;
    notices.replaceChildren();
    setStatus('The HTML was turned into plain text; press Analyse.');
  }

  // Warnings about the text, shown above the results.
  function checkText(text) {
    notices.replaceChildren();
    if (htmlTagCount(text) > 0) {
      addNotice('html', 'This text holds HTML tags; they are analysed as written.',
        { label: 'Remove the HTML tags', run: removeTags });
    }
    if (!looksEnglish(text)) {
      const percent = Math.round(100 * englishShare(text).share);
      addNotice('language', `This does not look like English: ${percent}% of its words are common English ` +
        'words, against about 36% in English news. propscan learned from English news; on other languages ' +
        'its findings mean little.');
    }
  }

  async function analyse() {
    const text = fileText !== null ? fileText : textBox.value;
    const title = titleBox.value.trim();
    if (text.trim() === '') {
      setStatus('Paste an article or open a .txt file first.', true);
      return;
    }
    if (isUrl(text)) {
      notices.replaceChildren();
      setStatus('That is a web address. propscan works offline and never fetches pages: open the article, ' +
        'copy its text and paste it here.', true);
      return;
    }
    checkText(text);
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
      // The title, any warning about the text, and the summary.
      view.focusSummary(output);
    } catch (e) {
      setStatus(explain(e), true);
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

  // The bundled example (web/example.json, our own text), analysed at once.
  async function tryExample() {
    try {
      const example = await json(await fetch('example.json'));
      titleBox.value = example.title;
      textBox.value = example.text;
      fileText = null;
    } catch (e) {
      setStatus(explain(e), true);
      return;
    }
    await analyse();
  }

  // HTML source pasted as text (a page's markup, an e-mail's) becomes the
  // text a browser would show; a copied web page arrives as text already.
  function pasteAsText(event) {
    const plain = event.clipboardData ? event.clipboardData.getData('text/plain') : '';
    if (htmlTagCount(plain) === 0) return;
    event.preventDefault();
    textBox.setRangeText(htmlToText(plain), textBox.selectionStart, textBox.selectionEnd, 'end');
    fileText = null;
    setStatus('The pasted HTML was turned into plain text.');
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
    // Hidden techniques left out: the report holds none of their spans.
    const leaveOut = leaveOutHidden.checked;
    const data = {
      title: current.title,
      text: current.text,
      analysis: leaveOut ? analysisAt(current.analysis, 0, state.hidden) : current.analysis,
      definitions: info.definitions,
      threshold: state.threshold,
      hidden: leaveOut ? [] : state.hidden,
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
      '<main><section id="output" aria-labelledby="article-title">',
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
      setStatus(explain(e), true);
    }
  }

  analyseButton.addEventListener('click', analyse);
  $('open-file').addEventListener('click', () => fileInput.click());
  $('example').addEventListener('click', tryExample);
  fileInput.addEventListener('change', openFile);
  textBox.addEventListener('paste', pasteAsText);
  textBox.addEventListener('input', () => {
    fileText = null;
  });
  textBox.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) analyse();
  });
  $('download-json').addEventListener('click', () => current && current.view.downloadJson(leaveOutHidden.checked));
  $('download-html').addEventListener('click', () => current && downloadReport());

  loadInfo().catch((e) => setStatus(explain(e), true));
})();
