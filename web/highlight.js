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

  // One colour per technique, in the corpus's label order.
  const COLORS = {
    'Appeal_to_Authority': '#1f77b4',
    'Appeal_to_fear-prejudice': '#d62728',
    'Bandwagon,Reductio_ad_hitlerum': '#8c564b',
    'Black-and-White_Fallacy': '#17becf',
    'Causal_Oversimplification': '#a8a81e',
    'Doubt': '#9467bd',
    'Exaggeration,Minimisation': '#ff7f0e',
    'Flag-Waving': '#2ca02c',
    'Loaded_Language': '#e377c2',
    'Name_Calling,Labeling': '#d4a017',
    'Repetition': '#393b79',
    'Slogans': '#637939',
    'Thought-terminating_Cliches': '#843c39',
    'Whataboutism,Straw_Men,Red_Herring': '#6b6ecf',
  };
  const FALLBACK_COLOR = '#555555';

  // Height in px of one underline lane below the text (see style.css).
  const LANE_PX = 5;

  function colorOf(technique) {
    return COLORS[technique] || FALLBACK_COLOR;
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

  // Object with keys in sorted order, as the server's JSON library writes them.
  function sortedKeys(obj) {
    const out = {};
    for (const k of Object.keys(obj).sort()) out[k] = obj[k];
    return out;
  }

  // The analysis the server returns at `threshold`, from one made at a lower
  // threshold (the page asks for everything at 0 and filters locally).
  function analysisAt(full, threshold) {
    const spans = full.spans.filter((s) => passes(s, threshold));
    const counts = {};
    for (const s of spans) counts[s.technique] = (counts[s.technique] || 0) + 1;
    const out = Object.assign({}, full, {
      spans: spans.map((s) => Object.assign({}, s)),
      technique_counts: sortedKeys(counts),
      propaganda_score: propagandaScore(spans, full.length),
    });
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

  function fileStem(id) {
    return String(id).replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'article';
  }

  // ---- the view -------------------------------------------------------------

  // Shows `opts.text` analysed as `opts.analysis` (made at a threshold no
  // higher than any the slider offers) inside `root`. opts.definitions maps
  // labels to plain-language definitions; opts.threshold is the initial
  // threshold; opts.hidden the initially hidden techniques.
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
      selected: null,  // the span explained in the details panel
      place: null,  // {start, end} of the piece of text clicked
    };

    const scoreValue = el('span', { class: 'score-value', 'data-role': 'score' });
    const scoreBar = el('span', { class: 'score-bar-fill' });
    const scoreNote = el('span', { class: 'score-note' });
    const slider = el('input', {
      type: 'range', min: '0', max: '1', step: '0.001', id: 'threshold', 'aria-label': 'Threshold',
    });
    slider.value = String(state.threshold);
    const sliderValue = el('output', { for: 'threshold', class: 'threshold-value', 'data-role': 'threshold-value' });
    const legend = el('ul', { class: 'legend', 'data-role': 'legend', 'aria-label': 'Techniques found' });
    const article = el('div', { class: 'article', 'data-role': 'article' });
    const details = el('aside', { class: 'details', 'data-role': 'details', 'aria-live': 'polite' });

    root.replaceChildren(
      el('div', { class: 'summary' },
        el('div', { class: 'score' },
          el('span', { class: 'score-label', text: 'Propaganda score' }), scoreValue,
          el('span', { class: 'score-bar' }, scoreBar), scoreNote),
        el('label', { class: 'threshold' },
          el('span', { text: 'Threshold' }), slider, sliderValue)),
      el('div', { class: 'result' },
        el('div', { class: 'article-wrap' }, article),
        el('div', { class: 'side' },
          el('h2', { text: 'Techniques' }),
          el('p', { class: 'hint', text: 'Click a technique to hide or show it; click a highlight to see why.' }),
          legend,
          details)));

    function visible() {
      return all.filter((s) => passes(s, state.threshold) && !state.hidden.has(s.technique));
    }

    function renderSummary() {
      const current = all.filter((s) => passes(s, state.threshold));
      const score = propagandaScore(current, full.length);
      scoreValue.textContent = formatPercent(score);
      scoreBar.style.width = formatPercent(score);
      scoreNote.textContent =
        `${current.length} passage${current.length === 1 ? '' : 's'} flagged; ` +
        'the share of the article\u2019s characters inside them';
      sliderValue.textContent = formatThreshold(state.threshold);
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
        const swatch = el('span', { class: 'swatch' });
        swatch.style.backgroundColor = colorOf(technique);
        const button = el('button', {
          type: 'button', class: 'legend-item', 'data-technique': technique, 'aria-pressed': shown,
          title: definitions[technique] || technique,
          onclick: () => {
            if (state.hidden.has(technique)) state.hidden.delete(technique);
            else state.hidden.add(technique);
            render();
            // The legend was rebuilt: keep the keyboard focus on this entry.
            const again = legend.querySelector(`button[data-technique="${CSS.escape(technique)}"]`);
            if (again) again.focus();
          },
        }, swatch, el('span', { class: 'label', text: technique }), el('span', { class: 'count', text: String(count) }),
        el('span', { class: 'bar' }, bar));
        return el('li', null, button);
      }));
    }

    function renderArticle() {
      const spans = visible();
      const lanes = assignLanes(spans);
      article.style.setProperty('--lanes', String(lanes.count));
      const pieces = segments(spans, full.length).map((seg) => {
        const piece = text.slice(map[seg.start], map[seg.end]);
        if (seg.covering.length === 0) return document.createTextNode(piece);
        const mark = el('mark', {
          class: 'seg',
          tabindex: '0',
          'data-start': seg.start,
          'data-end': seg.end,
          'data-spans': seg.covering.map((s) => s.index).join(' '),
          'data-techniques': Array.from(new Set(seg.covering.map((s) => s.technique))).join(' '),
        });
        mark.textContent = piece;
        paint(mark, seg.covering, lanes);
        if (state.selected && seg.covering.includes(state.selected)) mark.classList.add('selected');
        return mark;
      });
      article.replaceChildren(...pieces);
    }

    // The fill shows the innermost span, its strength the span's score; one
    // underline lane per covering span keeps every nested span visible.
    function paint(mark, covering, lanes) {
      const images = [];
      const sizes = [];
      const positions = [];
      for (const s of covering) {
        const k = lanes.lane.get(s);
        const color = rgba(colorOf(s.technique), 0.35 + 0.65 * s.score);
        images.push(`linear-gradient(${color}, ${color})`);
        sizes.push(`100% ${LANE_PX - 2}px`);
        positions.push(`0 calc(100% - ${(lanes.count - 1 - k) * LANE_PX}px)`);
      }
      const top = innermost(covering);
      const fill = rgba(colorOf(top.technique), 0.12 + 0.5 * top.score);
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

    function renderDetails() {
      const span = state.selected;
      if (!span) {
        details.replaceChildren(el('p', { class: 'hint', text: 'Click a highlighted passage to see which technique it is and why.' }));
        return;
      }
      const swatch = el('span', { class: 'swatch' });
      swatch.style.backgroundColor = colorOf(span.technique);
      const others = coveringPlace().filter((s) => s !== span);
      const parts = [
        el('h3', { class: 'technique', 'data-role': 'technique' }, swatch, el('span', { text: span.technique })),
        el('p', { class: 'definition', 'data-role': 'definition', text: definitions[span.technique] || '' }),
        el('p', { class: 'meta' },
          el('span', { text: 'Score ' }), el('strong', { 'data-role': 'span-score', text: span.score.toFixed(2) }),
          el('span', { text: ` \u00b7 characters ${span.start}\u2013${span.end}` })),
        el('blockquote', { class: 'fragment', 'data-role': 'fragment', text: span.text }),
        others.length === 0 ? null : el('div', { class: 'also' },
          el('p', { text: 'Also covering this place:' }),
          el('ul', null, ...others.map((s) => {
            const sw = el('span', { class: 'swatch' });
            sw.style.backgroundColor = colorOf(s.technique);
            return el('li', null, el('button', {
              type: 'button', class: 'other-span', 'data-span': s.index,
              onclick: () => select(s, state.place),
            }, sw, el('span', { text: `${s.technique} (${s.score.toFixed(2)})` })));
          })))];
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

    article.addEventListener('click', (event) => {
      const mark = event.target.closest('mark.seg');
      if (!mark) return;
      select(spanAt(mark, coveringOf(mark), event), placeOf(mark));
    });
    article.addEventListener('keydown', (event) => {
      const mark = event.target.closest('mark.seg');
      if (!mark || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      select(innermost(coveringOf(mark)), placeOf(mark));
    });
    slider.addEventListener('input', () => {
      state.threshold = parseFloat(slider.value);
      render();
    });

    render();

    return {
      // What the server would return at the current threshold.
      currentAnalysis: () => analysisAt(full, state.threshold),
      state: () => ({ threshold: state.threshold, hidden: Array.from(state.hidden) }),
      downloadJson: () => {
        download(`${fileStem(full.id)}.propscan.json`, 'application/json',
          JSON.stringify(analysisAt(full, state.threshold), null, 2) + '\n');
      },
    };
  }

  return {
    COLORS, LANE_PX, colorOf, utf16Offsets, passes, propagandaScore, analysisAt, assignLanes, segments,
    innermost, createView, el, download, fileStem,
  };
});
