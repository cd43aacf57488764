// Public API of @syncbus/cli: run the command line from code (tests, wrappers).
export { runCli, createProgram, addCommands, type CommandRegistration } from './program';
export { CliContext, type CliStreams, type GlobalOptions } from './cli-context';
export { CliError, ExitCode, exitCodeOf } from './cli-error';
export { loadNodeConfig, type NodeConfig } from './node-config';
export { renderTable, type Column } from './output/table';
export { Output } from './output/output';
export { createProgress, type Progress } from './output/progress';
