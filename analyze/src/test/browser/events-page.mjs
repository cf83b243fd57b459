// Loads the analyzer's events page in headless Chromium and checks that it lists at least one motion event whose
// snapshot image has loaded (naturalWidth > 0), with its title and clip link; saves a screenshot. Exits 0 when it
// does, 1 (with the reason on stderr) when not.
//
//   node events-page.mjs URL [SCREENSHOT.png] [EXPECTED_WIDTH]
//
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci` in this directory (playwright-core only; it
// downloads no browser).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, shot = "events-page.png", width = "0"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node events-page.mjs URL [SCREENSHOT.png] [EXPECTED_WIDTH]");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);
await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 1100, height: 700 }, problems);
  // A motion event with its snapshot loaded (the status line says why not, if the page gave up).
  await page.waitForFunction(() => [...document.querySelectorAll("li.event img")]
    .some(img => img.complete && img.naturalWidth > 0), null, { timeout: 30000, polling: 250 })
    .catch(async e => { throw new Error(e.message.split("\n")[0] + "; status: "
      + await page.evaluate(() => document.getElementById("status").textContent)); });
  const failed = await page.evaluate(() => document.getElementById("status").className);
  if (failed === "error") problems.push("status line: " + await page.evaluate(() => document.getElementById("status").textContent));
  const events = await page.evaluate(() => [...document.querySelectorAll("li.event")].map(li => {
    const img = li.querySelector("img");
    return {
      id: li.dataset.id,
      title: li.querySelector(".title").textContent,
      image: img ? img.naturalWidth + "x" + img.naturalHeight : "",
      clip: li.querySelector("a[target]") ? li.querySelector("a[target]").href : "",
    };
  }));
  const shown = events.filter(e => e.image && !e.image.startsWith("0x"));
  if (!shown.length) problems.push("no event shows its snapshot: " + JSON.stringify(events));
  for (const e of shown) {
    if (!e.title.startsWith("motion")) problems.push("event " + e.id + " has title '" + e.title + "'");
    if (Number(width) && !e.image.startsWith(width + "x")) problems.push("snapshot of " + e.id + " is " + e.image);
    if (!e.clip.includes("/clip.mp4?camera=")) problems.push("event " + e.id + " has no clip link: " + e.clip);
  }
  // Let a poll or two pass: the page must stay free of errors while it refreshes.
  await page.waitForTimeout(2500);
  await page.screenshot({ path: shot, fullPage: true });
  console.log("events page ok: " + shown.map(e => e.id + " " + e.image).join(", ") + "; screenshot " + shot);
});
