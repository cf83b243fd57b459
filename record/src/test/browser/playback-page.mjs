// Opens the recorder's playback page in headless Chromium and checks it as a person would use it:
//   1. the clip links follow the range fields as they are edited (before Play is pressed);
//   2. picking another camera resets the range to that camera's latest recording (when there are two cameras);
//   3. Play plays: the video's time advances past MIN_SECONDS, it has a picture of the recorded size, and the page
//      asked only its own origin;
//   4. the status line tells the truth: "paused" when paused, "ended" when the range played to its end.
// Saves a screenshot once the range has ended. Exits 0 when all hold, 1 (with the reasons on stderr) when not.
//
//   node playback-page.mjs URL [SCREENSHOT.png] [MIN_SECONDS] [WIDTH]
//
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci` in this directory (playwright-core only; it
// downloads no browser).
import { chromium } from "playwright-core";
import { checkAndExit, launch, openPage } from "../../../../testing/src/main/browser/page-check.mjs";

const [url, shot = "playback-page.png", minSeconds = "2", width = "0"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node playback-page.mjs URL [SCREENSHOT.png] [MIN_SECONDS] [WIDTH]");
  process.exit(2);
}
const problems = [];
const passed = [];
const browser = await launch(chromium, ["--autoplay-policy=no-user-gesture-required"]);

/** A UTC time as a datetime-local field holds it (Chromium drops ":00" seconds). */
function fieldText(ms) {
  const t = new Date(ms).toISOString().slice(0, 19);
  return t.endsWith(":00") ? t.slice(0, 16) : t;
}

/** Runs one check: a failure is recorded and the next check still runs. */
async function check(name, body) {
  try {
    await body();
    passed.push(name);
  } catch (e) {
    problems.push(name + ": " + e.message.split("\n")[0]);
  }
}

/** Waits until fn(arg) is true in the page; on timeout fails with what describe(arg) says in the page then. */
async function until(page, fn, arg, describe, timeout = 10000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(await page.evaluate(describe, arg));
  }
}

await checkAndExit(browser, problems, async () => {
  const page = await openPage(browser, url, { width: 1100, height: 900 }, problems);
  await page.waitForSelector("#spans tr", { timeout: 15000 });
  await page.waitForFunction(() => document.getElementById("to").value !== "", null, { timeout: 15000 });

  // The range of the links, and of the fields, as epoch milliseconds (the fields are UTC without a zone).
  const linksMatchFields = () => {
    const field = id => { const v = document.getElementById(id).value; return Date.parse(v.length === 16 ? v + ":00Z" : v + "Z"); };
    const camera = document.getElementById("camera").value;
    return ["ts", "mp4"].every(id => {
      const q = new URL(document.getElementById(id).href).searchParams;
      return q.get("camera") === camera && Date.parse(q.get("from")) === field("from")
        && Date.parse(q.get("to")) === field("to");
    });
  };
  const describeLinks = () => "links " + document.getElementById("ts").getAttribute("href") + " for fields from="
    + document.getElementById("from").value + " to=" + document.getElementById("to").value;

  await check("clip links follow an edited range", async () => {
    const to = await page.inputValue("#to");
    const toMillis = Date.parse((to.length === 16 ? to + ":00" : to) + "Z");
    const from = fieldText(toMillis - 4000);
    await page.fill("#from", from);
    await until(page, linksMatchFields, null, describeLinks, 3000);
    const earlier = fieldText(toMillis - 1000);
    await page.fill("#to", earlier);
    await until(page, linksMatchFields, null, describeLinks, 3000);
  });

  const cameras = await page.$$eval("#camera option", os => os.map(o => o.value));
  // what the page should show for a camera: the last minute (at most) of its latest span, to the second
  const latest = async camera => page.evaluate(async c => {
    const r = await fetch("api/recordings?" + new URLSearchParams({ camera: c, from: "0" }));
    const spans = (await r.json()).spans;
    const last = spans[spans.length - 1];
    const end = Date.parse(last.end), start = Math.max(Date.parse(last.start), end - 60e3);
    const second = ms => Math.floor(ms / 1000) * 1000;
    return { from: second(start), to: second(end) };
  }, camera);
  const rangeIs = expected => {
    const field = id => { const v = document.getElementById(id).value; return Date.parse(v.length === 16 ? v + ":00Z" : v + "Z"); };
    return field("from") === expected.from && field("to") === expected.to;
  };
  const describeRange = expected => "range " + document.getElementById("from").value + " to "
    + document.getElementById("to").value + ", not " + new Date(expected.from).toISOString() + " to "
    + new Date(expected.to).toISOString();
  if (cameras.length > 1) {
    await check("another camera gets its own latest range", async () => {
      for (const camera of [cameras[1], cameras[0]]) {
        const expected = await latest(camera);
        await page.selectOption("#camera", camera);
        await until(page, rangeIs, expected, describeRange, 5000);
        await until(page, linksMatchFields, null, describeLinks, 3000);
      }
    });
  } else {
    // one camera: put its range back as the page first chose it
    const expected = await latest(cameras[0]);
    await page.fill("#from", fieldText(expected.from));
    await page.fill("#to", fieldText(expected.to));
  }

  let state = null;
  await check("Play plays", async () => {
    await page.click("button[type=submit]");
    await page.waitForFunction(s => {
      const v = document.getElementById("video");
      return v.error || v.currentTime > s;
    }, Number(minSeconds), { timeout: 30000, polling: 100 });
    state = await page.evaluate(() => {
      const v = document.getElementById("video");
      return { src: v.currentSrc, time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
        error: v.error && v.error.message, status: document.getElementById("status").textContent };
    });
    if (state.error) throw new Error("video error: " + state.error);
    if (Number(width) > 0 && state.width !== Number(width)) throw new Error("video width " + state.width + ", not " + width);
    if (!/playing/.test(state.status)) throw new Error("status while playing: " + state.status);
  });

  const statusMatches = re => new RegExp(re).test(document.getElementById("status").textContent);
  const describeStatus = re => "status '" + document.getElementById("status").textContent + "', not /" + re + "/ (paused "
    + document.getElementById("video").paused + ", ended " + document.getElementById("video").ended + ")";
  await check("the status says paused, then playing, then ended", async () => {
    await page.evaluate(() => document.getElementById("video").pause());
    await until(page, statusMatches, "^paused", describeStatus, 5000);
    await page.evaluate(() => document.getElementById("video").play());
    await until(page, statusMatches, "^playing", describeStatus, 10000);
    await until(page, () => document.getElementById("video").ended, null, () => "the video did not end", 60000);
    await until(page, statusMatches, "^ended", describeStatus, 3000);
  });
  await page.screenshot({ path: shot });
  if (state) {
    console.log("playback ok: " + state.status + ", " + state.width + "x" + state.height + " at "
      + state.time.toFixed(1) + " s of " + state.src + "; screenshot " + shot);
  }
  console.log("passed: " + passed.join("; ") + "; status at the end: "
    + await page.textContent("#status"));
});
