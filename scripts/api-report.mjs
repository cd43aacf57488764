// Runs API Extractor over every public entry point of every published package and compares each with its report
// in api/. `--local` rewrites the reports (commit them); without it a changed public API fails, naming the report.
//
// The reports read the built declarations, and tsc prints an inferred union (a zod enum's members, say) in the
// order its checker met the members, which an incremental build can change. So reports are always written from a
// clean build, and a check that finds a difference after an incremental build rebuilds clean and checks again.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const local = process.argv.includes('--local');
const baseFile = join(root, 'api/api-extractor.base.json');
const base = ExtractorConfig.loadFile(baseFile);

/** Internal entries are shared between syncbus's own packages and are no promise, so they get no report. */
const UNREPORTED = new Set(['./internal', './package.json']);

function entryPoints() {
  const entries = [];
  for (const group of ['packages', 'plugins']) {
    for (const dir of readdirSync(join(root, group)).sort()) {
      const manifestPath = join(root, group, dir, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (manifest.private || !manifest.exports) continue;
      const unscoped = manifest.name.replace(/^@[^/]+\//, '');
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        if (UNREPORTED.has(subpath) || typeof target !== 'object' || !target.types) continue;
        const suffix = subpath === '.' ? '' : `-${subpath.slice(2).replaceAll('/', '-')}`;
        entries.push({
          name: `${manifest.name}${subpath.slice(1)}`,
          manifestPath,
          types: join(root, group, dir, target.types),
          report: `${unscoped}${suffix}`,
        });
      }
    }
  }
  return entries;
}

const entries = entryPoints();
if (local) cleanBuild();
let failed = extractAll({ report: local });
if (failed && !local) {
  console.log('rebuilding from clean, so the comparison does not depend on an incremental build');
  cleanBuild();
  failed = extractAll({ report: true });
}
failed += orphanReports();
process.exitCode = failed ? 1 : 0;

/** Rebuilds every TypeScript project from nothing (`tsc -b --clean`, then `tsc -b`). */
function cleanBuild() {
  const tsc = join(root, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['-b', '--clean'], { cwd: root, stdio: 'inherit' });
  execFileSync(tsc, ['-b'], { cwd: root, stdio: 'inherit' });
}

/** Runs every entry; returns how many failed. With `report: false`, prints nothing for a changed one. */
function extractAll({ report }) {
  let failures = 0;
  for (const entry of entries) failures += extract(entry, report) ? 0 : 1;
  return failures;
}

/** One entry point: true when its report matches (or, with --local, was written). */
function extract(entry, report) {
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: entry.types,
      apiReport: { ...base.apiReport, reportFileName: entry.report },
    },
    configObjectFullPath: baseFile,
    packageJsonFullPath: entry.manifestPath,
  });
  const result = Extractor.invoke(config, { localBuild: local, messageCallback: quietUnlessError });
  if (!result.succeeded) {
    if (!report) return false;
    console.error(
      result.apiReportChanged
        ? `${entry.name}: its public API changed; run \`npm run api\` and commit api/${entry.report}.api.md`
        : `${entry.name}: API Extractor failed (${result.errorCount} errors)`,
    );
    return false;
  }
  console.log(
    `${entry.name}: ${result.apiReportChanged ? `api/${entry.report}.api.md updated` : 'unchanged'}`,
  );
  return true;
}

/** A report whose entry point is gone (a package or subpath removed) goes too, so api/ is exactly the promise. */
function orphanReports() {
  const reported = new Set(entries.map((entry) => `${entry.report}.api.md`));
  let orphans = 0;
  for (const file of readdirSync(join(root, 'api')).filter((name) => name.endsWith('.api.md'))) {
    if (reported.has(file)) continue;
    if (local) {
      rmSync(join(root, 'api', file));
      console.log(`api/${file}: removed (no such entry point any more)`);
    } else {
      orphans++;
      console.error(
        `api/${file} reports an entry point that no longer exists; run \`npm run api\` and commit`,
      );
    }
  }
  return orphans;
}

/** Keeps the run to one line per entry: only errors reach the console; warnings are in the reports. */
function quietUnlessError(message) {
  if (message.logLevel !== 'error') message.handled = true;
}
