// Browser test of the web UI: playwright-core drives Debian's chromium (headless) against a running
// `dls serve` whose warehouse holds the pipeline main_s (bronze -> silver -> gold; one update done).
//   node ui/tests/browser_test.mjs URL TOKEN SCREENSHOT_DIR
// Opens the graph, clicks a node and sees its metrics, disables an entity and sees the cascade,
// starts an update and watches its progress, opens the data-quality charts and a table. Exits 1 on
// the first failed step (with a screenshot), never skips: a missing chromium is a failure.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, token, shots] = process.argv.slice(2);
if (!url || !token || !shots) {
  console.error("usage: browser_test.mjs URL TOKEN SCREENSHOT_DIR");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`browser_test: ${executablePath} is missing: install Debian's chromium (make setup)`);
  process.exit(1);
}
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
let step = 0;
async function check(name, fn) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, "0")}-${name}.png`);
  try {
    await fn();
    await page.screenshot({ path: file, fullPage: true });
    console.log(`ok ${step} ${name} (${file})`);
  } catch (e) {
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`FAILED ${step} ${name}: ${e instanceof Error ? e.stack : e}\nscreenshot: ${file}`);
    await browser.close();
    process.exit(1);
  }
}
const expectText = async (selector, text) => {
  await page.waitForFunction(
    ([s, t]) => [...document.querySelectorAll(s)].some((el) => el.textContent?.includes(t)),
    [selector, text],
    { timeout: 30000 },
  );
};

await check("login", async () => {
  await page.goto(url + "/");
  await page.fill("#token", "wrong-token-0000000000");
  await page.click("#login button");
  await expectText("p.error", "refused");
  await page.fill("#token", token);
  await page.click("#login button");
  await expectText("main a", "main_s");
});

await check("graph", async () => {
  await page.goto(url + "/#/pipeline/main_s");
  await page.waitForSelector('#graph g.node[data-name="main.s.bronze"]');
  const statuses = await page.$$eval("#graph g.node", (nodes) => nodes.map((n) => n.getAttribute("data-status")));
  if (statuses.length !== 3 || statuses.some((s) => s !== "COMPLETED")) throw new Error(`statuses ${statuses}`);
  await expectText("#graph text", "Q quarantine");
});

await check("node-metrics", async () => {
  await page.click('#graph g.node[data-name="main.s.bronze"]');
  await expectText("#node-panel", "num_quarantined_rows");
  await expectText("#node-panel td", "num_output_rows");
});

await check("update-page", async () => {
  await page.click('#node-panel a[href^="#/update/"]');
  await expectText("main th", "quarantined");
  await expectText("main td", "main.s.bronze");
});

await check("quality-charts", async () => {
  await page.goto(url + "/#/quality/main_s");
  await page.waitForSelector('.chart[data-rule*="positive"] canvas');
});

await check("table-page", async () => {
  await page.goto(url + "/#/table/main.s.bronze");
  await expectText("main h2", "Sample rows");
  await expectText("main td", "amount");
  await page.waitForSelector("#rows tbody tr");
});

await check("disable-cascade", async () => {
  await page.goto(url + "/#/entity/bronze");
  await expectText("main h1", "Entity bronze");
  await page.click("#disable");
  await page.waitForSelector("#affected li");
  const affected = await page.$$eval("#affected li", (li) => li.map((l) => l.textContent));
  if ([...affected].sort().join(",") !== "bronze,gold,silver") throw new Error(`cascade ${affected}`);
  await page.click("#confirm");
  await page.waitForSelector("#enable");
  await expectText("main h1", "DISABLED");
  await page.goto(url + "/#/entity/silver");
  await expectText("main h1", "Entity silver");
  await expectText("main h1", "DISABLED");
  await expectText("main td", "is_enabled");  // the field diff of the new version
  // Enabling gold enables everything upstream of it again.
  await page.goto(url + "/#/entity/gold");
  await expectText("main h1", "Entity gold");
  await page.click("#enable");
  await page.waitForSelector("#affected li");
  const back = await page.$$eval("#affected li", (li) => li.map((l) => l.textContent));
  if ([...back].sort().join(",") !== "bronze,gold,silver") throw new Error(`enable cascade ${back}`);
  await page.click("#confirm");
  await page.waitForSelector("#disable");
});

await check("live-update", async () => {
  await page.goto(url + "/#/pipeline/main_s");
  await page.waitForSelector("#start-update:not([disabled])");
  await page.click("#start-update");
  await page.waitForSelector('#progress .event[data-type="dataset"]', { timeout: 30000 });
  await page.waitForSelector('#graph g.node[data-status="RUNNING"]', { timeout: 30000 });
  await page.screenshot({ path: join(shots, "live-update-running.png"), fullPage: true });
  await page.waitForSelector("#update-finished", { timeout: 120000 });
  const status = await page.getAttribute("#update-finished", "data-status");
  if (status !== "COMPLETED") throw new Error(`update ended ${status}`);
});

if (errors.length) {
  console.error(`page errors: ${errors.join("\n")}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log("browser_test: all steps passed");
