// Loads serve's home page (of `streamtee serve` or `streamtee demo`) in headless Chromium and checks that every
// camera's live tile plays (its embedded viewer decodes, the decoded count rises, the canvas is not blank), with the
// token of the page's URL, if any, reaching every request; then opens a camera's page by its tile and checks that an
// event with its snapshot appears, that a click on it plays the recorded clip around it (the video's currentTime
// advances), that the recordings timeline lists segments, and that a click on it plays the recording from there.
// Saves screenshots of both pages. Exits 0 when all is well, 1 (the reasons on stderr) when not.
//
//   node serve-pages.mjs HOME_URL HOME.png CAMERA.png CAMERA...
//
// Needs /usr/bin/chromium and `npm ci` in this directory (playwright-core only).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, homeShot, cameraShot, ...cameras] = process.argv.slice(2);
if (!url || !homeShot || !cameraShot || cameras.length === 0) {
  console.error("usage: node serve-pages.mjs HOME_URL HOME.png CAMERA.png CAMERA...");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);
await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 1280, height: 800 }, problems);
  const decoded = frame => frame.evaluate(() => Number(document.getElementById("decoded").textContent));
  const tiles = [];
  for (const name of cameras) {
    const handle = await page.waitForSelector(`.tile[data-camera="${name}"] iframe`, { timeout: 10000 });
    const frame = await handle.contentFrame();
    await frame.waitForFunction(() => Number(document.getElementById("decoded")?.textContent) > 0, null,
      { timeout: 20000, polling: 100 }).catch(async () => {
        throw new Error("tile " + name + " decodes nothing; status: "
          + await frame.evaluate(() => document.getElementById("status").textContent));
      });
    tiles.push({ name, frame, before: await decoded(frame) });
  }
  await page.waitForTimeout(1500);
  const summary = [];
  for (const t of tiles) {
    const after = await decoded(t.frame);
    if (after <= t.before) {
      problems.push("tile " + t.name + ": decoded frames did not rise: " + t.before + " then " + after);
    }
    const colours = await t.frame.evaluate(() => {
      const c = document.getElementById("video");
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
      return seen.size;
    });
    if (colours < 8) problems.push("tile " + t.name + ": the canvas looks blank");
    const state = await page.textContent(`.tile[data-camera="${t.name}"] .badge:nth-child(2)`);
    if (state !== "live") problems.push("tile " + t.name + " says " + state);
    summary.push(t.name + " decoded " + after);
  }
  // the tiles' last events, with their snapshots, for the screenshot (a visitor comes every few seconds)
  await page.waitForFunction(names => names.every(n => {
    const img = document.querySelector(`.tile[data-camera="${n}"] .info img`);
    return img && !img.hidden && img.complete && img.naturalWidth > 0;
  }), cameras, { timeout: 30000, polling: 200 }).catch(() => problems.push("home: not every tile shows an event"
    + " snapshot within 30 s"));
  const bottom = await page.evaluate(() => document.getElementById("grid").getBoundingClientRect().bottom);
  await page.screenshot({ path: homeShot, clip: { x: 0, y: 0, width: 1280, height: Math.min(800, bottom + 4) } });

  // a camera's page, by its tile
  await page.click(`.tile[data-camera="${cameras[0]}"] a.open`);
  await page.waitForURL(u => u.pathname.endsWith("/cameras/" + cameras[0] + "/"), { timeout: 5000 });
  if (url.includes("token=") && !page.url().includes("token=")) {
    problems.push("the tile's link lost the token: " + page.url());
  }
  const live = await (await page.waitForSelector("#live iframe", { timeout: 10000 })).contentFrame();
  await live.waitForFunction(() => Number(document.getElementById("decoded")?.textContent) > 0, null,
    { timeout: 20000, polling: 100 }).catch(() => problems.push("the camera page's live view decodes nothing"));
  // an event that has ended at least 3 s ago, with its snapshot shown: its clip is recorded (1 s segments)
  const id = await page.waitForFunction(() => {
    for (const c of document.querySelectorAll("#events .ev")) {
      const e = c.event, img = c.querySelector("img");
      if (e && e.kind === "MOTION" && e.endMillis > 0 && Date.now() - e.endMillis > 3000 && img && img.complete
          && img.naturalWidth > 0) return e.id;
    }
    return null;
  }, null, { timeout: 30000, polling: 250 }).then(h => h.jsonValue()).catch(() => {
    throw new Error("no finished motion event with its snapshot on the camera page within 30 s");
  });
  await page.click(`#events .ev[data-id="${id}"]`);
  await page.waitForFunction(() => {
    const v = document.getElementById("player");
    return v.currentTime > 1 && !v.paused;
  }, null, { timeout: 20000, polling: 100 }).catch(async () => {
    throw new Error("the event's clip does not play: " + await page.evaluate(() => {
      const v = document.getElementById("player");
      return "src " + v.currentSrc + ", currentTime " + v.currentTime + ", error " + (v.error && v.error.message)
        + ", status " + document.getElementById("status").textContent;
    }));
  });
  const playing = await page.evaluate(() => document.getElementById("player").currentTime);
  await page.waitForFunction(() => window.streamteePage.segments > 0, null, { timeout: 15000, polling: 200 })
    .catch(() => problems.push("the recordings timeline lists no segment"));
  const recorded = await page.evaluate(() => ({ segments: window.streamteePage.segments,
    spans: window.streamteePage.spans, summary: document.getElementById("recSummary").textContent }));
  await page.waitForTimeout(1500); // a few more plot samples
  await page.screenshot({ path: cameraShot, fullPage: true });
  // a click on the timeline plays the recording from there (HLS where Chromium has it, else an MP4 export)
  await page.locator("#timeline").scrollIntoViewIfNeeded();
  const at = await page.evaluate(() => {
    const v = view(), r = document.getElementById("timeline").getBoundingClientRect();
    const t = Date.parse(rec.segments[0].start) + 1000;
    return { x: r.left + (t - v.from) / (v.to - v.from) * r.width, y: r.top + r.height / 2 };
  });
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => {
    const v = document.getElementById("player");
    return /recording from/.test(window.streamteePage.playing) && v.currentTime > 1 && !v.paused;
  }, null, { timeout: 20000, polling: 100 }).catch(async () => problems.push("the timeline's recording does not"
    + " play: " + await page.evaluate(() => window.streamteePage.playing + " " + document.getElementById("player")
      .currentSrc + " " + document.getElementById("status").textContent)));
  const how = await page.evaluate(() => window.streamteePage.playing);
  console.log("serve pages ok: " + summary.join("; ") + "; event " + id + " clip played to " + playing.toFixed(1)
    + " s; recordings: " + recorded.summary + "; the timeline played " + how + "; screenshots " + homeShot + ", "
    + cameraShot);
});
