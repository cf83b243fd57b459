// Loads the live viewer's page in headless Chromium and checks that it plays: mode WebCodecs, the decoded-frame
// count rises, no decoder error, and the canvas is not blank (its pixels vary); that the first picture's time is
// recorded (streamteeStats.firstFrameMs); and that the glass-to-glass figure is shown when G2G is "g2g" (a stream with
// the capture-time SEI) and absent when it is "no-g2g" (one without); saves a screenshot. Exits 0 when it plays, 1
// (with the reason on stderr) when not. With "h265": an H.265 stream either decodes or the page says that this
// browser cannot decode H.265, with the hvc1 codec string it asked for. With "no-video": the page says the stream has
// no H.264/H.265 video (the server's message) and decodes nothing.
//
//   node view-page.mjs URL [SCREENSHOT.png] [CODEC_PREFIX] [g2g|no-g2g|h265|no-video]
//
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci` in this directory (playwright-core only; it
// downloads no browser).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, shot = "view-page.png", codecPrefix = "avc1.", g2g = ""] = process.argv.slice(2);
if (!url || !["", "g2g", "no-g2g", "h265", "no-video"].includes(g2g)) {
  console.error("usage: node view-page.mjs URL [SCREENSHOT.png] [CODEC_PREFIX] [g2g|no-g2g|h265|no-video]");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);
await checkAndExit(browser, problems, async () => {
  const started = Date.now();
  const page = await openPage(browser, url, { width: 800, height: 500 }, problems);
  const text = id => page.evaluate(i => document.getElementById(i).textContent, id);
  const failIfError = async () => {
    if (await page.evaluate(() => document.getElementById("status").className) === "error") {
      throw new Error("status line: " + await text("status"));
    }
  };
  if (g2g === "no-video") { // audio only: the server says so and the page shows it
    await page.waitForFunction(() => document.getElementById("status").textContent.includes("no H.264/H.265 video"),
      null, { timeout: 10000, polling: 50 }).catch(async e => { throw new Error(e.message.split("\n")[0]
        + "; status: " + await text("status")); });
    if (Number(await text("decoded")) !== 0) problems.push("decoded " + await text("decoded") + " frames of no video");
    await page.screenshot({ path: shot });
    console.log("view page ok (no video): the page says: " + await text("status") + "; screenshot " + shot);
    return;
  }
  if (g2g === "h265") { // this browser may not decode H.265 (Chromium: only in hardware); then it must say so
    await page.waitForFunction(() => Number(document.getElementById("decoded").textContent) > 0
      || document.getElementById("status").textContent.includes("cannot decode H.265"), null,
    { timeout: 10000, polling: 50 }).catch(async e => { throw new Error(e.message.split("\n")[0] + "; status: "
      + await text("status")); });
    const said = await text("status"), codec = await text("codec");
    if (!/^(hvc1|hev1)\.\d/.test(codec)) problems.push("codec is " + codec + ", not hvc1.../hev1...");
    await page.screenshot({ path: shot });
    console.log("view page ok (H.265): " + (said.includes("cannot decode H.265") ? "the page says: " + said
      : "decoded " + await text("decoded")) + "; codec " + codec + "; screenshot " + shot);
    return;
  }
  await page.waitForFunction(() => Number(document.getElementById("decoded").textContent) > 0, null,
    { timeout: 10000, polling: 50 }).catch(async e => { throw new Error(e.message.split("\n")[0] + "; status: "
      + await text("status") + "; mode: " + await text("mode")); });
  const firstMs = Date.now() - started;
  await failIfError();
  const mode = await text("mode");
  if (mode !== "WebCodecs") problems.push("mode is " + mode);
  const codec = await text("codec");
  if (!codec.startsWith(codecPrefix)) problems.push("codec is " + codec + ", not " + codecPrefix + "...");
  const before = Number(await text("decoded"));
  await page.waitForTimeout(2000);
  await failIfError();
  const after = Number(await text("decoded"));
  if (after <= before) problems.push("decoded frames did not rise: " + before + " then " + after);
  // The canvas is not blank: the test pattern has many distinct colours.
  const canvas = await page.evaluate(() => {
    const c = document.getElementById("video");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
    return { width: c.width, height: c.height, colours: colours.size };
  });
  if (canvas.colours < 8) problems.push("the canvas looks blank: " + JSON.stringify(canvas));
  // The figures the page keeps: the first picture's time, glass to glass only with the SEI, server to screen always.
  const figures = await page.evaluate(() => {
    const s = window.streamteeStats;
    return { firstFrameMs: s.firstFrameMs, g2g: s.glassToGlassMs, serverToScreen: s.serverToScreenMs,
      g2gShown: !document.getElementById("g2g-item").hidden, g2gText: document.getElementById("g2g").textContent,
      drawn: s.drawn, samples: s.samples.length, captured: s.samples.filter(x => x.capture !== null).length };
  });
  if (typeof figures.firstFrameMs !== "number" || !(figures.firstFrameMs > 0)) {
    problems.push("streamteeStats.firstFrameMs is not recorded: " + figures.firstFrameMs);
  }
  if (typeof figures.serverToScreen !== "number") problems.push("no server-to-screen figure");
  if (g2g === "g2g" && (typeof figures.g2g !== "number" || !figures.g2gShown || !/^-?\d+ ms$/.test(figures.g2gText)
      || figures.captured === 0)) {
    problems.push("no glass-to-glass figure for a stream with the capture-time SEI: " + JSON.stringify(figures));
  }
  if (g2g === "no-g2g" && (figures.g2g !== null || figures.g2gShown || figures.captured !== 0)) {
    problems.push("a glass-to-glass figure for a stream without the capture-time SEI: " + JSON.stringify(figures));
  }
  await page.screenshot({ path: shot });
  console.log("view page ok: first frame decoded " + firstMs + " ms after loading began; decoded " + before
    + " then " + after + " 2 s later; fps " + await text("fps") + "; server to screen " + await text("latency")
    + "; glass to glass " + (figures.g2gShown ? await text("g2g") : "not shown") + "; first picture "
    + Math.round(figures.firstFrameMs) + " ms after navigation start; bit rate " + await text("bitrate")
    + "; dropped " + await text("dropped")
    + "; canvas " + canvas.width + "x" + canvas.height + " with " + canvas.colours + " colours; codec "
    + await text("codec") + "; screenshot " + shot);
});
