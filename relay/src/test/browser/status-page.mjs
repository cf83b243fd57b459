// Loads the relay's status page in headless Chromium and checks that it lists the outputs, each destination once,
// and plots a live, non-zero bit rate; saves a screenshot. Exits 0 when it does, 1 (with the reason on stderr) when not.
//
//   node status-page.mjs URL [SCREENSHOT.png] [MIN_OUTPUTS] [MIN_SAMPLES]
//
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci` in this directory (playwright-core only; it
// downloads no browser).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, shot = "status-page.png", minOutputs = "1", minSamples = "5"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node status-page.mjs URL [SCREENSHOT.png] [MIN_OUTPUTS] [MIN_SAMPLES]");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);
await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 1280, height: 760 }, problems);
  // Rows for the outputs, a non-zero rate on every one of them, and enough samples for a plot worth looking at.
  await page.waitForFunction(([outputs, samples]) => {
    const rows = [...document.querySelectorAll("tr.output")];
    const rates = rows.map(r => Number(r.querySelector('[data-role="rate"]').dataset.bps || 0));
    return rows.length >= outputs && rates.every(bps => bps > 0)
      && [...series.values()].every(s => s.samples.length >= samples);
  }, [Number(minOutputs), Number(minSamples)], { timeout: 30000, polling: 250 });
  // The plots are drawn: some pixels of the first output's canvas are not blank.
  const inked = await page.evaluate(() => {
    const c = document.querySelector('tr.output canvas');
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
  if (inked < 50) problems.push("the first output's plot is blank (" + inked + " pixels drawn)");
  // Each destination is shown once: an output given as a bare host:port must not repeat itself as its kind tag.
  const cells = await page.evaluate(() => [...document.querySelectorAll("tr.output")].map(r => {
    const cell = r.querySelector("td:nth-child(2)");
    return { address: cell.firstChild.textContent.replace(/^[a-z]+:\/\//, ""), text: cell.textContent };
  }));
  for (const { address, text } of cells) {
    const times = text.split(address).length - 1;
    if (times !== 1) problems.push("destination " + address + " shown " + times + " times ('" + text + "')");
  }
  const everywhere = cells.map(c => c.address);
  if (new Set(everywhere).size !== everywhere.length) problems.push("a destination is listed twice: " + everywhere);
  const summary = await page.evaluate(() => [...document.querySelectorAll("tr.output")]
    .map(r => r.dataset.id + " " + r.querySelector('[data-role="rate"]').textContent).join(", "));
  await page.screenshot({ path: shot, fullPage: true });
  console.log("status page ok: " + summary + "; screenshot " + shot);
});
