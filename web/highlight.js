// propscan's article view, shared by the page (app.js) and the standalone
// HTML report (report.js): the article with every detected span highlighted,
// a legend, a threshold slider and an explanation panel.
//
// Offsets from the server are Unicode code points; JavaScript strings are
// UTF-16, so every offset goes through utf16Offsets() before slicing.
// Article text only ever reaches the DOM as text nodes (textContent), never
// as markup.
//
// Loads as a classic browser script (defines window.PropScan) and as a
// CommonJS module for the Node tests.
(function (root, factory) {
  'use strict';
  const api = factory();
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.PropScan = api;
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // One colour per technique, in the corpus's label order. Chosen (see
  // docs/web.md) so that every colour has at least 3.3:1 contrast against
  // white and any two stay apart (CIELAB distance >= 13) also as people with
  // protanopia, deuteranopia or tritanopia see them; the passage's label chip
  // names the technique, so no reader depends on colour alone.
  const COLORS = {
    'Appeal_to_Authority': '#23618b',
    'Appeal_to_fear-prejudice': '#cd1db6',
    'Bandwagon,Reductio_ad_hitlerum': '#7d1268',
    'Black-and-White_Fallacy': '#0c1adf',
    'Causal_Oversimplification': '#1f514b',
    'Doubt': '#6b19b3',
    'Exaggeration,Minimisation': '#759816',
    'Flag-Waving': '#389463',
    'Loaded_Language': '#a51309',
    'Name_Calling,Labeling': '#0c7cdf',
    'Repetition': '#7e5930',
    'Slogans': '#aa416b',
    'Thought-terminating_Cliches': '#7e7e30',
    'Whataboutism,Straw_Men,Red_Herring': '#0c52df',
  };
  const FALLBACK_COLOR = '#555555';

  // Readable names for the corpus's labels, and a short one for the chip on
  // each passage. The label itself stays in data attributes and downloads.
  const NAMES = {
    'Appeal_to_Authority': ['Appeal to authority', 'authority'],
    'Appeal_to_fear-prejudice': ['Appeal to fear / prejudice', 'fear'],
    'Bandwagon,Reductio_ad_hitlerum': ['Bandwagon / reductio ad Hitlerum', 'bandwagon'],
    'Black-and-White_Fallacy': ['Black-and-white fallacy', 'black/white'],
    'Causal_Oversimplification': ['Causal oversimplification', 'cause'],
    'Doubt': ['Doubt', 'doubt'],
    'Exaggeration,Minimisation': ['Exaggeration / minimisation', 'exaggeration'],
    'Flag-Waving': ['Flag-waving', 'flag-waving'],
    'Loaded_Language': ['Loaded language', 'loaded'],
    'Name_Calling,Labeling': ['Name calling / labeling', 'name-calling'],
    'Repetition': ['Repetition', 'repetition'],
    'Slogans': ['Slogans', 'slogan'],
    'Thought-terminating_Cliches': ['Thought-terminating clich\u00e9s', 'clich\u00e9'],
    'Whataboutism,Straw_Men,Red_Herring': ['Whataboutism / straw man / red herring', 'whataboutism'],
  };

  // Height in px of one underline lane below the text, its line and the gap
  // above it (see style.css).
  const LANE_PX = 6;
  const LANE_LINE_PX = 4;

  function colorOf(technique) {
    return COLORS[technique] || FALLBACK_COLOR;
  }

  function nameOf(technique) {
    return (NAMES[technique] || [technique.replace(/_/g, ' ')])[0];
  }

  function shortNameOf(technique) {
    return (NAMES[technique] || [null, technique.replace(/_/g, ' ')])[1];
  }

  function rgba(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha.toFixed(3)})`;
  }

  // ---- pure functions (tested in Node) ------------------------------------

  // UTF-16 index of every code point offset 0..n (n + 1 entries): a span
  // [start, end) in code points is text.slice(map[start], map[end]).
  function utf16Offsets(text) {
    const map = [];
    let i = 0;
    while (i < text.length) {
      map.push(i);
      const c = text.codePointAt(i);
      i += c > 0xffff ? 2 : 1;
    }
    map.push(text.length);
    return map;
  }

  // The server keeps spans scoring at least its threshold, compared in single
  // precision; Math.fround makes the page draw the line at the same place.
  function passes(span, threshold) {
    return span.score >= Math.fround(threshold);
  }

  // Share of the article's characters inside at least one span, as the
  // analyzer computes its propaganda_score.
  function propagandaScore(spans, length) {
    if (length <= 0) return 0;
    const sorted = spans.map((s) => [s.start, s.end]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let covered = 0;
    let curStart = -1;
    let curEnd = -1;
    for (const [start, end] of sorted) {
      if (start < curEnd) {
        curEnd = Math.max(curEnd, end);
      } else {
        if (curEnd > curStart) covered += curEnd - curStart;
        curStart = start;
        curEnd = end;
      }
    }
    if (curEnd > curStart) covered += curEnd - curStart;
    return covered / length;
  }

  // The propaganda score of the author's prose and of quoted material: the
  // characters of `spans` inside and outside `quotations` (both in code
  // points), each over its own length, as the analyzer computes
  // author_score and quoted_score.
  function voiceScores(spans, quotations, length) {
    const quoted = new Uint8Array(Math.max(length, 0));
    for (const q of quotations || []) quoted.fill(1, q.start, q.end);
    const covered = new Uint8Array(Math.max(length, 0));
    for (const s of spans) covered.fill(1, s.start, s.end);
    let quotedChars = 0, coveredQuoted = 0, coveredAuthor = 0;
    for (let i = 0; i < length; i++) {
      quotedChars += quoted[i];
      if (covered[i]) {
        if (quoted[i]) coveredQuoted++;
        else coveredAuthor++;
      }
    }
    const authorChars = length - quotedChars;
    return {
      author: authorChars > 0 ? coveredAuthor / authorChars : 0,
      quoted: quotedChars > 0 ? coveredQuoted / quotedChars : 0,
    };
  }

  // Object with keys in sorted order, as the server's JSON library writes them.
  function sortedKeys(obj) {
    const out = {};
    for (const k of Object.keys(obj).sort()) out[k] = obj[k];
    return out;
  }

  // The analysis the server returns at `threshold`, from one made at a lower
  // threshold (the page asks for everything at 0 and filters locally),
  // without the spans of the techniques in `leaveOut` (a list of labels).
  function analysisAt(full, threshold, leaveOut) {
    const left = new Set(leaveOut || []);
    const spans = full.spans.filter((s) => passes(s, threshold) && !left.has(s.technique));
    const counts = {};
    for (const s of spans) counts[s.technique] = (counts[s.technique] || 0) + 1;
    const out = Object.assign({}, full, {
      spans: spans.map((s) => Object.assign({}, s)),
      technique_counts: sortedKeys(counts),
      propaganda_score: propagandaScore(spans, full.length),
    });
    if (typeof full.author_score === 'number') {
      const v = voiceScores(spans, full.quotations, full.length);
      out.author_score = v.author;
      out.quoted_score = v.quoted;
    }
    return sortedKeys(out);
  }

  // Stacks overlapping spans on separate underline lanes: each span gets the
  // lowest lane free over its whole extent, longer spans first at equal
  // starts, so a span and all spans nested in it never share a lane.
  // Returns {lane: Map(span -> lane), count}.
  function assignLanes(spans) {
    const order = spans.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    const laneEnd = [];
    const lane = new Map();
    for (const s of order) {
      let k = laneEnd.findIndex((end) => end <= s.start);
      if (k < 0) {
        k = laneEnd.length;
        laneEnd.push(0);
      }
      laneEnd[k] = s.end;
      lane.set(s, k);
    }
    return { lane, count: laneEnd.length };
  }

  // Cuts [0, length) at every span boundary. Each piece lists the spans that
  // cover it (in the order given), so nested and overlapping spans need no
  // nesting of elements. One sweep, so long articles with many spans stay fast.
  function segments(spans, length) {
    const clamp = (x) => Math.max(0, Math.min(length, x));
    const cuts = new Set([0, length]);
    for (const s of spans) {
      cuts.add(clamp(s.start));
      cuts.add(clamp(s.end));
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    const position = new Map(spans.map((s, i) => [s, i]));
    const byStart = spans.slice().sort((a, b) => a.start - b.start);
    let next = 0;
    let active = [];
    const out = [];
    for (let i = 0; i + 1 < points.length; ++i) {
      const start = points[i];
      // Every end is a cut, so a span still open at `start` covers the piece.
      active = active.filter((s) => s.end > start);
      for (; next < byStart.length && byStart[next].start <= start; ++next) {
        if (byStart[next].end > start) active.push(byStart[next]);
      }
      const covering = active.slice().sort((a, b) => position.get(a) - position.get(b));
      out.push({ start, end: points[i + 1], covering });
    }
    return out;
  }

  // The span drawn as a segment's fill: the innermost one, then the surest.
  function innermost(covering) {
    return covering.reduce((best, s) => {
      const d = (s.end - s.start) - (best.end - best.start);
      return d < 0 || (d === 0 && s.score > best.score) ? s : best;
    });
  }

  function formatPercent(x) {
    return `${(x * 100).toFixed(1)}%`;
  }

  function formatThreshold(t) {
    return (Math.round(t * 1000) / 1000).toFixed(3).replace(/0$/, '');
  }

  // ---- DOM helpers ----------------------------------------------------------

  // Builds an element; `text` becomes a text node, never markup.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // Offers `text` as a file called `name`.
  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // A file name stem from a title: its letters and digits (any script),
  // lower case, words joined by "-", at most 60 characters.
  function fileStem(title) {
    const words = String(title).toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
    return Array.from(words.join('-')).slice(0, 60).join('').replace(/-+$/, '') || 'article';
  }

  // ---- the view -------------------------------------------------------------

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
  }

  // "Loaded language, score 0.79" for each span, joined.
  function describe(spans) {
    return spans.map((s) => `${nameOf(s.technique)}, score ${s.score.toFixed(2)}`).join('; ');
  }

  // Shows `opts.text` analysed as `opts.analysis` (made at a threshold no
  // higher than any the slider offers) inside `root`. opts.definitions maps
  // labels to plain-language definitions; opts.threshold is the initial
  // threshold; opts.hidden the initially hidden techniques.
  //
  // Layout: the summary, then the techniques (legend and explanation), then
  // the article, in this order in the document, so that the keyboard and a
  // phone reach the legend before the article; style.css puts the techniques
  // beside the article on a wide screen and the explanation in a sheet at the
  // bottom of a phone's screen.
  function createView(root, opts) {
    const text = opts.text;
    const full = opts.analysis;
    const definitions = opts.definitions || {};
    const map = utf16Offsets(text);
    if (map.length - 1 !== full.length) {
      throw new Error(`the analysis is of a text of ${full.length} characters, not ${map.length - 1}`);
    }
    // Each span keeps its index in the full analysis as a stable id.
    const all = full.spans.map((s, i) => Object.assign({ index: i }, s));
    const state = {
      threshold: opts.threshold,
      hidden: new Set(opts.hidden || []),
      authorOnly: Boolean(opts.authorOnly),  // hide passages inside quotations
      selected: null,  // the span explained in the details panel
      place: null,  // {start, end} of the piece of text clicked
    };

    const scoreValue = el('span', { class: 'score-value', 'data-role': 'score' });
    const scoreBar = el('span', { class: 'score-bar-fill' });
    const scoreNote = el('span', { class: 'score-note' });
    const slider = el('input', {
      type: 'range', min: '0', max: '1', step: '0.01', id: 'threshold',
    });
    slider.value = String(state.threshold);
    const sliderValue = el('output', { for: 'threshold', class: 'threshold-value', 'data-role': 'threshold-value' });
    const authorOnly = el('input', { type: 'checkbox', 'data-role': 'author-only' });
    authorOnly.checked = state.authorOnly;
    const voiceNote = el('p', { class: 'voice-note', 'data-role': 'voice-scores' });
    const legend = el('ul', { class: 'legend', 'data-role': 'legend', 'aria-label': 'Techniques found' });
    const article = el('div', { class: 'article', 'data-role': 'article', role: 'region', 'aria-label': 'Article with highlighted passages' });
    const details = el('aside', { class: 'details', 'data-role': 'details', 'aria-label': 'Explanation', 'aria-live': 'polite' });
    const summary = el('div', { class: 'summary', 'data-role': 'summary', tabindex: '-1', role: 'region', 'aria-label': 'Results summary' },
      el('div', { class: 'score' },
        el('span', { class: 'score-label', text: 'Propaganda score' }), scoreValue,
        el('span', { class: 'score-bar', 'aria-hidden': 'true' }, scoreBar), scoreNote),
      el('label', { class: 'threshold' },
        el('span', { text: 'Threshold' }), slider, sliderValue),
      el('label', { class: 'author-only' }, authorOnly, el('span', { text: 'Author\u2019s voice only' })),
      voiceNote);

    root.replaceChildren(
      summary,
      el('div', { class: 'result' },
        el('div', { class: 'side' },
          el('h3', { class: 'side-title', text: 'Techniques' }),
          el('p', { class: 'hint', text: 'Press a technique to hide or show it; press a highlighted passage to see why.' }),
          legend,
          details),
        el('div', { class: 'article-wrap' }, article)));

    function visible() {
      return all.filter((s) => passes(s, state.threshold) && !state.hidden.has(s.technique) &&
        !(state.authorOnly && s.voice === 'quoted'));
    }

    function renderSummary() {
      const current = all.filter((s) => passes(s, state.threshold));
      const score = propagandaScore(current, full.length);
      scoreValue.textContent = formatPercent(score);
      scoreBar.style.width = formatPercent(score);
      scoreNote.textContent = `${plural(current.length, 'passage')} flagged; ` +
        'the share of the article\u2019s characters inside them';
      const notes = [];
      if (typeof full.propaganda_percentile === 'number') notes.push(percentileInWords(full.propaganda_percentile));
      if (full.quotations && full.quotations.length > 0) {
        const v = voiceScores(current, full.quotations, full.length);
        notes.push(`author\u2019s prose ${formatPercent(v.author)}, quoted material ${formatPercent(v.quoted)}`);
      }
      voiceNote.textContent = notes.join('; ');
      sliderValue.textContent = formatThreshold(state.threshold);
      slider.setAttribute('aria-valuetext', formatThreshold(state.threshold));
    }

    function renderLegend() {
      const counts = new Map();
      for (const s of all) {
        if (passes(s, state.threshold)) counts.set(s.technique, (counts.get(s.technique) || 0) + 1);
      }
      const max = Math.max(1, ...counts.values());
      const items = Array.from(counts.entries()).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      if (items.length === 0) {
        legend.replaceChildren(el('li', { class: 'empty', text: 'No technique found at this threshold.' }));
        return;
      }
      legend.replaceChildren(...items.map(([technique, count]) => {
        const shown = !state.hidden.has(technique);
        const bar = el('span', { class: 'bar-fill' });
        bar.style.width = `${(100 * count) / max}%`;
        bar.style.backgroundColor = colorOf(technique);
        const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        swatch.style.backgroundColor = colorOf(technique);
        const button = el('button', {
          type: 'button', class: 'legend-item', 'data-technique': technique, 'aria-pressed': shown,
          title: definitions[technique] || nameOf(technique),
          onclick: () => {
            if (state.hidden.has(technique)) state.hidden.delete(technique);
            else state.hidden.add(technique);
            render();
            // The legend was rebuilt: keep the keyboard focus on this entry.
            const again = legend.querySelector(`button[data-technique="${CSS.escape(technique)}"]`);
            if (again) again.focus();
          },
        }, swatch, el('span', { class: 'label', text: nameOf(technique) }),
        el('span', { class: 'count', text: String(count) }),
        el('span', { class: 'bar', 'aria-hidden': 'true' }, bar));
        return el('li', null, button);
      }));
    }

    // One piece of text per segment. A piece where passages start is their
    // one tab stop: a button named by its text, techniques and scores, with a
    // chip naming the techniques (drawn by style.css from data-chip).
    function renderArticle() {
      const spans = visible();
      const lanes = assignLanes(spans);
      article.style.setProperty('--lanes', String(lanes.count));
      const pieces = segments(spans, full.length).map((seg) => {
        const piece = text.slice(map[seg.start], map[seg.end]);
        if (seg.covering.length === 0) return document.createTextNode(piece);
        const starting = seg.covering.filter((s) => s.start === seg.start);
        const mark = el('mark', {
          class: 'seg',
          'data-start': seg.start,
          'data-end': seg.end,
          'data-spans': seg.covering.map((s) => s.index).join(' '),
          'data-techniques': Array.from(new Set(seg.covering.map((s) => s.technique))).join(' '),
          title: seg.covering.map((s) => `${nameOf(s.technique)} (${s.score.toFixed(2)})`).join('\n'),
        });
        if (starting.length > 0) {
          mark.setAttribute('tabindex', '0');
          mark.setAttribute('role', 'button');
          mark.setAttribute('aria-label', `${piece.trim()} \u2014 ${describe(starting)}`);
          mark.setAttribute('data-chip',
            starting.map((s) => `${shortNameOf(s.technique)} ${s.score.toFixed(2)}`).join(' \u00b7 '));
        }
        mark.textContent = piece;
        paint(mark, seg.covering, lanes);
        if (state.selected && seg.covering.includes(state.selected)) mark.classList.add('selected');
        return mark;
      });
      article.replaceChildren(...pieces);
    }

    // The fill shows the innermost span, its strength the span's score (kept
    // light enough for 4.5:1 text contrast); one full-colour underline lane
    // per covering span keeps every nested span visible.
    function paint(mark, covering, lanes) {
      const images = [];
      const sizes = [];
      const positions = [];
      for (const s of covering) {
        const k = lanes.lane.get(s);
        const color = colorOf(s.technique);
        images.push(`linear-gradient(${color}, ${color})`);
        sizes.push(`100% ${LANE_LINE_PX}px`);
        positions.push(`0 calc(100% - ${(lanes.count - 1 - k) * LANE_PX}px)`);
      }
      const top = innermost(covering);
      const fill = rgba(colorOf(top.technique), fillAlpha(top.score));
      images.push(`linear-gradient(${fill}, ${fill})`);
      sizes.push(`100% calc(100% - ${lanes.count * LANE_PX}px)`);
      positions.push('0 0');
      mark.style.backgroundImage = images.join(', ');
      mark.style.backgroundSize = sizes.join(', ');
      mark.style.backgroundPosition = positions.join(', ');
    }

    // The span under a click: the one whose underline lane was hit, else the
    // innermost span covering the character.
    function spanAt(mark, covering, event) {
      if (event && event.clientY !== undefined) {
        const lanes = assignLanes(visible());
        for (const rect of mark.getClientRects()) {
          if (event.clientX < rect.left || event.clientX > rect.right) continue;
          if (event.clientY < rect.top || event.clientY > rect.bottom) continue;
          const fromBottom = Math.floor((rect.bottom - event.clientY) / LANE_PX);
          if (fromBottom < lanes.count) {
            const hit = covering.find((s) => lanes.lane.get(s) === lanes.count - 1 - fromBottom);
            if (hit) return hit;
          }
        }
      }
      return innermost(covering);
    }

    // The spans covering the place last clicked, among those now visible.
    function coveringPlace() {
      const p = state.place;
      return p ? visible().filter((s) => s.start <= p.start && s.end >= p.end) : [];
    }

    function select(span, place) {
      state.selected = span;
      state.place = place;
      for (const m of article.querySelectorAll('mark.seg')) {
        m.classList.toggle('selected', m.dataset.spans.split(' ').includes(String(span.index)));
      }
      renderDetails();
    }

    function deselect() {
      const mark = state.place && article.querySelector(`mark.seg[data-start="${state.place.start}"]`);
      state.selected = null;
      state.place = null;
      for (const m of article.querySelectorAll('mark.seg.selected')) m.classList.remove('selected');
      renderDetails();
      if (mark && mark.tabIndex === 0) mark.focus({ preventScroll: true });
    }

    function swatchOf(technique) {
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = colorOf(technique);
      return swatch;
    }

    function renderDetails() {
      const span = state.selected;
      details.classList.toggle('open', Boolean(span));
      if (!span) {
        details.replaceChildren(el('p', { class: 'hint', text: 'Press a highlighted passage to see which technique it is and why.' }));
        return;
      }
      const others = coveringPlace().filter((s) => s !== span);
      const parts = [
        el('button', { type: 'button', class: 'close', 'aria-label': 'Close the explanation', text: '\u00d7', onclick: deselect }),
        el('h3', { class: 'technique' }, swatchOf(span.technique),
          el('span', { 'data-role': 'technique', 'data-label': span.technique, text: nameOf(span.technique) })),
        el('p', { class: 'definition', 'data-role': 'definition', text: definitions[span.technique] || '' }),
        el('p', { class: 'meta' },
          el('span', { text: 'Score ' }), el('strong', { 'data-role': 'span-score', text: span.score.toFixed(2) }),
          el('span', { text: ` \u00b7 characters ${span.start}\u2013${span.end} \u00b7 corpus label ${span.technique}` })),
        el('blockquote', { class: 'fragment', 'data-role': 'fragment', text: span.text }),
        el('p', { class: 'voice', 'data-role': 'voice', text: voiceInWords(span) }),
        typeof span.precision_estimate !== 'number' ? null :
          el('p', { class: 'precision', 'data-role': 'precision', text: precisionInWords(span.precision_estimate) }),
        !span.evidence || span.evidence.length === 0 ? null : el('div', { class: 'evidence' },
          el('p', { text: 'Why:' }),
          el('ul', { 'data-role': 'evidence' }, ...span.evidence.map((e) => el('li', null,
            el('q', { text: e.text || '' }), el('span', { text: ` ${e.reason}` }))))),
        others.length === 0 ? null : el('div', { class: 'also' },
          el('p', { text: 'Also covering this place:' }),
          el('ul', null, ...others.map((s) => el('li', null, el('button', {
            type: 'button', class: 'other-span', 'data-span': s.index,
            onclick: () => select(s, state.place),
          }, swatchOf(s.technique), el('span', { text: `${nameOf(s.technique)} (${s.score.toFixed(2)})` }))))))];
      details.replaceChildren(...parts.filter((p) => p !== null));
    }

    function render() {
      if (state.selected && (!passes(state.selected, state.threshold) || state.hidden.has(state.selected.technique))) {
        state.selected = null;
      }
      renderSummary();
      renderLegend();
      renderArticle();
      renderDetails();
    }

    function coveringOf(mark) {
      const ids = new Set(mark.dataset.spans.split(' ').map(Number));
      return visible().filter((s) => ids.has(s.index));
    }

    function placeOf(mark) {
      return { start: Number(mark.dataset.start), end: Number(mark.dataset.end) };
    }

    // On a phone the explanation is a sheet over the bottom of the screen:
    // keep the chosen passage above it.
    function keepInView(mark) {
      if (getComputedStyle(details).position !== 'fixed') return;
      const rect = mark.getBoundingClientRect();
      const room = window.innerHeight - details.getBoundingClientRect().height;
      if (rect.top < 8 || rect.bottom > room - 8) window.scrollBy(0, rect.top - Math.max(8, room / 3));
    }

    article.addEventListener('click', (event) => {
      const mark = event.target.closest('mark.seg');
      if (!mark) return;
      select(spanAt(mark, coveringOf(mark), event), placeOf(mark));
      keepInView(mark);
    });
    article.addEventListener('keydown', (event) => {
      const mark = event.target.closest('mark.seg');
      if (!mark || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      const place = placeOf(mark);
      const starting = coveringOf(mark).filter((s) => s.start === place.start);
      select(starting.reduce((a, b) => (b.score > a.score ? b : a)), place);
      keepInView(mark);
    });
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && state.selected) deselect();
    });
    authorOnly.addEventListener('change', () => {
      state.authorOnly = authorOnly.checked;
      if (state.selected && state.authorOnly && state.selected.voice === 'quoted') state.selected = null;
      render();
    });
    slider.addEventListener('input', () => {
      state.threshold = parseFloat(slider.value);
      render();
    });

    render();

    // What the server would return at the current threshold, and with
    // leaveOutHidden without the techniques now hidden.
    const analysisNow = (leaveOutHidden) =>
      analysisAt(full, state.threshold, leaveOutHidden ? Array.from(state.hidden) : []);

    return {
      currentAnalysis: analysisNow,
      state: () => ({ threshold: state.threshold, hidden: Array.from(state.hidden), authorOnly: state.authorOnly }),
      // Focus on the summary, scrolled into view with what is above it from `top` on.
      focusSummary: (top) => {
        summary.focus({ preventScroll: true });
        (top || summary).scrollIntoView({ block: 'start' });
      },
      downloadJson: (leaveOutHidden) => {
        download(`${fileStem(full.title || full.id)}.propscan.json`, 'application/json',
          JSON.stringify(analysisNow(leaveOutHidden), null, 2) + '\n');
      },
    };
  }

  // Who is speaking in a span, for people.
  function voiceInWords(span) {
    if (span.voice === 'quoted') return span.speaker ? `Quoted: ${span.speaker} is speaking` : 'Quoted (the article names no speaker)';
    if (span.voice === 'author') return 'In the author\u2019s own voice';
    return '';
  }

  // "At this score, about 4 in 10 flagged passages matched annotators", as
  // the command line's text output says it.
  function precisionInWords(p) {
    const inTen = Math.round(Math.min(1, Math.max(0, p)) * 10);
    return `At this score, about ${inTen} in 10 flagged passages matched annotators`;
  }

  function percentileInWords(p) {
    return `higher than ${Math.round(Math.min(1, Math.max(0, p)) * 100)}% of the reference articles`;
  }

  // The fill's opacity for a score in [0, 1]: at most 0.45, so that the
  // text keeps 4.5:1 contrast on every technique's colour.
  function fillAlpha(score) {
    return 0.1 + 0.35 * score;
  }

  return {
    COLORS, NAMES, LANE_PX, colorOf, nameOf, shortNameOf, fillAlpha, utf16Offsets, passes, propagandaScore,
    voiceInWords, precisionInWords, percentileInWords, voiceScores,
    analysisAt, assignLanes, segments, innermost, createView, el, download, fileStem,
  };
});
