// Run Material for MkDocs' own search worker (the script the browser runs) under Node, over a
// built site's search index, and print the pages each query finds, as JSON.
//   node tests/search_worker.js SITE_DIR QUERY...
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [site, ...queries] = process.argv.slice(2);
const workers = path.join(site, "assets", "javascripts", "workers");
const script = fs.readdirSync(workers).find((name) => /^search\..*\.min\.js$/.test(name));
let handler = null;
const replies = [];
globalThis.self = globalThis;
globalThis.addEventListener = (type, listener) => { if (type === "message") handler = listener; };
globalThis.postMessage = (message) => replies.push(message);
vm.runInThisContext(fs.readFileSync(path.join(workers, script), "utf8"));

const index = JSON.parse(fs.readFileSync(path.join(site, "search", "search_index.json"), "utf8"));
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

(async () => {
  handler({ data: { type: 0, data: { ...index, options: { suggest: false } } } });  // as the page sends it
  while (!replies.length) await settle();
  const found = {};
  for (const query of queries) {
    replies.length = 0;
    handler({ data: { type: 2, data: query } });
    while (!replies.length) await settle();
    const pages = new Set();
    for (const group of replies[0].data.items) {
      for (const item of group) pages.add(item.location.split("#")[0]);
    }
    found[query] = [...pages].sort();
  }
  process.stdout.write(JSON.stringify(found));
})();
