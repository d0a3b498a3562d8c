// What the browser tests share: `propscan serve` on a free loopback port,
// stopped and checked; headless Debian Chromium; and a page that records
// every script error, console error and dialog (a Content-Security-Policy
// violation is a console error) for the test to assert there were none.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

// Starts `BINARY serve --port 0 ARGS...` and resolves, once it has printed
// the address it listens on, to {process, base, log} (log keeps growing).
export function startServer(binary, args = []) {
  if (!existsSync(binary)) throw new Error(`no propscan binary at ${binary}; build first`);
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(binary, ['serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let server = null;
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
        resolvePromise(server);
      }
    });
    proc.on('exit', (code) => {
      if (!server) reject(new Error(`serve exited with ${code}:\n${log}`));
    });
  });
}

// Stops a server of startServer with SIGTERM; it must exit 0 and say so.
export async function stopServer(server) {
  const exited = new Promise((r) => server.process.on('exit', (code) => r(code)));
  server.process.kill('SIGTERM');
  const code = await exited;
  assert.equal(code, 0, `serve exited with ${code}`);
  assert.match(server.log, /propscan: stopped\n/);
}

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
}

// A new page of `context` whose problems (script errors, console errors,
// dialogs, which are dismissed) collect in page.problems.
export async function newPage(context) {
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
