/** Results go to stdout (logs go to stderr): the one place that writes command results. */
import { Option } from 'commander';

/** Writes one line of a command's result to stdout. */
export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** `--output text|json` (default text), as every command that reports has it. */
export function outputOption(): Option {
  return new Option('--output <format>', 'output format (json: one JSON document on stdout; README "JSON output")').choices(['text', 'json']).default('text');
}

/** The value `outputOption` gives. */
export type OutputFormat = 'text' | 'json';
