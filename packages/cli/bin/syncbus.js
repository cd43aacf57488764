#!/usr/bin/env node
// The `syncbus` executable. It is committed, not built, because npm links a package's bin at install time only
// when the file exists then: pointing the bin into dist/ left a fresh clone without `npx syncbus`, and npx then
// asked the public registry for a package of that name.
'use strict';
let command;
try {
  command = require.resolve('../dist/bin.js');
} catch {
  process.stderr.write(
    "syncbus: the command is not built yet. Run `npm run build` (or the README's `npm ci && npm start`) in the " +
      'repository first.\n',
  );
  process.exit(1);
}
require(command);
