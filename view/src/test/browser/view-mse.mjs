// Loads the live viewer's page with ?mode=mse in headless Chromium and checks that the MSE fallback plays: mode MSE,
// the frames the <video> presents rise, no error (page, console or window.streamteeStats.errors), and the picture is
// not blank (its pixels vary); saves a screenshot. Prints the first picture's time and how far behind the server the
// presented frames are (server receive time to presentation, from streamteeStats.samples). Exits 0 when it plays, 1
// (with the reason on stderr) when not.
//
//   node view-mse.mjs URL [SCREENSHOT.png] [CODEC_PREFIX] [SECONDS] [forced|fallback] [WIDTH_AFTER]
//
// forced (the default) loads the page with ?mode=mse; fallback loads it without, as plain HTTP off localhost (the host
// name streamtee-viewer.test, which Chromium maps to the URL's loopback address): not a secure context, so there is
// no WebCodecs and the page must pick MSE itself. With WIDTH_AFTER it then waits (up to 30 s) for the camera to
// restart at that picture width: the <video> plays at the new width, its presented frames rise again, no error; a
// second screenshot goes next to the first (-after.png). With WIDTH_AFTER "same" it waits (up to 60 s) for the camera
// to restart at the same size (a new generation, streamteeStats.generation): the presented frames must rise again
// within 5 s, and 5 s later the page must still play near the live edge with a short buffer (it holds at most 5 s).
// With WIDTH_AFTER "unplayable" it hands the page an init segment of a new generation whose avcC names a profile no
// browser plays (as if the camera had switched to it): the page must say it cannot play it and keep saying so while
// the server's fragments (of the old generation) go on arriving; then, the WebSocket closed, the page reconnects and
// plays the camera again. With WIDTH_AFTER "h265" the camera sends H.265, which the MSE mode does not play: the page
// must say so (the server tells it) within 10 s and still say so 6 s later; nothing is played.
//
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci` in this directory (playwright-core only).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, shot = "view-mse.png", codecPrefix = "avc1.", seconds = "3", how = "forced", widthAfter = ""] =
  process.argv.slice(2);
if (!url || !["forced", "fallback"].includes(how)) {
  console.error("usage: node view-mse.mjs URL [SCREENSHOT.png] [CODEC_PREFIX] [SECONDS] [forced|fallback]"
    + " [WIDTH_AFTER]");
  process.exit(2);
}
const problems = [];
const fallback = how === "fallback";
const insecure = new URL(url);
const loopback = insecure.hostname;
insecure.hostname = "streamtee-viewer.test";
const browser = await launch(chromium, ["--autoplay-policy=no-user-gesture-required",
  ...(fallback ? ["--host-resolver-rules=MAP streamtee-viewer.test " + loopback] : [])]);
await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, fallback ? insecure.href : url + (url.includes("?") ? "&" : "?") + "mode=mse",
    { width: 800, height: 500 }, problems);
  if (fallback && await page.evaluate(() => typeof VideoDecoder !== "undefined")) {
    throw new Error("this Chromium still has WebCodecs: the fallback cannot be tested");
  }
  const stats = () => page.evaluate(() => JSON.parse(JSON.stringify(window.streamteeStats || {})));
  if (widthAfter === "h265") {
    const said = () => page.evaluate(() => document.getElementById("status").textContent);
    await page.waitForFunction(() => /H\.264 only/.test(document.getElementById("status").textContent), null,
      { timeout: 10000, polling: 100 }).catch(async e => {
      throw new Error("the page does not say that MSE plays H.264 only: " + await said());
    });
    await page.waitForTimeout(6000);
    const later = await said();
    if (!/H\.264 only/.test(later) || !/H\.265/.test(later)) problems.push("6 s later the page says: " + later);
    console.log("an H.265 camera over MSE: the page says \"" + later + "\"");
    return;
  }
  const failIfError = async () => {
    const s = await stats();
    if (s.errors && s.errors.length) throw new Error("page errors: " + s.errors.join("; "));
  };
  await page.waitForFunction(() => window.streamteeStats && window.streamteeStats.drawn > 0, null,
    { timeout: 10000, polling: 50 }).catch(async e => {
    throw new Error(e.message.split("\n")[0] + "; status: "
      + await page.evaluate(() => document.getElementById("status").textContent) + "; stats: "
      + JSON.stringify(await stats()).slice(0, 400));
  });
  await failIfError();
  const first = await stats();
  if (first.mode !== "mse") problems.push("mode is " + first.mode);
  const bar = await page.evaluate(() => document.getElementById("mode").textContent);
  if (bar !== "MSE") problems.push("the status bar says mode " + bar);
  if (!first.codec || !first.codec.startsWith(codecPrefix)) problems.push("codec is " + first.codec + ", not "
    + codecPrefix + "...");
  const before = first.drawn, samplesBefore = first.sampleCount;
  await page.waitForTimeout(Number(seconds) * 1000);
  await failIfError();
  const after = await stats();
  if (after.drawn <= before) problems.push("presented frames did not rise: " + before + " then " + after.drawn);
  // The picture is not blank: the test pattern has many distinct colours.
  const picture = await page.evaluate(() => {
    const v = document.getElementById("mse-video");
    const c = document.createElement("canvas");
    c.width = v.videoWidth; c.height = v.videoHeight;
    const g = c.getContext("2d");
    g.drawImage(v, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
    return { width: c.width, height: c.height, colours: colours.size, paused: v.paused };
  });
  if (picture.colours < 8) problems.push("the picture looks blank: " + JSON.stringify(picture));
  if (picture.paused) problems.push("the video is paused");
  await page.screenshot({ path: shot });
  const fresh = after.samples.slice(-(after.sampleCount - samplesBefore));
  const sorted = xs => xs.sort((a, b) => a - b);
  const behind = sorted(fresh.map(s => s.drawn - s.server));
  const g2g = sorted(fresh.filter(s => s.capture !== null).map(s => s.drawn - s.capture / 1000));
  const at = (xs, p) => xs.length ? Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]) : "-";
  const pct = p => at(behind, p);
  const origin = await page.evaluate(() => performance.timeOrigin);
  console.log("view page (MSE, " + how + ") ok: firstFrameMs " + Math.round(first.firstFrameMs) + " (firstFrameEpochMs "
    + Math.round(origin + first.firstFrameMs) + "); presented " + before
    + " then " + after.drawn + " " + seconds + " s later; decoded " + after.decoded + "; dropped " + after.dropped
    + "; server to presented p50 " + pct(0.5) + " ms, p90 " + pct(0.9) + " ms, max " + pct(1) + " ms over "
    + behind.length + " frames; glass to glass (SEI) p50 " + at(g2g, 0.5) + " ms, p90 " + at(g2g, 0.9) + " ms over "
    + g2g.length + " frames; buffered end - currentTime " + (after.behindS === null ? "-"
      : Math.round(after.behindS * 1000) + " ms") + "; buffer holds " + after.bufferedS.toFixed(1) + " s; picture " + picture.width + "x" + picture.height + " with "
    + picture.colours + " colours; codec " + after.codec + "; screenshot " + shot);
  if (widthAfter === "unplayable") {
    const type = await page.evaluate(() => {
      const init = mse.init.slice(), b = new Uint8Array(24 + init.length);
      b.set(init, 24);
      for (let i = 24; i + 8 < b.length; i++) {
        if (b[i] === 0x61 && b[i + 1] === 0x76 && b[i + 2] === 0x63 && b[i + 3] === 0x43) { b[i + 5] = 0x07; break; }
      }
      const v = new DataView(b.buffer);
      v.setUint8(0, 1); v.setUint8(1, 1); v.setUint8(2, 1); v.setUint8(3, 1); v.setInt32(20, mse.generation + 1000);
      mseMessage(b.buffer, performance.timeOrigin + performance.now());
      return mseCodec(init);
    });
    const received = (await stats()).received;
    await page.waitForFunction(r => window.streamteeStats.received > r + 25, received, { timeout: 5000, polling: 50 });
    const said = await page.evaluate(() => document.getElementById("status").textContent);
    if (!/cannot play/.test(said)) problems.push("after an unplayable init segment (its codec was " + type
      + ") and 25 fragments the status says: " + said);
    const s = await stats();
    if (!s.errors.some(e => /cannot play/.test(e))) problems.push("no error kept for the unplayable init segment");
    await page.evaluate(() => { window.streamteeStats.errors = []; mse.ws.close(); });
    const drawn = s.drawn;
    await page.waitForFunction(d => window.streamteeStats.drawn > d + 25, drawn, { timeout: 10000, polling: 100 })
      .catch(e => { throw new Error("it did not play again after reconnecting: " + e.message.split("\n")[0]); });
    await page.waitForFunction(() => document.getElementById("status").textContent === "live", null,
      { timeout: 5000, polling: 100 }).catch(async () => {
      throw new Error("the status after reconnecting: "
        + await page.evaluate(() => document.getElementById("status").textContent));
    });
    console.log("an unplayable init segment: the page said \"" + said + "\" and played again after reconnecting");
  } else if (widthAfter === "same") {
    const generation = after.generation;
    await page.waitForFunction(g => window.streamteeStats.generation !== g, generation,
      { timeout: 60000, polling: 100 }).catch(e => {
      throw new Error("no new generation after " + generation + ": " + e.message.split("\n")[0]);
    });
    const restarted = await stats();
    await page.waitForFunction(d => window.streamteeStats.drawn > d + 10, restarted.drawn,
      { timeout: 5000, polling: 100 }).catch(async e => {
      const s = await stats();
      throw new Error("presented frames did not rise within 5 s of the restart (" + restarted.drawn + " then "
        + s.drawn + "; buffer holds " + s.bufferedS.toFixed(1) + " s, " + (s.behindS === null ? "-"
          : s.behindS.toFixed(1)) + " s behind its end): " + e.message.split("\n")[0]);
    });
    const drawn = (await stats()).drawn;
    await page.waitForTimeout(5000);
    await failIfError();
    const end = await stats();
    if (end.drawn <= drawn + 50) problems.push("after the restart only " + (end.drawn - drawn) + " frames in 5 s");
    if (end.bufferedS > 5) problems.push("after the restart the buffer holds " + end.bufferedS.toFixed(1) + " s");
    if (end.behindS === null || end.behindS > 1) problems.push("after the restart it plays " + end.behindS
      + " s behind the buffered end");
    const shotAfter = shot.replace(/\.png$/, "") + "-after.png";
    await page.screenshot({ path: shotAfter });
    console.log("after the restart at the same size: generation " + generation + " then " + end.generation
      + "; presented " + drawn + " then " + end.drawn + " 5 s later; buffer holds " + end.bufferedS.toFixed(1)
      + " s; " + Math.round(end.behindS * 1000) + " ms behind its end; screenshot " + shotAfter);
  } else if (widthAfter) {
    const width = Number(widthAfter);
    await page.waitForFunction(w => document.getElementById("mse-video").videoWidth === w, width,
      { timeout: 30000, polling: 100 }).catch(async e => {
      throw new Error("the video did not change to width " + width + " (it is "
        + await page.evaluate(() => document.getElementById("mse-video").videoWidth) + "): "
        + e.message.split("\n")[0]);
    });
    const drawn = (await stats()).drawn;
    await page.waitForFunction(d => window.streamteeStats.drawn > d + 10, drawn, { timeout: 10000, polling: 100 })
      .catch(e => { throw new Error("presented frames did not rise after the restart: " + e.message.split("\n")[0]); });
    await failIfError();
    const shotAfter = shot.replace(/\.png$/, "") + "-after.png";
    await page.screenshot({ path: shotAfter });
    const end = await stats();
    console.log("after the restart: width " + width + "; presented " + end.drawn + "; codec " + end.codec
      + "; screenshot " + shotAfter);
  }
});
