// Starts the standalone HTML report made by app.js: reads the embedded data
// and shows it with the same view as the page, offline.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('propscan-data').textContent);
  const title = data.title || 'Untitled article';
  document.title = `propscan report: ${title}`;
  document.getElementById('article-title').textContent = title;
  document.getElementById('report-meta').textContent =
    `Analysed by propscan on ${data.generated}; ${data.analysis.length} characters. ` +
    'propscan flags rhetoric, whoever uses it; it does not judge whether a claim is true.';
  const view = window.PropScan.createView(document.getElementById('view'), data);
  document.getElementById('download-json').addEventListener('click', () => view.downloadJson());
})();
