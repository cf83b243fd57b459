// Loads the viewer's page while the camera's viewer limit is reached and checks that the page shows the server's
// refusal (the WebSocket's close reason) in its status line. Exits 0 when it does, 1 (the reason on stderr) when not.
//
//   node view-limit.mjs URL EXPECTED_TEXT
//
// Needs /usr/bin/chromium and `npm ci` in this directory (playwright-core only).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, expected] = process.argv.slice(2);
if (!url || !expected) {
  console.error("usage: node view-limit.mjs URL EXPECTED_TEXT");
  process.exit(2);
}
const problems = [];
const browser = await launch(chromium);
await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 800, height: 500 }, problems);
  await page.waitForFunction(text => document.getElementById("status").textContent.includes(text), expected,
    { timeout: 10000, polling: 50 }).catch(async () => {
      throw new Error("the status line says: " + await page.evaluate(() => document.getElementById("status").textContent));
    });
  const status = await page.evaluate(() => document.getElementById("status").textContent);
  console.log("view limit ok: the page says \"" + status + "\"");
});
