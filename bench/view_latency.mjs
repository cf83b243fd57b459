// The browser side of bench/view-latency.sh: loads the live viewer's page in headless Debian Chromium (software
// decoding, the flags of the page tests) with playwright-core from view/src/test/browser (`npm ci` there first).
//
//   node bench/view_latency.mjs first URL COUNT        first picture: COUNT fresh pages (each in a new browser
//                                                      context, one browser), one JSON line each
//   node bench/view_latency.mjs run URL SECONDS OUT     one page for SECONDS: its per-frame samples to OUT (JSON
//                                                      lines), then one JSON summary line on stdout
//
// Times on the page are performance.now() (0 = the page started loading: navigation start). Every page gets an
// init script that notes, independently of the page's own figures, when the WebSocket was made, opened and got its
// first message, when VideoDecoder.decode was first called, when the canvas was first drawn and when it was first
// drawn with the frame that was live when the viewer connected (or a newer one), so the first picture and its
// breakdown are measured the same way for any version of the page.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, "../view/src/test/browser/package.json"));
const { chromium } = require("playwright-core");
const { launch } = await import(resolve(here, "../testing/src/main/browser/page-check.mjs"));

const [what, url, arg, out] = process.argv.slice(2);
if (!["first", "run"].includes(what) || !url || !arg) {
  console.error("usage: node view_latency.mjs first URL COUNT | run URL SECONDS OUT.jsonl");
  process.exit(2);
}

/** Runs in the page before its own script: notes the first-picture milestones in window.__bench. */
function instrument() {
  const b = window.__bench = { ws: null, open: null, firstMessage: null, messagesAtDraw: null, bytesAtDraw: null,
    firstDecode: null, decodesAtDraw: null, firstDraw: null, messages: 0, bytes: 0, decodes: 0, liveUs: null,
    firstLive: null, decodesAtLive: null };
  const now = () => performance.now();
  const Ws = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Ws(...args);
    if (b.ws === null) b.ws = now();
    ws.addEventListener("open", () => { if (b.open === null) b.open = now(); });
    ws.addEventListener("message", e => {
      if (b.firstMessage === null) b.firstMessage = now();
      b.messages++;
      b.bytes += e.data.byteLength || e.data.length || 0;
      // The live frame when the viewer connected: the newest one the server had received by then (io.streamtee.view
      // Frame header: PTS at 4, server receive time at 12), by the header's server clock (this machine's).
      if (e.data instanceof ArrayBuffer && e.data.byteLength >= 20 && b.open !== null) {
        const v = new DataView(e.data);
        const pts = Number(v.getBigInt64(4)), server = Number(v.getBigInt64(12));
        if (server <= performance.timeOrigin + b.open) b.liveUs = Math.max(b.liveUs ?? -1, Math.round(pts * 100 / 9));
      }
    });
    return ws;
  };
  window.WebSocket.prototype = Ws.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  if (window.VideoDecoder) {
    const decode = VideoDecoder.prototype.decode;
    VideoDecoder.prototype.decode = function (chunk) {
      if (b.firstDecode === null) b.firstDecode = now();
      b.decodes++;
      return decode.call(this, chunk);
    };
  }
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const r = draw.apply(this, args);
    // The first live picture, the same definition for any version of the page: the first frame drawn that is not
    // older than the live frame at connection (a page that shows the stale frames of the cached GOP is not live yet)
    if (b.firstLive === null && b.liveUs !== null && typeof VideoFrame !== "undefined"
        && args[0] instanceof VideoFrame && args[0].timestamp >= b.liveUs) {
      b.firstLive = now();
      b.decodesAtLive = b.decodes;
    }
    if (b.firstDraw === null) {
      b.firstDraw = now();
      b.messagesAtDraw = b.messages;
      b.bytesAtDraw = b.bytes;
      b.decodesAtDraw = b.decodes;
    }
    return r;
  };
}

const browser = await launch(chromium, process.env.VIEW_PAGE ? ["--disable-features=LocalNetworkAccessChecks"] : []);
try {
  if (what === "first") {
    for (let i = 0; i < Number(arg); i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 820 }, deviceScaleFactor: 1 });
      await page.addInitScript(instrument);
      if (process.env.VIEW_PAGE) { // another version of the page, served from a file (to compare versions)
        const html = readFileSync(process.env.VIEW_PAGE, "utf8");
        await page.route(u => u.href === url || u.href.startsWith(url + "?"), r => r.fulfill({ body: html,
          contentType: "text/html; charset=utf-8" }));
      }
      await page.goto(url);
      // an MSE page draws no VideoFrame to a canvas: its own firstFrameMs is the figure then
      await page.waitForFunction(() => window.__bench.firstLive !== null || (window.streamteeStats
        && window.streamteeStats.mode === "mse" && window.streamteeStats.firstFrameMs != null), null,
      { timeout: 15000, polling: 20 });
      const r = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const s = window.streamteeStats || {};
        return { ...window.__bench, htmlLoaded: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd,
          pageFirstFrameMs: s.firstFrameMs ?? null, mode: s.mode ?? null,
          firstOutput: s.samples && s.samples.length ? s.samples[0].output - performance.timeOrigin : null };
      });
      console.log(JSON.stringify(r));
      await page.close();
      await new Promise(done => setTimeout(done, 300 + Math.random() * 1500)); // the next joins elsewhere in the GOP
    }
  } else {
    const page = await browser.newPage({ viewport: { width: 1400, height: 820 }, deviceScaleFactor: 1 });
    const errors = [];
    page.on("pageerror", e => errors.push("page error: " + e.message));
    page.on("console", m => { if (m.type() === "error") errors.push("console error: " + m.text()); });
    await page.addInitScript(instrument);
    await page.goto(url);
    await page.waitForFunction(() => window.streamteeStats && window.streamteeStats.firstFrameMs != null, null,
      { timeout: 15000, polling: 20 });
    const end = Date.now() + Number(arg) * 1000;
    const samples = [];
    let seen = 0;
    const collect = async () => {
      const r = await page.evaluate(from => {
        const s = window.streamteeStats;
        if (!Array.isArray(s.samples)) return { count: 0, lost: 0, samples: [] }; // a mode that keeps none
        const n = s.sampleCount - from; // samples since the last call; the ring keeps the newest s.samples.length
        return { count: s.sampleCount, lost: Math.max(0, n - s.samples.length),
          samples: n > 0 ? s.samples.slice(-Math.min(n, s.samples.length)) : [] };
      }, seen);
      seen = r.count;
      samples.push(...r.samples);
      return r.lost;
    };
    let lost = 0;
    while (Date.now() < end) {
      await page.waitForTimeout(Math.min(2000, Math.max(0, end - Date.now())));
      lost += await collect();
    }
    const summary = await page.evaluate(() => {
      const s = window.streamteeStats;
      return { mode: s.mode, codec: s.codec, received: s.received, decoded: s.decoded, drawn: s.drawn,
        dropped: s.dropped, missing: s.missing, notDrawn: s.notDrawn, firstFrameMs: s.firstFrameMs,
        fps: s.fps, bitrate: s.bitrate, errors: s.errors, bench: window.__bench };
    });
    await page.screenshot({ path: out.replace(/\.jsonl$/, "") + ".png" });
    writeFileSync(out, samples.map(x => JSON.stringify(x)).join("\n") + (samples.length ? "\n" : ""));
    console.log(JSON.stringify({ ...summary, samples: samples.length, samplesLost: lost, problems: errors }));
  }
} finally {
  await browser.close();
}
