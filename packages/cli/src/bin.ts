#!/usr/bin/env node
// Entry point of the `syncbus` executable.
import 'reflect-metadata';
import { runCli } from './program';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`syncbus: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
