#!/usr/bin/env node
// Mermaid parser oracle: reads JSON lines {"id": ..., "src": "..."} on stdin and writes, for
// each, one JSON line {"id", "ok", "type", "error"} on stdout, in input order, with the verdict
// of real Mermaid's `mermaid.parse(src)` (run under jsdom, no browser needed).
//
//   ok    true when mermaid.parse resolved, false when it rejected (or threw)
//   type  the detected diagram type (parse result's diagramType) when ok, else null
//   error the rejection message when not ok, else null
//
// A line that is not a JSON object with a string `src` gets ok:false and an error starting
// with "oracle:". Mermaid's own console output is discarded (set MERMAID_ORACLE_VERBOSE=1 to
// send it to stderr instead); stdout carries only the JSON lines.

import { JSDOM } from 'jsdom';
import { createInterface } from 'node:readline';

// --- Silence console before mermaid loads (it logs through console.*). Our own output goes
// straight to process.stdout, so nothing below relies on console.
const verbose = process.env.MERMAID_ORACLE_VERBOSE === '1';
for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[k] = verbose ? (...a) => process.stderr.write(a.map(String).join(' ') + '\n') : () => {};
}

// --- Browser-ish globals from jsdom. mermaid (and DOMPurify, d3) look for window/document at
// import time, so they must be there before the dynamic import below.
const dom = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>', {
  pretendToBeVisual: true,
  url: 'http://localhost/',
});
const { window } = dom;
const define = (name, value) => {
  // Node 21+ has a read-only global navigator; defineProperty works on either.
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
};
define('window', window);
define('document', window.document);
define('navigator', window.navigator);
for (const name of [
  'Element', 'HTMLElement', 'SVGElement', 'Node', 'NodeFilter', 'DocumentFragment',
  'DOMParser', 'XMLSerializer', 'MutationObserver', 'getComputedStyle', 'Option',
  'requestAnimationFrame', 'cancelAnimationFrame',
]) {
  if (!(name in globalThis) && window[name] !== undefined) {
    define(name, typeof window[name] === 'function' && /^[a-z]/.test(name)
      ? window[name].bind(window) : window[name]);
  }
}

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

// --- Output with backpressure; order = input order since lines are handled one at a time.
function write(obj) {
  const line = JSON.stringify(obj) + '\n';
  if (process.stdout.write(line)) return null;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

function message(err) {
  if (err == null) return 'unknown error';
  if (typeof err === 'string') return err;
  if (typeof err.message === 'string') return err.message;
  try { return String(err); } catch { return 'unprintable error'; }
}

async function verdict(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { id: null, ok: false, type: null, error: `oracle: bad JSON input: ${message(e)}` };
  }
  const id = req && typeof req === 'object' && 'id' in req ? req.id : null;
  if (!req || typeof req !== 'object' || typeof req.src !== 'string') {
    return { id, ok: false, type: null, error: 'oracle: input needs a string "src"' };
  }
  try {
    const res = await mermaid.parse(req.src);
    let type = res && typeof res === 'object' ? res.diagramType ?? null : null;
    if (type == null) {
      try { type = mermaid.detectType(req.src); } catch { type = null; }
    }
    return { id, ok: true, type, error: null };
  } catch (e) {
    return { id, ok: false, type: null, error: message(e) };
  }
}

// A reader that goes away (e.g. `| head`) ends the run quietly rather than with EPIPE.
process.stdout.on('error', (e) => {
  if (e && e.code === 'EPIPE') process.exit(0);
  throw e;
});

// A stray rejection from inside mermaid must not kill the run.
process.on('unhandledRejection', (e) => {
  if (verbose) process.stderr.write(`mermaid-oracle: unhandled rejection: ${message(e)}\n`);
});

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  const p = write(await verdict(line));
  if (p) await p;
}

// EOF: flush stdout, then exit 0 (jsdom/mermaid may leave timers that keep the loop alive).
process.stdout.write('', () => {
  dom.window.close();
  process.exit(0);
});
