// Serve stripe-stateful-mock on 127.0.0.1 only.
// Its own CLI (`PORT=N stripe-stateful-mock`) listens on every interface; this launcher builds
// the same Express app through the package's documented createExpressApp() and binds loopback.
// Usage: node peers/stateful-mock/serve.js PORT
"use strict";
const log = require("loglevel");
log.setLevel(process.env.LOG_LEVEL || "warn");
const { createExpressApp } = require("stripe-stateful-mock");

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
    console.error("usage: node serve.js PORT");
    process.exit(2);
}
createExpressApp().listen(port, "127.0.0.1", () => {
    console.log(`stripe-stateful-mock listening on 127.0.0.1:${port}`);
});
