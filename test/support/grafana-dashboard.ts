/** The PromQL expressions of `contrib/grafana/medusa-dashboard.json`, for its tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Panel {
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

/** Every panel target's expression, with the dashboard's `$fqdn` variable set to "all". */
export function dashboardExpressions(): { panel: string; expr: string }[] {
  const file = join(import.meta.dirname, '..', '..', 'contrib', 'grafana', 'medusa-dashboard.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[] };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replace(/\$fqdn/g, '.*') })));
}
