/**
 * What the CLI's progress displays share: a logger whose lines never mix with a display drawn in
 * place on the same terminal (the display is erased before each line and drawn again after it).
 */
import type { Logger } from '../../util/logger.js';

/** `log` with `erase()` before and `redraw()` after every line it shows; a hidden debug line touches nothing. */
export function loggerAround(log: Logger, erase: () => void, redraw: () => void): Logger {
  const around = (fn: (m: string) => void) => (m: string): void => {
    erase();
    fn(m);
    redraw();
  };
  return {
    // A debug line that is not shown must not redraw anything (backups log one per file).
    debug: (m) => (log.debugEnabled ? around((x) => log.debug(x))(m) : log.debug(m)),
    info: around((m) => log.info(m)),
    warning: around((m) => log.warning(m)),
    error: around((m) => log.error(m)),
    get debugEnabled() {
      return log.debugEnabled;
    },
  };
}
