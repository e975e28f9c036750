// axe-core over pages, in Debian's Chromium through puppeteer-core (tests/accessibility.rs).
//
// Usage: node axe.mjs CHROMIUM URL...
// Prints one JSON line per page: {"url", "violations": [{"id", "impact", "help", "targets"}],
// "overflow": bool}. "overflow" is whether the page scrolls sideways at 320 CSS px (WCAG 1.4.10
// Reflow, which axe does not test). Exit 0 when every page was checked; the caller judges.
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
// WCAG 2.0, 2.1 and 2.2, levels A and AA.
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

const [executablePath, ...urls] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  for (const url of urls) {
    const page = await browser.newPage();
    // The caseworker page's Content-Security-Policy forbids scripts; axe is injected anyway.
    await page.setBypassCSP(true);
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: "load" });
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(
      (tags) => globalThis.axe.run(document, { runOnly: { type: "tag", values: tags } }),
      TAGS,
    );
    await page.setViewport({ width: 320, height: 640 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
    console.log(JSON.stringify({ url, violations, overflow }));
    await page.close();
  }
} finally {
  await browser.close();
}
