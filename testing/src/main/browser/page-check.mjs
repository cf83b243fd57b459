// What the page tests' node scripts share (record/src/test/browser/playback-page.mjs,
// relay/src/test/browser/status-page.mjs, run by io.streamtee.testing.Browser): headless Debian Chromium, a page
// whose errors and requests off its own origin are problems, and the exit rule (0 when there are no problems, else
// 1 with one problem a line on stderr).
//
// It imports nothing: each script passes the `chromium` of its own playwright-core (from `npm ci` in its directory),
// so this file needs no node_modules of its own.

/** Launches /usr/bin/chromium (or $CHROMIUM) headless, with `extraArgs` after the common flags. */
export function launch(chromium, extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", ...extraArgs],
  });
}

/**
 * Opens `url` in a new page of `viewport` size; page errors, console errors and any request off the url's origin
 * are pushed to `problems`.
 */
export async function openPage(browser, url, viewport, problems) {
  const origin = new URL(url).origin;
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  page.on("pageerror", e => problems.push("page error: " + e.message));
  page.on("console", m => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("request", r => { if (!r.url().startsWith(origin)) problems.push("external request: " + r.url()); });
  await page.goto(url);
  return page;
}

/**
 * Runs `body`, records the first line of what it throws as a problem, closes `browser`, then exits 1 printing the
 * problems when there are any.
 */
export async function checkAndExit(browser, problems, body) {
  try {
    await body();
  } catch (e) {
    problems.push(e.message.split("\n")[0]);
  } finally {
    await browser.close();
  }
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
}
