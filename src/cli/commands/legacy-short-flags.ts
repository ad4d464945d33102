/**
 * Medusa's two-letter short options (`-ps`, `-pu`, `-pr`), which commander cannot declare (a short
 * flag is one letter there). A command built with {@link commandWithLegacyFlags} rewrites such a
 * word (alone, or as `-ps=3`) into its long option before commander parses it.
 */
import { Command, type ParseOptionsResult } from 'commander';

class LegacyFlagsCommand extends Command {
  constructor(
    name: string,
    private readonly legacy: Readonly<Record<string, string>>,
  ) {
    super(name);
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    const rewritten: string[] = [];
    let passthrough = false;
    for (const word of argv) {
      if (passthrough || word === '--') {
        passthrough = true;
        rewritten.push(word);
        continue;
      }
      const eq = word.indexOf('=');
      const head = eq < 0 ? word : word.slice(0, eq);
      const long = this.legacy[head];
      rewritten.push(long === undefined ? word : eq < 0 ? long : `${long}${word.slice(eq)}`);
    }
    return super.parseOptions(rewritten);
  }
}

/** Adds command `name` to `program`, accepting the `legacy` short words (e.g. `{'-ps': '--parallel-snapshots'}`). */
export function commandWithLegacyFlags(program: Command, name: string, legacy: Readonly<Record<string, string>>): Command {
  const cmd = new LegacyFlagsCommand(name, legacy);
  program.addCommand(cmd);
  return cmd;
}
