// Loads the viewer's grid page (several cameras) in headless Chromium and checks that every tile plays: each tile's
// embedded page decodes (its decoded-frame count rises) and draws a canvas that is not blank, the token in the
// grid's URL reaching every tile's WebSocket; then clicks the first tile and checks that the camera's own page
// opens and plays. Saves a screenshot of the grid. Exits 0 when all is well, 1 (the reasons on stderr) when not.
//
//   node view-grid.mjs URL SCREENSHOT.png CAMERA...
//
// Needs /usr/bin/chromium and `npm ci` in this directory (playwright-core only).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, shot, ...cameras] = process.argv.slice(2);
if (!url || !shot || cameras.length === 0) {
  console.error("usage: node view-grid.mjs URL SCREENSHOT.png CAMERA...");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);
await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 1000, height: 600 }, problems);
  const decoded = frame => frame.evaluate(() => Number(document.getElementById("decoded").textContent));
  const tiles = [];
  for (const name of cameras) {
    const handle = await page.waitForSelector(`.tile[data-camera="${name}"] iframe`, { timeout: 5000 });
    const frame = await handle.contentFrame();
    await frame.waitForFunction(() => Number(document.getElementById("decoded")?.textContent) > 0, null,
      { timeout: 15000, polling: 50 }).catch(async () => {
        throw new Error("tile " + name + " decodes nothing; status: "
          + await frame.evaluate(() => document.getElementById("status").textContent));
      });
    if (!frame.url().includes("/cameras/" + name + "/") || !frame.url().includes("embed=1")) {
      problems.push("tile " + name + " shows " + frame.url());
    }
    // the tile shows the picture only: no figures, and its status only when it is an error
    if (await frame.evaluate(() => ["mode", "decoded", "latency"].some(id =>
        getComputedStyle(document.getElementById(id).parentElement).display !== "none")
        || getComputedStyle(document.getElementById("status")).display !== "none")) {
      problems.push("tile " + name + ": the embedded page still shows its status bar");
    }
    tiles.push({ name, frame, before: await decoded(frame) });
  }
  await page.waitForTimeout(1500);
  const summary = [];
  for (const t of tiles) {
    const after = await decoded(t.frame);
    if (after <= t.before) problems.push("tile " + t.name + ": decoded frames did not rise: " + t.before + " then " + after);
    const canvas = await t.frame.evaluate(() => {
      const c = document.getElementById("video");
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
      return { width: c.width, height: c.height, colours: colours.size };
    });
    if (canvas.colours < 8) problems.push("tile " + t.name + ": the canvas looks blank: " + JSON.stringify(canvas));
    summary.push(t.name + " " + canvas.width + "x" + canvas.height + " decoded " + after);
  }
  await page.screenshot({ path: shot });
  await page.click(`.tile[data-camera="${cameras[0]}"] a`);
  await page.waitForURL(u => u.pathname.endsWith("/cameras/" + cameras[0] + "/"), { timeout: 5000 });
  await page.waitForFunction(() => Number(document.getElementById("decoded").textContent) > 0, null,
    { timeout: 15000, polling: 50 }).catch(() => { throw new Error("the camera's own page decodes nothing"); });
  if (!page.url().includes("token=")) problems.push("the tile's link lost the token: " + page.url());
  console.log("view grid ok: " + summary.join("; ") + "; a click opened " + new URL(page.url()).pathname
    + "; screenshot " + shot);
});
