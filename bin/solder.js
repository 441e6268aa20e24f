#!/usr/bin/env node
// Entry point of the `solder` command; the code lives in dist/ (built by `npm ci` / `npm run build`).
import '../dist/debugger/cli/main.js';
