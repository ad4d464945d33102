/**
 * The shell wrapper every orchestrated command runs under on its host (the role of Medusa's
 * medusa-wrapper): in the host's job folder it starts the command in the background once,
 * recording `pid`, `stdout`, `stderr` and finally `status`, then waits for `status` and replays
 * the output. Run again with the same folder (after a dropped connection), it does not start the
 * command a second time: it re-attaches and waits for the first run's status.
 */
import { shellQuote } from './shell-quote.js';

/** Exit code the wrapper uses when its own bookkeeping fails (the job folder, a vanished process). */
export const WRAPPER_FAILURE_EXIT = 125;

/** The wrapped command line for `command` with remote job folder `dir`. */
export function wrapJobCommand(dir: string, command: string): string {
  // The subshell keeps the redirections on the whole command (not only its last pipeline) and survives its `exit`.
  const inner = `( ${command}
) >stdout 2>stderr </dev/null; echo $? >status.tmp; mv status.tmp status`;
  return [
    `d=${shellQuote(dir)}`,
    `mkdir -p "$d" && cd "$d" || exit ${WRAPPER_FAILURE_EXIT}`,
    `if [ ! -f pid ]; then nohup sh -c ${shellQuote(inner)} >/dev/null 2>&1 </dev/null & echo $! >pid; fi`,
    'while [ ! -f status ]; do',
    '  if ! kill -0 "$(cat pid)" 2>/dev/null; then sleep 1; if [ ! -f status ]; then',
    `    echo "medusa job: process $(cat pid) in $d ended without a status" >&2; exit ${WRAPPER_FAILURE_EXIT}; fi; fi`,
    '  sleep 1',
    'done',
    'cat stdout; cat stderr >&2',
    'exit "$(cat status)"',
  ].join('\n');
}
