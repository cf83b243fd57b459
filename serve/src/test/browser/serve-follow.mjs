// Loads serve's home page in headless Chromium and checks that it follows the config: once every CAMERA's tile
// decodes, it writes READY_FILE; the test then removes REMOVED and adds ADDED by a reload; the page must drop the
// removed tile, show the added one and play it, while the others play on. Exits 0 when all is well, 1 (the reasons
// on stderr) when not. The removed camera's viewer may try its WebSocket once more before the page drops its tile
// (a 404 in the console): that one is expected.
//
//   node serve-follow.mjs HOME_URL READY_FILE ADDED REMOVED CAMERA...
//
// Needs /usr/bin/chromium and `npm ci` in this directory (playwright-core only).
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, ready, added, removed, ...cameras] = process.argv.slice(2);
if (!url || !ready || !added || !removed || cameras.length === 0) {
  console.error("usage: node serve-follow.mjs HOME_URL READY_FILE ADDED REMOVED CAMERA...");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);

async function decodes(page, name, what) {
  const handle = await page.waitForSelector(`.tile[data-camera="${name}"] iframe`, { timeout: 20000 });
  const frame = await handle.contentFrame();
  await frame.waitForFunction(() => Number(document.getElementById("decoded")?.textContent) > 0, null,
    { timeout: 20000, polling: 100 }).catch(() => { throw new Error(what + ": tile " + name + " decodes nothing"); });
}

async function plays(page, name, what) {
  const handle = await page.waitForSelector(`.tile[data-camera="${name}"] iframe`, { timeout: 20000 });
  const frame = await handle.contentFrame();
  const decoded = () => frame.evaluate(() => Number(document.getElementById("decoded")?.textContent || 0));
  await frame.waitForFunction(() => Number(document.getElementById("decoded")?.textContent) > 0, null,
    { timeout: 20000, polling: 100 }).catch(() => { throw new Error(what + ": tile " + name + " decodes nothing"); });
  const before = await decoded();
  await page.waitForTimeout(1000);
  if (await decoded() <= before) problems.push(what + ": tile " + name + " stopped decoding");
}

await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 1000, height: 700 }, problems);
  for (const name of cameras) await decodes(page, name, "before the reload");
  writeFileSync(ready, "ready\n"); // the test reloads now; the page polls every 2 s
  await page.waitForSelector(`.tile[data-camera="${removed}"]`, { state: "detached", timeout: 20000 })
    .catch(() => { throw new Error("the tile of removed camera " + removed + " stays"); });
  for (const name of cameras.filter(c => c !== removed).concat([added])) await plays(page, name, "after the reload");
  const tiles = await page.$$eval(".tile", ts => ts.map(t => t.dataset.camera));
  const expected = cameras.filter(c => c !== removed).concat([added]);
  if (JSON.stringify(tiles) !== JSON.stringify(expected)) {
    problems.push("tiles " + JSON.stringify(tiles) + ", not " + JSON.stringify(expected));
  }
  const expectedError = new RegExp("/cameras/" + removed + "/ws' failed: .* 404");
  for (let i = problems.length - 1; i >= 0; i--) {
    if (expectedError.test(problems[i])) problems.splice(i, 1);
  }
  console.log("serve follow ok: tiles " + tiles.join(", ") + " after removing " + removed + " and adding " + added);
});
