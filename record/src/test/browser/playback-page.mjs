// Opens the recorder's playback page in headless Chromium, presses Play and checks that the video plays: the
// element's time advances past MIN_SECONDS, it has a picture of the recorded size, and the page asked only its own
// origin. Saves a screenshot. Exits 0 when it does, 1 (with the reason on stderr) when not.
//
//   node playback-page.mjs URL [SCREENSHOT.png] [MIN_SECONDS] [WIDTH]
//
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci` in this directory (playwright-core only; it
// downloads no browser).
import { chromium } from "playwright-core";

const [url, shot = "playback-page.png", minSeconds = "2", width = "0"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node playback-page.mjs URL [SCREENSHOT.png] [MIN_SECONDS] [WIDTH]");
  process.exit(2);
}
const origin = new URL(url).origin;
const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  page.on("pageerror", e => problems.push("page error: " + e.message));
  page.on("console", m => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("request", r => { if (!r.url().startsWith(origin)) problems.push("external request: " + r.url()); });
  await page.goto(url);
  await page.waitForSelector("#spans tr", { timeout: 15000 });
  await page.click("button[type=submit]");
  await page.waitForFunction(s => {
    const v = document.getElementById("video");
    return v.error || v.currentTime > s;
  }, Number(minSeconds), { timeout: 30000, polling: 100 });
  const state = await page.evaluate(() => {
    const v = document.getElementById("video");
    return { src: v.currentSrc, time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
      error: v.error && v.error.message, status: document.getElementById("status").textContent };
  });
  if (state.error) problems.push("video error: " + state.error);
  if (Number(width) > 0 && state.width !== Number(width)) problems.push("video width " + state.width + ", not " + width);
  await page.screenshot({ path: shot });
  console.log("playback ok: " + state.status + ", " + state.width + "x" + state.height + " at " + state.time.toFixed(1)
    + " s of " + state.src + "; screenshot " + shot);
} catch (e) {
  problems.push(e.message.split("\n")[0]);
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
