// Run by pack-install.test.ts inside the scratch project: imports every entry point of every package from an ES
// module, as an ESM host does, and prints the named exports each one gives (one JSON line).
const entries = JSON.parse(process.argv[2]);

const imported = {};
for (const specifiers of Object.values(entries))
  for (const specifier of specifiers) {
    const namespace = await import(specifier);
    imported[specifier] = Object.keys(namespace).sort();
  }
process.stdout.write(`${JSON.stringify(imported)}\n`);
