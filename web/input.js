// Checks on what a user pastes into the page, before it is analysed: a web
// address instead of an article, HTML source instead of text, text that is
// not English. Pure functions, except htmlToText, which needs a browser.
//
// Loads as a classic browser script (defines window.PropScanInput) and as a
// CommonJS module for the Node tests.
(function (root, factory) {
  'use strict';
  const api = factory();
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.PropScanInput = api;
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // Nothing but one web address.
  function isUrl(text) {
    return /^\s*(https?:\/\/|www\.)\S+\s*$/i.test(text);
  }

  // Tags of the elements articles are made of, written as markup.
  const TAG = /<\/?(p|div|span|br|b|i|u|em|strong|a|h[1-6]|ul|ol|li|blockquote|article|section|header|footer|main|html|head|body|title|meta|link|script|style|img|figure|figcaption|table|tr|td|th|font|small|sup|sub|time|nav)\b[^<>]*>/gi;

  // The number of HTML tags in the text.
  function htmlTagCount(text) {
    return (text.match(TAG) || []).length;
  }

  // Common English function words. English news prose has about 36% of its
  // words among them (docs/web.md); French, German or Spanish prose almost
  // none, a text in another script none.
  const ENGLISH = new Set(('the of and to in is that for it was on with as be by at this are have from or an not ' +
    'but they his her we you has had will their which were been would said who its more can there about he she ' +
    'our all than also if one what when after into them these those could should').split(' '));

  // {words, share}: how many words the text has and the share of them that
  // are common English words.
  function englishShare(text) {
    const words = text.toLowerCase().match(/[\p{L}\p{M}']+/gu) || [];
    const common = words.filter((w) => ENGLISH.has(w)).length;
    return { words: words.length, share: words.length === 0 ? 0 : common / words.length };
  }

  // False when the text has enough words to tell (at least 8) and fewer
  // than 15% of them are common English words.
  function looksEnglish(text) {
    const { words, share } = englishShare(text);
    return words < 8 || share >= 0.15;
  }

  // Elements that end a line or a paragraph when HTML is read as text.
  const LINE = new Set(['BR', 'LI', 'TR', 'DT', 'DD', 'FIGCAPTION', 'OPTION']);
  const PARAGRAPH = new Set(['P', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'ARTICLE', 'SECTION',
    'HEADER', 'FOOTER', 'MAIN', 'ASIDE', 'NAV', 'UL', 'OL', 'DL', 'TABLE', 'FIGURE', 'PRE', 'HR', 'ADDRESS']);
  // Elements whose content is no article text, or that name something to
  // fetch.
  const DROP = 'script, style, noscript, template, head, title, iframe, frame, object, embed, svg, math, ' +
    'select, button, img, picture, video, audio, source, track, link, meta, input';

  // The text of an HTML document or fragment, read by the browser's own
  // parser into an inert document (DOMParser: its scripts never run and
  // nothing it names is loaded), with paragraphs as blank lines. Nothing of
  // it reaches the live page.
  function htmlToText(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const node of doc.querySelectorAll(DROP)) node.remove();
    const out = [];
    const walk = (node, pre) => {
      for (const child of node.childNodes) {
        if (child.nodeType === 3) {
          out.push(pre ? child.data : child.data.replace(/[ \t\n\r\f]+/g, ' '));
        } else if (child.nodeType === 1) {
          const tag = child.tagName;
          const brk = PARAGRAPH.has(tag) ? '\n\n' : LINE.has(tag) ? '\n' : '';
          if (tag === 'BR') {
            out.push('\n');
            continue;
          }
          out.push(brk);
          walk(child, pre || tag === 'PRE' || tag === 'TEXTAREA');
          out.push(brk);
        }
      }
    };
    walk(doc.body, false);
    return out.join('')
      .split('\n').map((line) => line.replace(/^ +| +$/g, '')).join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  return { isUrl, htmlTagCount, englishShare, looksEnglish, htmlToText };
});
